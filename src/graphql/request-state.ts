import { randomUUID } from 'node:crypto';
import type { UpstreamEconomy } from '../economy/upstream-economy.js';
import type { TraceParent } from '../observability/tracing-types.js';

/** What the gateway knows about one HTTP request while serving it. */
export interface RequestState {
  /** The caller's X-Request-Id when it is sane, else a fresh UUID; echoed in the response. */
  requestId: string;
  /** performance.now() when the request was first seen. */
  startedAt: number;
  /** The operation's name, once known. */
  operationName?: string;
  /** The caller's keyed token hash, once the operation passed validation with a well-formed token: its name may be a metric label. */
  callerKey?: string;
  /** The upstream bill, once the context is built. */
  economy?: UpstreamEconomy;
  /** True for an operation that came over a WebSocket (a request standing for it, never sent over HTTP). */
  webSocket?: boolean;
  /** With tracing on, once the operation runs: its span (the parent of its SWR calls) and trace id (for its log lines). */
  trace?: { parent: TraceParent; traceId: string };
}

// Incoming ids are logged and echoed: keep them short and free of anything that could forge a log line.
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
const states = new WeakMap<Request, RequestState>();

/** The state of a request, created on first use; plugins and the context factory share it. */
export function requestStateOf(request: Request): RequestState {
  let state = states.get(request);
  if (!state) {
    const incoming = request.headers.get('x-request-id');
    state = {
      requestId: incoming && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID(),
      startedAt: performance.now(),
    };
    states.set(request, state);
  }
  return state;
}
