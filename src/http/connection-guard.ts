import type { IncomingMessage, ServerResponse, Server } from 'node:http';
import type { Socket } from 'node:net';

/** Options of createConnectionGuard. */
export interface ConnectionGuardOptions {
  /** Most client sockets open at once. */
  maxConnections: number;
  /** Clock in milliseconds (injected in tests). @default performance.now */
  now?: () => number;
}

/** The client sockets of a server: bounded, and known well enough to shut down without resets. */
export interface ConnectionGuard {
  /** Sockets open now. */
  readonly open: number;
  /** Sockets closed to make room for newer ones, or refused, since the start. */
  readonly evicted: number;
  /** Marks the socket of `req` as serving it until `res` is done; call it first thing for every request. */
  serving(req: IncomingMessage, res: ServerResponse): void;
  /**
   * Marks an upgraded socket (a WebSocket, which serves no more HTTP requests) as serving while
   * `busy` (operations running on it); idle, it may be closed to make room like an idle keep-alive one.
   */
  setBusy(socket: Socket, busy: boolean): void;
  /**
   * Closes sockets that serve nothing, have received nothing since (a request whose headers are
   * still arriving is not idle) and have been idle for at least `minIdleMs`; returns the sockets left open.
   */
  endIdle(minIdleMs: number): number;
  /** Destroys every socket (end of the grace period). */
  destroyAll(): void;
}

interface SocketState {
  /** Requests being served on it right now (their body may still be arriving). */
  serving: number;
  /**
   * The socket's bytesRead when it last served nothing: more since then, and a request's headers
   * may be on their way. (A count, not a 'data' listener: one would take the socket from Node's
   * native parser, which then reads every chunk through JavaScript streams.)
   */
  bytesAtIdle: number;
  /** The latest of them, to tell whether its body is all in. */
  request: IncomingMessage | null;
  /** When it last had nothing to answer (connected, or its last answer done). */
  idleSince: number;
}

/**
 * Keeps the server's client sockets under `maxConnections` without locking out newcomers: when a
 * new socket arrives at the limit, the oldest socket that answers nothing right now (an idle
 * keep-alive one, or one still trickling in its headers or body) is closed to make room, and only
 * when every socket is busy answering is the newcomer refused. A flood of slow or idle sockets
 * therefore cannot keep /healthz or /metrics out, and the process keeps file descriptors for its
 * SWR connections. (Node's own `maxConnections` refuses the newcomer instead.)
 */
export function createConnectionGuard(server: Server, options: ConnectionGuardOptions): ConnectionGuard {
  const now = options.now ?? (() => performance.now());
  // Insertion order is age order: the first idle entry is the oldest idle socket.
  const sockets = new Map<Socket, SocketState>();
  let evicted = 0;

  server.on('connection', (socket: Socket) => {
    if (sockets.size >= options.maxConnections) {
      const victim = oldestIdle();
      evicted += 1;
      if (!victim) {
        socket.destroy();
        return;
      }
      sockets.delete(victim);
      victim.destroy();
    }
    // Node's parser says 'request' only once the headers are all in; until then only bytes tell.
    const state: SocketState = { serving: 0, bytesAtIdle: socket.bytesRead, request: null, idleSince: now() };
    sockets.set(socket, state);
    socket.once('close', () => sockets.delete(socket));
  });

  // A socket that answers nothing, or whose request is still arriving (a trickling body is no work yet).
  function oldestIdle(): Socket | undefined {
    for (const [socket, state] of sockets) {
      if (state.serving === 0 || state.request?.complete === false) return socket;
    }
    return undefined;
  }

  return {
    get open() {
      return sockets.size;
    },
    get evicted() {
      return evicted;
    },
    serving(req, res) {
      const state = sockets.get(req.socket);
      if (!state) return;
      state.serving += 1;
      state.request = req;
      res.once('close', () => {
        state.serving -= 1;
        if (state.request === req) state.request = null;
        if (state.serving === 0 && !req.socket.destroyed) {
          state.idleSince = now();
          state.bytesAtIdle = req.socket.bytesRead;
        }
      });
    },
    setBusy(socket, busy) {
      const state = sockets.get(socket);
      if (!state || busy === state.serving > 0) return;
      state.serving = busy ? 1 : 0;
      if (!busy) {
        state.idleSince = now();
        state.bytesAtIdle = socket.bytesRead;
      }
    },
    endIdle(minIdleMs) {
      const at = now();
      for (const [socket, state] of sockets) {
        if (state.serving === 0 && socket.bytesRead === state.bytesAtIdle && at - state.idleSince >= minIdleMs) {
          sockets.delete(socket);
          socket.destroy();
        }
      }
      return sockets.size;
    },
    destroyAll() {
      for (const socket of sockets.keys()) socket.destroy();
      sockets.clear();
    },
  };
}
