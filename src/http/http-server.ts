import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FastLane } from './fast-lane.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { Gateway } from '../graphql/gateway.js';

/**
 * IAM tokens run to several KB and up to 32 KiB are accepted (contract "Upstream facts"); Node's
 * default 16 KiB header limit would refuse them with a bare 431 before the gateway sees them.
 */
export const MAX_REQUEST_HEADER_BYTES = 64 * 1024;

/** Options of createHttpServer. */
export interface HttpServerOptions {
  gateway: Gateway;
  metrics: GatewayMetrics;
  /** Largest request body accepted (MAX_BODY_BYTES). */
  maxBodyBytes: number;
  /** False once shutdown has begun: /readyz then answers 503. */
  isReady: () => boolean;
  /** Serves ordinary `POST /graphql` requests through Yoga's pipeline without the WHATWG objects. */
  fastLane?: FastLane;
}

/** The HTTP server with its in-flight count, for graceful shutdown. */
export interface GatewayHttpServer {
  server: Server;
  /** Requests being served right now. */
  inFlight(): number;
}

/**
 * The Node HTTP server in front of the gateway (not yet listening). It answers the operational
 * endpoints itself, before any GraphQL work: `/healthz` (alive), `/readyz` (ready; 503 while
 * shutting down) and `/metrics` (Prometheus), and refuses bodies over MAX_BODY_BYTES (413) or of
 * unknown length (411) before they are read. Everything else goes to Yoga: ordinary JSON POSTs
 * through the fast lane, the rest through Yoga's Node adapter.
 */
export function createHttpServer(options: HttpServerOptions): GatewayHttpServer {
  let inFlight = 0;
  const server = createServer({ maxHeaderSize: MAX_REQUEST_HEADER_BYTES }, (req, res) => {
    inFlight += 1;
    res.once('close', () => (inFlight -= 1));
    // While shutting down, every answer tells keep-alive clients to go elsewhere next time.
    if (!options.isReady()) res.setHeader('connection', 'close');
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      return options.isReady() ? sendJson(res, 200, { status: 'ready' }) : sendJson(res, 503, { status: 'shutting down' });
    }
    if (path === '/metrics' && req.method === 'GET') return void sendMetrics(res, options.metrics);
    const refusal = bodyRefusal(req, options.maxBodyBytes);
    if (refusal) {
      res.setHeader('connection', 'close');
      return sendJson(res, refusal.status, { errors: [{ message: refusal.message, extensions: { code: 'BAD_REQUEST' } }] });
    }
    if (options.fastLane?.accepts(req)) return void options.fastLane.serve(req, res);
    return options.gateway(req, res);
  });
  return { server, inFlight: () => inFlight };
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

/** Writes `body` as the whole JSON answer (used for answers the gateway gives without Yoga). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function sendMetrics(res: ServerResponse, metrics: GatewayMetrics): Promise<void> {
  const text = await metrics.registry.metrics();
  res.writeHead(200, { 'content-type': metrics.registry.contentType });
  res.end(text);
}
