import { getOperationAST, type DocumentNode, type ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Counter, Histogram } from 'prom-client';
import type { GatewayContext } from '../context.js';
import type { UpstreamEconomy } from '../../economy/upstream-economy.js';
import type { GatewayMetrics } from '../../observability/metrics.js';
import { requestStateOf, type RequestState } from '../request-state.js';

/** Options of useOperationReport. */
export interface OperationReportOptions {
  logger: Logger;
  metrics: GatewayMetrics;
  /** Distinct operation names kept as metric labels; later ones count as "other". @default 200 */
  maxOperationNames?: number;
}

/** The metric label of an operation that did not pass validation or came without a usable token. */
export const UNIDENTIFIED_OPERATION = 'unidentified';
/** Operation names are cut to this length in log lines. */
const MAX_LOGGED_NAME = 128;

// Operation names become metric labels: only GraphQL names, and not too many of them.
const NAME_PATTERN = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

/** The operation report: the plugin, and what transports outside Yoga's HTTP handling report through. */
export interface OperationReport {
  plugin: Plugin<GatewayContext>;
  /**
   * Reports the result(s) of one operation of `request`. The plugin calls it for HTTP answers;
   * the WebSocket server calls it for operations refused before execution (parse, validation).
   */
  report(request: Request, result: ExecutionResult | readonly ExecutionResult[]): void;
}

/** How many callers whose tokens SWR accepted are remembered for the label rule (keyed hashes, about 1 MB). */
export const ACCEPTED_CALLERS = 10_000;

// True when SWR answered one of the operation's calls with success or 404 (the token was good, the
// repository missing): its caller's token is real.
function swrAccepted(economy: UpstreamEconomy | undefined): boolean {
  return economy?.calls.some(({ status }) => status !== null && ((status >= 200 && status < 300) || status === 404)) ?? false;
}

/**
 * One report per GraphQL operation: a JSON log line (request id, operation, outcome, duration,
 * error codes, upstream calls) and the operation metrics. Also echoes the request id in the
 * `X-Request-Id` response header. Tokens never reach it: it reads results, never headers.
 *
 * An operation name is reported as its metric label only once the operation passed validation
 * and came with a well-formed token (it reached execution with a caller); a name not yet among the
 * labels takes a new slot only from a caller whose token SWR accepted (one of its calls, in this
 * operation or an earlier one, answered 2xx or 404; the last ACCEPTED_CALLERS keyed hashes are
 * remembered): the slots are few, and a refused, anonymous or invented-token caller must not be
 * able to take them. Others count as `unidentified`.
 *
 * A subscription is reported when its stream starts (outcome `ok`, `subscribed` in the log line)
 * and logged again when it ends, with the events it carried; one refused before its stream
 * starts is reported like any failed operation. Over HTTP, Yoga's result processing reports;
 * over WebSocket (requests marked by markWebSocketRequest) the execution hooks do.
 */
export function createOperationReport(options: OperationReportOptions): OperationReport {
  const { logger, metrics } = options;
  const maxNames = options.maxOperationNames ?? 200;
  const knownNames = new Set<string>();
  // Keyed token hashes SWR accepted, the least recently seen first: a bounded set. Every
  // identified operation whose calls SWR accepted refreshes its caller, whatever its name.
  const acceptedCallers = new Set<string>();
  const rememberAccepted = (state: RequestState) => {
    if (state.callerKey === undefined || !swrAccepted(state.economy)) return;
    acceptedCallers.delete(state.callerKey);
    acceptedCallers.add(state.callerKey);
    if (acceptedCallers.size > ACCEPTED_CALLERS) acceptedCallers.delete(acceptedCallers.values().next().value!);
  };
  const labelOf = (name: string | undefined, callerKey: string) => {
    if (!name) return 'anonymous';
    if (!NAME_PATTERN.test(name)) return 'invalid';
    if (knownNames.has(name)) return name;
    if (!acceptedCallers.has(callerKey)) return UNIDENTIFIED_OPERATION;
    if (knownNames.size >= maxNames) return 'other';
    knownNames.add(name);
    return name;
  };

  // The metric children of each (operation, outcome), bound once: prom-client hashes a label
  // object on every call otherwise. Bounded like the operation labels themselves.
  const series = new Map<string, { operations: Counter.Internal; seconds: Histogram.Internal<'operation' | 'outcome'> }>();
  const seriesOf = (operation: string, outcome: string) => {
    const key = `${operation}\u0000${outcome}`;
    let found = series.get(key);
    if (!found) {
      found = { operations: metrics.operations.labels(operation, outcome), seconds: metrics.operationSeconds.labels(operation, outcome) };
      series.set(key, found);
    }
    return found;
  };

  const identify = (args: { document: unknown; operationName?: unknown; contextValue: GatewayContext }) => {
    const state = requestStateOf(args.contextValue.request);
    const name = getOperationAST(args.document as DocumentNode, args.operationName as string | null | undefined)?.name?.value;
    if (name) state.operationName = name;
    const caller = args.contextValue.caller;
    if (caller !== null && !(caller instanceof Error)) state.callerKey = caller.tokenHash;
  };

  const report = (request: Request, result: ExecutionResult | readonly ExecutionResult[], subscribed = false) => {
    const state = requestStateOf(request);
    const durationMs = performance.now() - state.startedAt;
    const results = (Array.isArray(result) ? result : [result]) as ExecutionResult[];
    for (const single of results) {
      const errors = single.errors ?? [];
      // A caller that went away cancelled its own operation: no failure to count.
      const cancelled = request.signal.aborted;
      const outcome = cancelled ? 'cancelled' : errors.length === 0 ? 'ok' : single.data ? 'partial' : 'error';
      rememberAccepted(state);
      const operation = state.callerKey !== undefined ? labelOf(state.operationName, state.callerKey) : UNIDENTIFIED_OPERATION;
      const codes = cancelled ? [] : errors.map((error) => textOf(error.extensions?.code, 'INTERNAL'));
      const series = seriesOf(operation, outcome);
      series.operations.inc();
      series.seconds.observe(durationMs / 1000);
      for (const code of codes) metrics.errors.inc({ code });
      for (const error of cancelled ? [] : errors) {
        if (error.extensions?.code === 'OPERATION_TOO_EXPENSIVE')
          metrics.refusals.inc({ limit: textOf(error.extensions.limit, 'unknown') });
      }
      const economy = state.economy;
      if (economy) {
        metrics.lookupsDeduplicated.inc(economy.lookups - economy.windows);
        metrics.lookupsCoalesced.inc(economy.coalesced);
      }
      // The line is built only when it will be written: at LOG_LEVEL=warn the hot path skips it.
      if (!logger.isLevelEnabled('info')) continue;
      logger.info(
        {
          requestId: state.requestId,
          operation: state.operationName ?? null,
          outcome: subscribed ? 'subscribed' : outcome,
          durationMs: Math.round(durationMs * 10) / 10,
          errorCodes: codes.length ? codes : undefined,
          upstreamCalls: economy?.calls.length ?? 0,
          ...(state.trace ? { trace_id: state.trace.traceId } : {}),
        },
        subscribed ? 'graphql subscription' : 'graphql operation',
      );
    }
  };

  // A stream that started: reported now, logged again when it ends.
  const streamStarted = (request: Request) => {
    report(request, { data: {} }, true);
    const state = requestStateOf(request);
    let events = 0;
    return {
      onNext() {
        events += 1;
      },
      onEnd() {
        if (!logger.isLevelEnabled('info')) return;
        const durationMs = performance.now() - state.startedAt;
        logger.info(
          {
            requestId: state.requestId,
            operation: state.operationName ?? null,
            events,
            durationMs: Math.round(durationMs),
            ...(state.trace ? { trace_id: state.trace.traceId } : {}),
          },
          'graphql subscription ended',
        );
      },
    };
  };

  const plugin: Plugin<GatewayContext> = {
    onRequest({ request }) {
      requestStateOf(request);
    },
    onParams({ params, request }) {
      // Not yet checked here (Yoga refuses a name that is not a string after this hook).
      const name: unknown = params.operationName;
      if (typeof name === 'string') requestStateOf(request).operationName ??= name.slice(0, MAX_LOGGED_NAME);
    },
    onExecute({ args }) {
      identify(args);
      const request = args.contextValue.request;
      if (!requestStateOf(request).webSocket) return;
      return {
        onExecuteDone({ result }) {
          if (!isAsyncIterable(result)) report(request, result);
        },
      };
    },
    onSubscribe({ args }) {
      identify(args);
      const request = args.contextValue.request;
      return {
        onSubscribeResult({ result }) {
          if (isAsyncIterable(result)) return streamStarted(request);
          if (requestStateOf(request).webSocket) report(request, result);
          return undefined;
        },
      };
    },
    onResultProcess({ request, result }) {
      if (isAsyncIterable(result)) return;
      report(request, result as ExecutionResult | ExecutionResult[]);
    },
    onResponse({ request, response }) {
      response.headers.set('x-request-id', requestStateOf(request).requestId);
    },
  };
  return { plugin, report };
}

// An extension that should be a string (a code, a limit), or `fallback` when it is not one.
function textOf(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}
