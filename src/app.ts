import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Plugin } from 'graphql-yoga';
import type { Dispatcher } from 'undici';
import type { GatewayConfig } from './config.js';
import type { Tracing } from './observability/tracing-types.js';
import { randomBytes } from 'node:crypto';
import { createTokenHasher } from './auth/caller.js';
import { createMemoryAnswerStore, createRedisAnswerStore } from './cache/answer-stores.js';
import { useResponseCache } from './cache/use-response-cache.js';
import { createWatchSharing } from './live/shared-watch.js';
import { createSharedRedis, type SharedRedis } from './redis/shared-redis.js';
import { createSchema } from './graphql/schema.js';
import { createPersistedDocuments } from './persisted/persisted-documents.js';
import { loadPersistedDocuments } from './persisted/persisted-file.js';
import { createLocalRateBudget, createSharedRateBudget } from './swr/rate-budget.js';
import { createGateway, GRAPHQL_ENDPOINT, type Gateway } from './graphql/gateway.js';
import { createGraphiQLHandler, graphiqlOptions } from './http/graphiql.js';
import { createOperationReport } from './graphql/plugins/use-operation-report.js';
import { createHttpServer, type GatewayHttpServer } from './http/http-server.js';
import { openFileLimit } from './http/open-file-limit.js';
import { createMetrics, statusClassOf, type GatewayMetrics } from './observability/metrics.js';
import { createLiveHub, type LiveHub } from './live/live-hub.js';
import { createSwrClient, type SwrClient } from './swr/client.js';

/** What an app is built from. */
export interface AppOptions {
  config: GatewayConfig;
  /** The SWR origin (SWR_ENDPOINT, or the demo simulator's). */
  endpoint: string;
  logger: Logger;
  /** undici dispatcher for the upstream. @default a keep-alive Agent owned by the client */
  dispatcher?: Dispatcher;
  /** Yoga plugins added after the gateway's own (tests observe hooks with them). @default none */
  plugins?: Plugin[];
  /** OpenTelemetry (with the OTEL_ variables). @default none */
  tracing?: Tracing;
  /** How the SWR client waits before a retry (tests record the waits instead). @default a timer */
  retryWait?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** A whole gateway process minus the process: upstream client, Yoga, HTTP server, metrics. */
export interface App {
  gateway: Gateway;
  client: SwrClient;
  live: LiveHub;
  metrics: GatewayMetrics;
  http: GatewayHttpServer;
  /** The Redis the replicas share; null without REDIS_URL. */
  redis: SharedRedis | null;
  /** Starts listening; resolves to the bound address. */
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Graceful shutdown (see GatewayHttpServer.shutdown), then the upstream pool closes. */
  shutdown(graceMs: number, drainMs?: number): Promise<void>;
}

/** File descriptors kept free beside the SWR connections: logs, Redis, DNS, the odd file. */
const RESERVED_FILE_DESCRIPTORS = 256;

/** Builds the app: the same wiring for `npm start` and for the integration tests. */
export function createApp(options: AppOptions): App {
  const { config, logger } = options;
  const metrics = createMetrics();
  const upstreamLog = logger.child({ component: 'swr' });
  const redis =
    config.redisUrl === null
      ? null
      : createSharedRedis({ url: config.redisUrl, prefix: config.redisPrefix, logger: logger.child({ component: 'redis' }) });
  if (redis) metrics.observeRedis(() => redis.up);
  const hashToken = createTokenHasher(config.tokenHashSecret);
  const rateLimit = config.swrRateLimit;
  const rateBudget =
    rateLimit === 0
      ? null
      : redis
        ? createSharedRateBudget(rateLimit, redis, logger.child({ component: 'rate-budget' }))
        : createLocalRateBudget(rateLimit);
  const client = createSwrClient({
    endpoint: options.endpoint,
    timeoutMs: config.swrTimeoutMs,
    connections: config.swrConnections,
    queueTimeoutMs: config.swrQueueTimeoutMs,
    retry: { retries: config.swrRetries, ...(options.retryWait ? { wait: options.retryWait } : {}) },
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    ...(rateBudget ? { rateBudget: { limit: rateLimit, budget: rateBudget } } : {}),
    ...(options.tracing ? { tracing: options.tracing } : {}),
    onCall(call) {
      const statusClass = statusClassOf(call.status, call.outcome);
      metrics.upstreamCalls.inc({ status_class: statusClass });
      metrics.upstreamSeconds.observe({ status_class: statusClass }, call.durationMs / 1000);
      if (call.attempt > 1) metrics.upstreamRetries.inc();
      // The record holds no token by construction; debug level keeps the hot path cheap.
      upstreamLog.debug({ ...call, durationMs: Math.round(call.durationMs * 10) / 10 }, 'SWR call');
    },
  });
  metrics.observePool(() => client.pool());
  const live = createLiveHub({
    client,
    intervalMs: config.watchIntervalMs,
    maxLimit: config.swrMaxLimit,
    maxWatches: config.maxWatches,
    maxSubscriptions: config.maxSubscriptions,
    maxWatchesPerCaller: config.maxWatchesPerCaller,
    maxSubscriptionsPerCaller: config.maxSubscriptionsPerCaller,
    logger: logger.child({ component: 'live' }),
    onEvent: (kind, subscribers) => metrics.liveEvents.inc({ kind }, subscribers),
    onPoll: (outcome) => metrics.livePolls.inc({ outcome }),
    ...(options.tracing ? { tracePoll: options.tracing.poll.bind(options.tracing) } : {}),
    ...(redis
      ? {
          sharing: createWatchSharing({
            redis,
            leaseMs: config.watchLeaseMs,
            intervalMs: config.watchIntervalMs,
            logger: logger.child({ component: 'live' }),
          }),
        }
      : {}),
  });
  metrics.observeLive(() => ({ watches: live.watches, subscribers: live.subscribers }));
  // ETags are keyed like tokens: replicas sharing a Redis give one answer one tag.
  const etagSecret = config.tokenHashSecret ?? randomBytes(32).toString('base64url');
  const responseCache =
    config.responseCacheTtlMs === 0
      ? []
      : useResponseCache({
          ttlMs: config.responseCacheTtlMs,
          store: redis
            ? createRedisAnswerStore(redis, etagSecret, logger.child({ component: 'response-cache' }), config.responseCacheTtlMs)
            : createMemoryAnswerStore(etagSecret),
          hashToken,
          onAnswer: (hit) => metrics.responseCache.inc({ outcome: hit ? 'hit' : 'miss' }),
        });
  // A trusted document that does not validate, or is over a limit, stops start-up here (a ConfigError naming it).
  const persisted = createPersistedDocuments({
    documents: config.persistedDocuments === null ? null : loadPersistedDocuments(config.persistedDocuments, createSchema(), config),
    only: config.persistedDocumentsOnly,
    redis,
    logger: logger.child({ component: 'persisted' }),
  });
  const report = createOperationReport({ logger: logger.child({ component: 'graphql' }), metrics });
  const gateway = createGateway({
    config,
    client,
    logger,
    metrics,
    live,
    report,
    hashToken,
    persisted,
    // The span plugin last: its execution wraps every other's (the cache's, graphql-jit's).
    appPlugins: [...responseCache, ...(options.tracing ? [options.tracing.plugin] : [])],
    ...(options.plugins ? { plugins: options.plugins } : {}),
  });
  const graphiql = config.graphiql ? createGraphiQLHandler(GRAPHQL_ENDPOINT, graphiqlOptions) : null;
  const http = createHttpServer({
    gateway,
    metrics,
    endpoint: GRAPHQL_ENDPOINT,
    graphiql,
    logger,
    ...(redis ? { readiness: () => ({ redis: redis.up ? 'up' : 'down' }) } : {}),
    ...(options.tracing ? { tracing: options.tracing } : {}),
    webSockets: { gateway, report, maxInputDepth: config.maxInputDepth, corsOrigins: config.corsOrigins, hashToken, persisted },
    limits: {
      maxBodyBytes: config.maxBodyBytes,
      headersTimeoutMs: config.httpHeadersTimeoutMs,
      requestTimeoutMs: config.httpRequestTimeoutMs,
      keepAliveTimeoutMs: config.httpKeepAliveTimeoutMs,
      maxConnections: maxConnectionsFrom(config, logger),
    },
  });
  metrics.observeConnections(() => ({ open: http.connections.open, evicted: http.connections.evicted }));

  return {
    gateway,
    client,
    live,
    metrics,
    http,
    redis,
    async listen(port, host) {
      await new Promise<void>((resolve, reject) => {
        http.server.once('error', reject);
        http.server.listen(port, host, () => {
          http.server.off('error', reject);
          resolve();
        });
      });
      return http.server.address() as AddressInfo;
    },
    async shutdown(graceMs, drainMs = 0) {
      // Open streams complete first (a clean end their clients can tell from a cut), so that
      // their sockets are idle for the HTTP shutdown.
      live.close();
      await http.shutdown(graceMs, drainMs);
      await client.close();
      await redis?.close();
    },
  };
}

/**
 * Client sockets and SWR connections share the process's open-file limit: with the sockets of a
 * flood taking every descriptor, the gateway could reach neither SWR nor its own /healthz. So
 * client sockets stay below the limit minus the SWR pool and a reserve.
 */
function maxConnectionsFrom(config: GatewayConfig, logger: Logger): number {
  const ceiling = Math.max(64, openFileLimit() - config.swrConnections - RESERVED_FILE_DESCRIPTORS);
  if (config.httpMaxConnections === null) return ceiling;
  if (config.httpMaxConnections > ceiling) {
    logger.warn(
      { requested: config.httpMaxConnections, used: ceiling },
      'HTTP_MAX_CONNECTIONS is above what the open-file limit leaves room for: using the lower number',
    );
    return ceiling;
  }
  return config.httpMaxConnections;
}
