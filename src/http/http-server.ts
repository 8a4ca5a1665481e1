import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Gateway } from '../graphql/gateway.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { createConnectionGuard, type ConnectionGuard } from './connection-guard.js';
import type { GraphiQLHandler } from './graphiql.js';
import { serveGraphQL } from './graphql-request.js';
import type { Tracing } from '../observability/tracing-types.js';
import { sendJson } from './send-json.js';
import { createWebSockets, type GatewayWebSockets, type WebSocketsOptions } from './websocket.js';

/**
 * IAM tokens run to several KB and up to 32 KiB are accepted; Node's default 16 KiB header
 * limit would refuse them with a bare 431 before the gateway sees them.
 */
export const MAX_REQUEST_HEADER_BYTES = 64 * 1024;

/** During shutdown, a keep-alive socket idle this long is closed; an active client would have sent its next request by then. */
const SHUTDOWN_IDLE_CLOSE_MS = 250;
/** How often shutdown looks for sockets to close. */
const SHUTDOWN_POLL_MS = 20;

/** Socket limits and timeouts (the HTTP_* variables). */
export interface HttpLimits {
  /** Largest request body accepted (MAX_BODY_BYTES). */
  maxBodyBytes: number;
  /** HTTP_HEADERS_TIMEOUT_MS. */
  headersTimeoutMs: number;
  /** HTTP_REQUEST_TIMEOUT_MS: a request not all in by then is cut with 408. */
  requestTimeoutMs: number;
  /** HTTP_KEEP_ALIVE_TIMEOUT_MS. */
  keepAliveTimeoutMs: number;
  /** Client sockets at once (HTTP_MAX_CONNECTIONS, or derived from the open-file limit). */
  maxConnections: number;
}

/** Options of createHttpServer. */
export interface HttpServerOptions {
  gateway: Gateway;
  metrics: GatewayMetrics;
  limits: HttpLimits;
  /** GraphiQL for browsers; null when GRAPHIQL=false. */
  graphiql: GraphiQLHandler | null;
  /** Where GraphQL is served. */
  endpoint: string;
  logger: Logger;
  /** OpenTelemetry: a server span per GraphQL request (the operational endpoints are not traced). @default none */
  tracing?: Tracing;
  /** Details /readyz adds to `status` (e.g. whether Redis is up); never a reason to be unready. @default none */
  readiness?: () => Record<string, string>;
  /** graphql-ws at the endpoint (its sockets counted with the others); null: upgrades are refused. */
  webSockets: Omit<WebSocketsOptions, 'connections' | 'endpoint' | 'logger' | 'maxPayloadBytes'> | null;
}

/** The HTTP server, its sockets and its shutdown. */
export interface GatewayHttpServer {
  server: Server;
  connections: ConnectionGuard;
  /** The WebSocket side, when served. */
  webSockets: GatewayWebSockets | null;
  /** Requests being served right now. */
  inFlight(): number;
  /** False once shutdown has begun: /readyz answers 503 and every answer closes its connection. */
  readonly ready: boolean;
  /**
   * Graceful shutdown: not ready (for `drainMs` the listener still accepts, for load balancers to
   * notice), then the listener closes, requests in flight finish within `graceMs`, every answer
   * says `Connection: close`, and keep-alive sockets close once idle; what is left at the end of
   * the grace period is destroyed.
   */
  shutdown(graceMs: number, drainMs: number): Promise<void>;
}

/**
 * The Node HTTP server in front of the gateway (not yet listening). It answers the operational
 * endpoints itself, before any GraphQL work: `/healthz` (alive), `/readyz` (ready; 503 while
 * shutting down) and `/metrics` (Prometheus); serves GraphiQL to browsers; refuses bodies over
 * MAX_BODY_BYTES (413) or of unknown length (411) before they are read; and hands the rest to
 * Yoga. Node's own timeouts cut slow clients (headers, whole request → 408), and the connection
 * guard keeps sockets under the limit without locking anyone out.
 */
export function createHttpServer(options: HttpServerOptions): GatewayHttpServer {
  const { limits } = options;
  let inFlight = 0;
  let ready = true;
  const server = createServer(
    {
      maxHeaderSize: MAX_REQUEST_HEADER_BYTES,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // Node checks the timeouts above this often (default 30 s: a slow client could overstay by that).
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    },
    (req, res) => void handle(req, res),
  );
  const connections = createConnectionGuard(server, { maxConnections: limits.maxConnections });
  const webSockets = options.webSockets
    ? createWebSockets({
        ...options.webSockets,
        connections,
        endpoint: options.endpoint,
        logger: options.logger.child({ component: 'websocket' }),
        maxPayloadBytes: limits.maxBodyBytes,
      })
    : null;
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    if (webSockets && ready) return webSockets.upgrade(req, socket, head);
    socket.end(`HTTP/1.1 ${webSockets ? '503 Service Unavailable' : '404 Not Found'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  // No 'clientError' listener: Node's own answers a malformed request (400), headers too large
  // (431) or too slow (408) and closes the socket, which is what a client should see.

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    inFlight += 1;
    res.once('close', () => (inFlight -= 1));
    connections.serving(req, res);
    // While shutting down, every answer tells keep-alive clients to go elsewhere next time.
    if (!ready) res.setHeader('connection', 'close');
    const path = (req.url ?? '/').split('?', 1)[0]!;
    try {
      if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
      if (path === '/readyz') {
        const details = options.readiness?.() ?? {};
        return ready ? sendJson(res, 200, { status: 'ready', ...details }) : sendJson(res, 503, { status: 'shutting down', ...details });
      }
      if (path === '/metrics' && req.method === 'GET') return await sendMetrics(res, options.metrics);
      if (options.graphiql?.handles(req, path)) return await options.graphiql.serve(req, res, path);
      const refusal = bodyRefusal(req, limits.maxBodyBytes);
      if (refusal) {
        res.setHeader('connection', 'close');
        return sendJson(res, refusal.status, { errors: [{ message: refusal.message, extensions: { code: 'BAD_REQUEST' } }] });
      }
      const tracing = options.tracing;
      if (tracing) await tracing.serveRequest(req, res, path, () => serveGraphQL(options.gateway, req, res, limits.maxBodyBytes));
      else await serveGraphQL(options.gateway, req, res, limits.maxBodyBytes);
    } catch (error) {
      // Yoga answers its own failures; this is the last line for a bug of ours below it.
      options.logger.error({ err: error }, 'unexpected failure serving a request');
      if (!res.headersSent && !res.destroyed)
        sendJson(res, 500, { errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.destroy();
    }
  }

  return {
    server,
    connections,
    webSockets,
    inFlight: () => inFlight,
    get ready() {
      return ready;
    },
    async shutdown(graceMs, drainMs) {
      ready = false;
      if (drainMs > 0) await new Promise((resolve) => setTimeout(resolve, drainMs));
      // net.Server's close stops accepting and nothing else: http.Server's own close would also
      // drop idle keep-alive sockets at once, and a client that just sent its next request on
      // one would see a reset. They are closed below once idle for a moment instead.
      const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
      const webSocketsClosed = webSockets?.shutdown(graceMs);
      const deadline = performance.now() + graceMs;
      while (connections.endIdle(SHUTDOWN_IDLE_CLOSE_MS) > 0 && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, SHUTDOWN_POLL_MS));
      }
      if (connections.open > 0) {
        options.logger.warn({ inFlight, sockets: connections.open }, 'grace period over: closing connections with requests in flight');
        connections.destroyAll();
      }
      await webSocketsClosed;
      await closed;
    },
  };
}

// A body we will not read: too large by its Content-Length, or streamed without one.
function bodyRefusal(req: IncomingMessage, maxBodyBytes: number): { status: number; message: string } | null {
  const length = req.headers['content-length'];
  if (length !== undefined) {
    return Number(length) > maxBodyBytes
      ? { status: 413, message: `The request body is larger than ${maxBodyBytes} bytes (MAX_BODY_BYTES)` }
      : null;
  }
  if (req.headers['transfer-encoding'] !== undefined) {
    return { status: 411, message: 'Send the request body with a Content-Length' };
  }
  return null;
}

async function sendMetrics(res: ServerResponse, metrics: GatewayMetrics): Promise<void> {
  const text = await metrics.registry.metrics();
  res.writeHead(200, { 'content-type': metrics.registry.contentType });
  res.end(text);
}
