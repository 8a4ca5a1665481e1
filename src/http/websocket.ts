import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { CloseCode, makeServer, handleProtocols, type ServerOptions } from 'graphql-ws';
import { createGraphQLError } from 'graphql-yoga';
import { WebSocketServer, type WebSocket } from 'ws';
import { callerFromPayload, type Caller, type TokenHasher } from '../auth/caller.js';
import { OperationTooExpensiveError, ShuttingDownError, type GatewayError, type UnauthenticatedError } from '../errors.js';
import type { ConnectionGuard } from './connection-guard.js';
import { formatError, prepareOperation, runOperation, type WebSocketOperationsOptions } from './websocket-operations.js';

/** How often each socket is pinged; one that has not answered by the next ping is cut. Proxies keep a busy link open. */
export const WEBSOCKET_KEEP_ALIVE_MS = 12_000;
/** A socket that has not sent `connection_init` this long after connecting is closed (4408). */
export const CONNECTION_INIT_TIMEOUT_MS = 10_000;
/** Operations (subscriptions and queries) running at once on one socket; more are refused (OPERATION_TOO_EXPENSIVE). */
export const MAX_SOCKET_OPERATIONS = 100;

/** Options of createWebSockets. */
export interface WebSocketsOptions extends WebSocketOperationsOptions {
  connections: ConnectionGuard;
  /** The largest message accepted (MAX_BODY_BYTES); a larger one closes the socket (1009). */
  maxPayloadBytes: number;
  /** CORS_ORIGINS: browsers of other origins may connect only when listed (or with `*`). */
  corsOrigins: readonly string[];
  /** The keyed hash of tokens. */
  hashToken: TokenHasher;
}

/** The WebSocket side of the server: graphql-ws over `ws`, at the GraphQL endpoint. */
export interface GatewayWebSockets {
  /** Sockets open now. */
  readonly open: number;
  /** The HTTP server's `upgrade` listener. */
  upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void;
  /**
   * Graceful shutdown: new operations are refused, running ones finish within `graceMs`
   * (subscriptions are completed by the live hub before this), then every socket is closed with
   * 1001 (going away), which graphql-ws clients take as a cue to reconnect elsewhere.
   */
  shutdown(graceMs: number): Promise<void>;
}

interface SocketState {
  caller: Caller | UnauthenticatedError | null;
  /** Operation id → the controller aborting its request. */
  operations: Map<string, AbortController>;
  socket: WebSocket;
  net: Socket;
  /** The token headers of the upgrade request. */
  upgradeHeaders: Record<string, string | undefined>;
}

interface Extra {
  socket: WebSocket;
}

/**
 * Serves the graphql-ws protocol (`graphql-transport-ws`) at the GraphQL endpoint: the caller
 * comes from `connection_init`'s payload (X-Auth-Token or Authorization: Bearer), else from the
 * same headers on the upgrade request (where routers put the headers they propagate); a
 * connection without one is acknowledged, and each of its operations is refused with UNAUTHENTICATED before
 * any SWR call, as over HTTP. Operations run through the gateway's envelop (websocket-operations.ts).
 * Sockets are bounded with the HTTP ones (the connection guard counts them; one with no operation
 * running is idle and may be closed to make room), messages by MAX_BODY_BYTES, operations per
 * socket by MAX_SOCKET_OPERATIONS; each socket is pinged every WEBSOCKET_KEEP_ALIVE_MS.
 */
export function createWebSockets(options: WebSocketsOptions): GatewayWebSockets {
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes, perMessageDeflate: false, handleProtocols });
  const states = new Map<WebSocket, SocketState>();
  let closing = false;

  const refusal = (error: GatewayError) => [createGraphQLError(error.message, { extensions: error.extensions })];
  // A socket is busy while operations run on it, and while it closes at shutdown (its close frame must go out).
  const idleChanged = (state: SocketState) => options.connections.setBusy(state.net, state.operations.size > 0 || closing);
  const goAway = (state: SocketState) => state.socket.close(1001, 'Going away');

  const serverOptions: ServerOptions<Record<string, unknown> | undefined, Extra> = {
    connectionInitWaitTimeout: CONNECTION_INIT_TIMEOUT_MS,
    onConnect(ctx) {
      const state = states.get(ctx.extra.socket);
      // The payload's token, else the upgrade request's headers (a router propagating the
      // client's headers sets them there; a browser cannot, so no page can lend a token this way).
      if (state)
        state.caller =
          callerFromPayload(ctx.connectionParams, options.hashToken) ?? callerFromPayload(state.upgradeHeaders, options.hashToken);
      return true;
    },
    onSubscribe(ctx, id, payload) {
      // Known from 'connection' until 'close', and no message arrives after it.
      const state = states.get(ctx.extra.socket)!;
      if (closing) return refusal(new ShuttingDownError('This gateway is shutting down; reconnect to run the operation elsewhere'));
      if (state.operations.size >= MAX_SOCKET_OPERATIONS) {
        return refusal(
          new OperationTooExpensiveError(
            `This socket runs ${MAX_SOCKET_OPERATIONS} operations already (MAX_SOCKET_OPERATIONS); complete one or open another socket`,
            'MAX_SOCKET_OPERATIONS',
          ),
        );
      }
      const controller = new AbortController();
      state.operations.set(id, controller);
      idleChanged(state);
      const prepared = prepareOperation(options, payload, state.caller, controller.signal);
      // A refused operation gets its errors and no `complete`: it is over now.
      if (Array.isArray(prepared)) endOperation(state, id);
      return prepared;
    },
    execute: (args) => runOperation(args, 'execute'),
    subscribe: (args) => runOperation(args, 'subscribe'),
    onNext: (_ctx, _id, _payload, _args, result) => ({ ...result, ...(result.errors ? { errors: result.errors.map(formatError) } : {}) }),
    onError: (_ctx, _id, _payload, errors) => errors.map(formatError),
    onComplete(ctx, id) {
      const state = states.get(ctx.extra.socket);
      if (state) endOperation(state, id);
    },
  };
  const server = makeServer(serverOptions);

  function endOperation(state: SocketState, id: string): void {
    const controller = state.operations.get(id);
    if (!controller) return;
    state.operations.delete(id);
    controller.abort();
    idleChanged(state);
    // graphql-ws sends `complete` just after this hook: the socket closes once it is on its way.
    if (closing && state.operations.size === 0) setImmediate(() => goAway(state));
  }

  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    const state: SocketState = {
      caller: null,
      operations: new Map(),
      socket,
      net: request.socket,
      upgradeHeaders: { 'x-auth-token': firstOf(request.headers['x-auth-token']), authorization: request.headers.authorization },
    };
    states.set(socket, state);
    socket.on('error', (error) => options.logger.debug({ err: error }, 'WebSocket error'));
    let answered = true;
    socket.on('pong', () => (answered = true));
    const keepAlive = setInterval(() => {
      if (!answered) return void socket.terminate();
      answered = false;
      socket.ping();
    }, WEBSOCKET_KEEP_ALIVE_MS);
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            // Resolves once written, so a reader that does not read holds its stream back (and
            // its events wait in its bounded queue, not here); a failed write ends the socket.
            socket.send(data, () => resolve());
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', (data: Buffer) => {
            handle(String(data)).catch((error: unknown) => {
              options.logger.error({ err: error }, 'unexpected failure serving a WebSocket message');
              socket.close(CloseCode.InternalServerError, 'Internal server error');
            });
          }),
      },
      { socket },
    );
    socket.once('close', (code, reason) => {
      clearInterval(keepAlive);
      states.delete(socket);
      for (const controller of state.operations.values()) controller.abort();
      state.operations.clear();
      void closed(code, String(reason));
    });
  });

  return {
    get open() {
      return states.size;
    },
    upgrade(req, socket, head) {
      const path = (req.url ?? '/').split('?', 1)[0];
      const refused =
        path !== options.endpoint
          ? '404 Not Found'
          : closing
            ? '503 Service Unavailable'
            : !originAllowed(req, options.corsOrigins)
              ? '403 Forbidden'
              : null;
      if (refused) {
        socket.end(`HTTP/1.1 ${refused}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    async shutdown(graceMs) {
      closing = true;
      const sockets = [...states.values()];
      const gone = sockets.map((state) => new Promise<void>((resolve) => state.socket.once('close', () => resolve())));
      // Idle sockets go now; the others once their last operation ends (endOperation).
      for (const state of sockets) {
        idleChanged(state);
        if (state.operations.size === 0) goAway(state);
      }
      // What is still open at the end of the grace period (operations running, or a client that
      // does not answer the close frame) is cut.
      const cut = setTimeout(() => sockets.forEach((state) => state.socket.terminate()), graceMs);
      await Promise.all(gone);
      clearTimeout(cut);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function firstOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Browsers send their page's Origin with a WebSocket upgrade (and no CORS applies), so the
 * CORS_ORIGINS list is checked here: `*` lets any page connect, a list those origins and the
 * gateway's own (GraphiQL), `none` only the gateway's own. Clients that are not browsers send no
 * Origin and may always connect: the token they hold is what lets them in.
 */
function originAllowed(req: IncomingMessage, corsOrigins: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined || corsOrigins.includes('*')) return true;
  if (corsOrigins.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
