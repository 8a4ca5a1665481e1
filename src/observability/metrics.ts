import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The gateway's Prometheus metrics, in a registry of their own (one per gateway, so tests do not mix). */
export interface GatewayMetrics {
  registry: Registry;
  /** GraphQL operations by operation name and outcome (ok, partial, error, cancelled). */
  operations: Counter<'operation' | 'outcome'>;
  operationSeconds: Histogram<'operation' | 'outcome'>;
  /** GraphQL errors by extensions.code. */
  errors: Counter<'code'>;
  /** Upstream tries by status class (2xx, 4xx, 5xx, timeout, network, cancelled). */
  upstreamCalls: Counter<'status_class'>;
  upstreamSeconds: Histogram<'status_class'>;
  /** Upstream tries that were retries. */
  upstreamRetries: Counter;
  /** Page lookups answered by an identical lookup of the same operation. */
  lookupsDeduplicated: Counter;
  /** Windows served by a call shared with another window. */
  lookupsCoalesced: Counter;
  /** Operations refused by the upstream-call budget or the depth/alias/token limits. */
  refusals: Counter<'limit'>;
  /** Live-update events sent to subscribers' streams, by kind (CREATED, UPDATED). */
  liveEvents: Counter<'kind'>;
  /** Watch polls of SWR by outcome: ok, or the error code of a failed one. */
  livePolls: Counter<'outcome'>;
  /** Reports the live updates (watches, subscribers) whenever metrics are read. */
  observeLive(read: () => { watches: number; subscribers: number }): void;
  /** Reports the SWR pool (connections in use, calls waiting for one) whenever metrics are read. */
  observePool(read: () => { inUse: number; waiting: number }): void;
  /** Reports the client sockets (open, closed to make room) whenever metrics are read. */
  observeConnections(read: () => { open: number; evicted: number }): void;
  /** Reports whether the shared Redis is reachable (with REDIS_URL set) whenever metrics are read. */
  observeRedis(read: () => boolean): void;
  /** Answers served from the response cache, and answers stored in it. */
  responseCache: Counter<'outcome'>;
}

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Creates the metrics and registers Node's default process metrics (RSS, event loop, GC) beside them. */
export function createMetrics(): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  let pool = () => ({ inUse: 0, waiting: 0 });
  let sockets = () => ({ open: 0, evicted: 0 });
  let live = () => ({ watches: 0, subscribers: 0 });
  // Gauges read when /metrics is scraped, not kept up to date on the hot path.
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });
  gauge('swr_gateway_upstream_connections_in_use', 'SWR connections answering a call', () => pool().inUse);
  gauge('swr_gateway_upstream_calls_waiting', 'SWR calls waiting for a free connection', () => pool().waiting);
  gauge('swr_gateway_http_connections', 'Client sockets open', () => sockets().open);
  gauge(
    'swr_gateway_http_connections_evicted',
    'Client sockets closed to make room for newer ones, since the start',
    () => sockets().evicted,
  );
  gauge('swr_gateway_live_watches', 'Watches polling SWR (one per caller and repository)', () => live().watches);
  gauge('swr_gateway_live_subscribers', 'Subscriptions to live updates', () => live().subscribers);
  let redisGauge: Gauge | null = null;
  return {
    registry,
    operations: new Counter({
      name: 'swr_gateway_graphql_operations_total',
      help: 'GraphQL operations by name and outcome',
      labelNames: ['operation', 'outcome'],
      registers,
    }),
    operationSeconds: new Histogram({
      name: 'swr_gateway_graphql_operation_duration_seconds',
      help: 'GraphQL operation latency',
      labelNames: ['operation', 'outcome'],
      buckets: SECONDS_BUCKETS,
      registers,
    }),
    errors: new Counter({
      name: 'swr_gateway_graphql_errors_total',
      help: 'GraphQL errors by extensions.code',
      labelNames: ['code'],
      registers,
    }),
    upstreamCalls: new Counter({
      name: 'swr_gateway_upstream_calls_total',
      help: 'SWR tries by status class',
      labelNames: ['status_class'],
      registers,
    }),
    upstreamSeconds: new Histogram({
      name: 'swr_gateway_upstream_call_duration_seconds',
      help: 'SWR try latency',
      labelNames: ['status_class'],
      buckets: SECONDS_BUCKETS,
      registers,
    }),
    upstreamRetries: new Counter({ name: 'swr_gateway_upstream_retries_total', help: 'SWR tries that were retries', registers }),
    lookupsDeduplicated: new Counter({
      name: 'swr_gateway_lookups_deduplicated_total',
      help: 'Page lookups answered by an identical lookup of the same operation',
      registers,
    }),
    lookupsCoalesced: new Counter({
      name: 'swr_gateway_lookups_coalesced_total',
      help: 'Page windows served by a call shared with another window',
      registers,
    }),
    refusals: new Counter({
      name: 'swr_gateway_operations_refused_total',
      help: 'Operations refused by a limit',
      labelNames: ['limit'],
      registers,
    }),
    liveEvents: new Counter({
      name: 'swr_gateway_live_events_total',
      help: 'Live-update events by kind',
      labelNames: ['kind'],
      registers,
    }),
    livePolls: new Counter({
      name: 'swr_gateway_live_polls_total',
      help: 'Watch polls of SWR by outcome',
      labelNames: ['outcome'],
      registers,
    }),
    observeLive(read) {
      live = read;
    },
    observePool(read) {
      pool = read;
    },
    observeConnections(read) {
      sockets = read;
    },
    observeRedis(read) {
      // Only with REDIS_URL set: a process alone has no Redis to be up or down.
      redisGauge ??= gauge('swr_gateway_redis_up', 'Whether the Redis the replicas share is reachable (1) or not (0)', () =>
        read() ? 1 : 0,
      );
    },
    responseCache: new Counter({
      name: 'swr_gateway_response_cache_total',
      help: 'Response cache lookups by outcome (hit, miss)',
      labelNames: ['outcome'],
      registers,
    }),
  };
}

/** The status class label of an upstream try: 2xx/3xx/4xx/5xx, or timeout/cancelled/network without an answer. */
export function statusClassOf(status: number | null, outcome: string): string {
  if (status !== null) return `${Math.floor(status / 100)}xx`;
  if (outcome === 'UPSTREAM_TIMEOUT') return 'timeout';
  return outcome === 'CANCELLED' ? 'cancelled' : 'network';
}
