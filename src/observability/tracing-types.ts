import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import type { Env } from '../config-values.js';

/**
 * Where a span is started from: OpenTelemetry's context of the span that is its parent, opaque to
 * the rest of the gateway, which only carries it (in a request's state, on an SWR call).
 */
export type TraceParent = object;

/**
 * OpenTelemetry tracing as the rest of the gateway sees it: an interface only, so that nothing of
 * OpenTelemetry is loaded unless tracing is on (observability/tracing.ts is imported then).
 *
 * Parents are passed explicitly (a request's state holds its operation's span, an SWR call is
 * given it), never looked up in an "active" context: OpenTelemetry's AsyncLocalStorage context
 * would put async hooks on every promise of the process.
 */
export interface Tracing {
  /** Serves one HTTP request in a server span that continues the caller's `traceparent` (the parent of its operation span). */
  serveRequest(req: IncomingMessage, res: ServerResponse, path: string, serve: () => Promise<void>): Promise<void>;
  /**
   * The Yoga plugin: a span per GraphQL operation (name, type, document hash; never variables),
   * child of the request's server span, kept in the request's state as the parent of its SWR calls.
   */
  readonly plugin: Plugin;
  /** Starts the client span of one SWR call (its tries are events of it). */
  startSwrCall(call: SwrCallSpanStart): SwrCallSpan;
  /** Runs one poll of a watch in a span of its own, which `run` gets as the parent of its SWR calls. */
  poll<T>(repository: { namespace: string; name: string }, run: (parent: TraceParent) => Promise<T>): Promise<T>;
  /** Flushes and stops the exporter. */
  shutdown(): Promise<void>;
}

/** What the client knows when a call starts. */
export interface SwrCallSpanStart {
  origin: string;
  /** The path without its query string (`/v2/manage/namespaces/…/sync_job`). */
  path: string;
  namespace: string;
  repository: string;
  /** The filter string (`limit::…|offset::…|order::…`): no secret in it. */
  filter: string;
  /** The span the call is part of (an operation's, a watch poll's). @default none: a trace of its own */
  parent?: TraceParent;
}

/** The span of one SWR call. */
export interface SwrCallSpan {
  /** The `traceparent` (and `tracestate`) headers every try of the call carries. */
  readonly headers: Record<string, string>;
  /** The call's trace id, for its log lines. */
  readonly traceId: string;
  /** One try ended: its attempt number, status (null without an answer) and outcome (`ok` or an error code). */
  tried(attempt: number, status: number | null, outcome: string): void;
  /** The call ended (after its last try). */
  end(error?: { code?: string; message: string }): void;
}

/**
 * Why the OTLP endpoint the exporter would use cannot be used, or null. The exporter takes
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT when it is set (not blank), else OTEL_EXPORTER_OTLP_ENDPOINT
 * with `v1/traces` appended, each as written (spaces around a value end up in the URL), and
 * falls back to localhost on one it cannot read: so that one must be an http:// or https:// URL.
 * The value is not repeated: an endpoint may carry credentials.
 */
export function tracingEndpointProblem(env: Env): string | null {
  const name = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim() ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT';
  const value = env[name];
  if (!value?.trim()) return null;
  const url = name === 'OTEL_EXPORTER_OTLP_ENDPOINT' ? `${value}${value.endsWith('/') ? '' : '/'}v1/traces` : value;
  let protocol: string | null = null;
  try {
    protocol = new URL(url).protocol;
  } catch {
    // not a URL
  }
  if (value === value.trim() && (protocol === 'http:' || protocol === 'https:')) return null;
  return `Invalid ${name}: expected an http:// or https:// URL such as http://localhost:4318 (OTLP over HTTP), with no spaces around it`;
}

/** True when the standard variables ask for traces (an OTLP endpoint, and the SDK not disabled). */
export function tracingRequested(env: Env): boolean {
  if ((env['OTEL_SDK_DISABLED'] ?? '').trim().toLowerCase() === 'true') return false;
  if ((env['OTEL_TRACES_EXPORTER'] ?? '').trim().toLowerCase() === 'none') return false;
  return Boolean(env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim() || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim());
}
