import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import type { Env } from '../config-values.js';

/**
 * OpenTelemetry tracing as the rest of the gateway sees it: an interface only, so that nothing of
 * OpenTelemetry is loaded unless tracing is on (observability/tracing.ts is imported then).
 */
export interface Tracing {
  /** Serves one HTTP request in a server span that continues the caller's `traceparent`. */
  serveRequest(req: IncomingMessage, res: ServerResponse, path: string, serve: () => Promise<void>): Promise<void>;
  /** The Yoga plugin: a span per GraphQL operation (name, type, document hash; never variables). */
  readonly plugin: Plugin;
  /** Starts the client span of one SWR call (its tries are events of it). */
  startSwrCall(call: SwrCallSpanStart): SwrCallSpan;
  /** Runs one poll of a watch in a span of its own (its SWR calls are children of it). */
  poll<T>(repository: { namespace: string; name: string }, run: () => Promise<T>): Promise<T>;
  /** The trace id of the active span, for log lines; undefined outside one. */
  traceId(): string | undefined;
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
}

/** The span of one SWR call. */
export interface SwrCallSpan {
  /** The `traceparent` (and `tracestate`) headers every try of the call carries. */
  readonly headers: Record<string, string>;
  /** One try ended: its attempt number, status (null without an answer) and outcome (`ok` or an error code). */
  tried(attempt: number, status: number | null, outcome: string): void;
  /** The call ended (after its last try). */
  end(error?: { code?: string; message: string }): void;
}

/** True when the standard variables ask for traces (an OTLP endpoint, and the SDK not disabled). */
export function tracingRequested(env: Env): boolean {
  if ((env['OTEL_SDK_DISABLED'] ?? '').trim().toLowerCase() === 'true') return false;
  if ((env['OTEL_TRACES_EXPORTER'] ?? '').trim().toLowerCase() === 'none') return false;
  return Boolean(env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim() || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim());
}
