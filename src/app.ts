import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { GatewayConfig } from './config.js';
import { createFastLane } from './http/fast-lane.js';
import { createHttpServer, type GatewayHttpServer } from './http/http-server.js';
import { createMetrics, statusClassOf, type GatewayMetrics } from './observability/metrics.js';
import { createGateway, GRAPHQL_ENDPOINT, type Gateway } from './graphql/gateway.js';
import { createSwrClient, type SwrClient } from './swr/client.js';

/** What an app is built from. */
export interface AppOptions {
  config: GatewayConfig;
  /** The SWR base URL (SWR_ENDPOINT, or the demo simulator's). */
  endpoint: string;
  logger: Logger;
  /** undici dispatcher for the upstream. @default a keep-alive Agent owned by the client */
  dispatcher?: Dispatcher;
}

/** A whole gateway process minus the process: upstream client, Yoga, HTTP server, metrics. */
export interface App {
  gateway: Gateway;
  client: SwrClient;
  metrics: GatewayMetrics;
  http: GatewayHttpServer;
  /** Starts listening; resolves to the bound address. */
  listen(port: number, host: string): Promise<AddressInfo>;
  /**
   * Graceful shutdown: not ready any more (for `drainMs` it still accepts, so load balancers
   * see /readyz fail and stop sending), then stop accepting, let in-flight requests finish within
   * `graceMs`, and close every connection and the upstream pool.
   */
  shutdown(graceMs: number, drainMs?: number): Promise<void>;
}

/** Builds the app: the same wiring for `npm start` and for the integration tests. */
export function createApp(options: AppOptions): App {
  const { config, logger } = options;
  const metrics = createMetrics();
  const upstreamLog = logger.child({ component: 'swr' });
  const client = createSwrClient({
    endpoint: options.endpoint,
    timeoutMs: config.swrTimeoutMs,
    retry: { retries: config.swrRetries },
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    onCall(call) {
      const statusClass = statusClassOf(call.status, call.outcome);
      metrics.upstreamCalls.inc({ status_class: statusClass });
      metrics.upstreamSeconds.observe({ status_class: statusClass }, call.durationMs / 1000);
      if (call.attempt > 1) metrics.upstreamRetries.inc();
      // The record holds no token by construction; debug level keeps the hot path cheap.
      upstreamLog.debug({ ...call, durationMs: Math.round(call.durationMs * 10) / 10 }, 'SWR call');
    },
  });
  const gateway = createGateway({ config, client, logger, metrics });
  let ready = true;
  const http = createHttpServer({
    gateway,
    metrics,
    maxBodyBytes: config.maxBodyBytes,
    isReady: () => ready,
    fastLane: createFastLane(gateway, GRAPHQL_ENDPOINT, logger.child({ component: 'yoga' })),
  });

  return {
    gateway,
    client,
    metrics,
    http,
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
      ready = false;
      if (drainMs > 0) await new Promise((resolve) => setTimeout(resolve, drainMs));
      // No new connections, idle keep-alive ones closed (Node does both); in-flight requests go on.
      const closed = new Promise<void>((resolve) => http.server.close(() => resolve()));
      const deadline = performance.now() + graceMs;
      while (http.inFlight() > 0 && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      if (http.inFlight() > 0) logger.warn({ inFlight: http.inFlight() }, 'grace period over: closing connections with requests in flight');
      http.server.closeAllConnections();
      await closed;
      await client.close();
    },
  };
}
