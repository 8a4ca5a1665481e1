import { Agent, type Dispatcher } from 'undici';
import { InvalidInputError } from '../errors.js';
import { contentRangeFromHeader } from './content-range.js';
import { createConnectionSlots, type ReleaseSlot } from './connection-slots.js';
import { createCallSignal, type CallCanceller, type CallSignal } from './call-signal.js';
import {
  RateBudgetSpentError,
  SwrBadResponseError,
  SwrHttpError,
  SwrOverloadedError,
  SwrTimeoutError,
  errorDetailsFromBody,
  withoutToken,
} from './errors.js';
import type { RateBudget } from './rate-budget.js';
import type { SwrCallSpan, TraceParent, Tracing } from '../observability/tracing-types.js';
import { upstreamErrorFrom } from './upstream-error.js';
import { filterFromWindow, filterToQueryValue, type SwrWindow } from './filter.js';
import { namespaceProblem, repositoryNameProblem, repositoryToPathSegment } from './names.js';
import { isRetryableFailure, retryAfterMsFromHeader, retryDelayMs, sleep, type RetryPolicy } from './retry.js';
import { ACCEPT_ENCODING, exchangeText, UnreadableBodyError } from './http-exchange.js';
import { syncJobsFromBody } from './sync-job-json.js';
import type { SwrSyncJob } from './types.js';

/** Options of createSwrClient. */
export interface SwrClientOptions {
  /** SWR origin, e.g. `https://swr-api.cn-north-4.myhuaweicloud.com` (any path is ignored). */
  endpoint: string;
  /** Deadline of one call in milliseconds, from the moment it has a connection. @default 10000 */
  timeoutMs?: number;
  /** Calls in flight at once, and the connections of the pool the client owns. @default 128 */
  connections?: number;
  /** Longest wait for a free connection before UPSTREAM_OVERLOADED. @default 30000 */
  queueTimeoutMs?: number;
  /**
   * undici dispatcher (a MockAgent in unit tests). @default a keep-alive Agent, one pool per
   * origin, owned and closed by the client
   */
  dispatcher?: Dispatcher;
  /** Largest body accepted, in bytes. @default 16 MiB */
  maxBodyBytes?: number;
  /** Retries of failed tries, all inside the `timeoutMs` deadline. @default 2 retries, 100 ms base */
  retry?: Partial<RetryPolicy>;
  /** Called after every try with what is safe to log (never the token). */
  onCall?: (call: SwrCallRecord) => void;
  /** SWR_RATE_LIMIT: every try of a request with a `callerKey` spends one call of its caller's budget first. @default none */
  rateBudget?: { limit: number; budget: RateBudget };
  /** OpenTelemetry: a client span per call, its tries as events, `traceparent` on every try. @default none */
  tracing?: Tracing;
}

/** One page request of one caller. */
export interface SyncJobPageRequest extends SwrWindow {
  /** The caller's IAM token, sent unchanged as X-Auth-Token. */
  token: string;
  namespace: string;
  /** Repository name in '/' form. */
  repository: string;
  /**
   * Aborts the call (caller gone); a timeout is added by the client. An AbortSignal gets one
   * listener per call; the calls of one request share a CallGroup, which listens to its signal once.
   */
  signal?: CallCanceller;
  /** The gateway request this call serves, for logs. */
  requestId?: string;
  /** The caller's keyed token hash: whose rate budget the call spends. */
  callerKey?: string;
  /** With tracing on: the span the call is part of (its operation's, its watch poll's). */
  trace?: TraceParent;
}

/** One page as SWR answered it. */
export interface SyncJobPage {
  /** Offset the page starts at. */
  offset: number;
  items: SwrSyncJob[];
  /** From Content-Range; null when the header is missing or unreadable. */
  total: number | null;
  requestId: string | null;
}

/** What the client reports about one try (for logs and metrics). */
export interface SwrCallRecord {
  namespace: string;
  repository: string;
  filter: string;
  /** 1 for the first try, 2 for the first retry, … */
  attempt: number;
  /** HTTP status, or null when no answer came. */
  status: number | null;
  /** `ok`, or the error code when the try failed, e.g. UPSTREAM_TIMEOUT. */
  outcome: string;
  durationMs: number;
  /** SWR's X-Request-Id. */
  upstreamRequestId: string | null;
  /** SWR's error code from the body, e.g. SVCSTG.SWR.4010000. */
  errorCode: string | null;
  /** The gateway request the call served. */
  requestId: string | null;
  /** With tracing on: the call's trace id. */
  trace_id?: string;
}

/** The upstream, seen as the one operation the gateway needs. */
export interface SwrClient {
  /** Fetches one page of a repository's sync jobs; throws a GatewayError subclass on failure. */
  listSyncJobs(request: SyncJobPageRequest): Promise<SyncJobPage>;
  /** Connections in use and calls waiting for one, right now (for metrics). */
  pool(): { inUse: number; waiting: number };
  /** Closes the pools the client owns. */
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_CONNECTIONS = 128;
const DEFAULT_QUEUE_TIMEOUT_MS = 30_000;
const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 2, baseDelayMs: 100, maxDelayMs: 5000, random: Math.random };
const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Creates the SWR client: a keep-alive pool of bounded connections, a deadline per call, typed errors. */
export function createSwrClient(options: SwrClientOptions): SwrClient {
  const origin = new URL(options.endpoint).origin;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const connections = options.connections ?? DEFAULT_CONNECTIONS;
  const slots = createConnectionSlots({ slots: connections, queueTimeoutMs: options.queueTimeoutMs ?? DEFAULT_QUEUE_TIMEOUT_MS });
  const ownsDispatcher = options.dispatcher === undefined;
  const dispatcher = options.dispatcher ?? new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, connections });

  const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };

  /**
   * One page, retried on connection errors, 429 and 502/503/504 with backoff (or the upstream's
   * Retry-After), as long as the wait still fits before the deadline. Each try holds a connection
   * slot; the deadline starts when the first try has one and covers every later try and wait.
   */
  async function listSyncJobs(request: SyncJobPageRequest): Promise<SyncJobPage> {
    assertNames(request);
    if (options.rateBudget && request.callerKey !== undefined) await admit(request);
    const filter = filterFromWindow(request);
    const path =
      `/v2/manage/namespaces/${request.namespace}` +
      `/repos/${repositoryToPathSegment(request.repository)}/sync_job?filter=${filterToQueryValue(filter)}`;
    let release: ReleaseSlot | null = await slots.acquire(request.signal);
    const span = options.tracing?.startSwrCall({
      origin,
      path: path.slice(0, path.indexOf('?')),
      namespace: request.namespace,
      repository: request.repository,
      filter,
      ...(request.trace !== undefined ? { parent: request.trace } : {}),
    });
    let failure: (Error & { code?: string }) | undefined;
    const startedAt = performance.now();
    const call = createCallSignal(timeoutMs, request.signal);
    // The failure being retried: when the deadline cuts a retry short, that failure is what
    // SWR told us (a 503 stays UPSTREAM_ERROR), not a timeout of our own making.
    let retried: Error | null = null;
    try {
      for (let attempt = 1; ; attempt += 1) {
        try {
          const page = await tryOnce(request, path, filter, attempt, call, span);
          failure = undefined;
          return page;
        } catch (error) {
          failure = error as Error;
          if (error instanceof SwrTimeoutError && retried !== null) throw retried;
          const remainingMs = timeoutMs - (performance.now() - startedAt);
          const delay = attempt <= retry.retries && isRetryableFailure(error) ? retryDelayMs(attempt - 1, error, retry, remainingMs) : null;
          if (delay === null) throw error;
          retried = error as Error;
          // The connection is free for others while this call waits to try again.
          release();
          release = null;
          try {
            await (retry.wait ?? sleep)(delay, call.signal);
          } catch (aborted) {
            const reason = upstreamErrorFrom(aborted, call, timeoutMs);
            throw reason instanceof SwrTimeoutError ? retried : reason;
          }
          // A retry is a call like any other: the budget may stop it (then nothing more is sent).
          if (options.rateBudget && request.callerKey !== undefined) await admit(request);
          try {
            release = await slots.acquire(call.signal);
          } catch (aborted) {
            const reason = aborted instanceof SwrOverloadedError ? aborted : upstreamErrorFrom(aborted, call, timeoutMs);
            throw reason instanceof SwrTimeoutError || reason instanceof SwrOverloadedError ? retried : reason;
          }
        }
      }
    } catch (error) {
      failure = error as Error;
      throw error;
    } finally {
      release?.();
      call.dispose();
      span?.end(failure);
    }
  }

  // Spends one call of the caller's rate budget, or throws UPSTREAM_RATE_LIMITED without calling SWR.
  async function admit(request: SyncJobPageRequest): Promise<void> {
    const waitMs = await options.rateBudget!.budget.take(request.callerKey!);
    if (waitMs !== null) throw new RateBudgetSpentError(options.rateBudget!.limit, waitMs);
  }

  // One HTTP exchange; throws a typed upstream error, and reports itself through onCall whatever happens.
  async function tryOnce(
    request: SyncJobPageRequest,
    path: string,
    filter: string,
    attempt: number,
    call: CallSignal,
    span: SwrCallSpan | undefined,
  ): Promise<SyncJobPage> {
    const startedAt = performance.now();
    let status: number | null = null;
    let upstreamRequestId: string | null = null;
    let errorCode: string | null = null;
    let outcome = 'ok';
    try {
      const headers = {
        'x-auth-token': request.token,
        'content-type': 'application/json',
        accept: 'application/json',
        'accept-encoding': ACCEPT_ENCODING,
        ...span?.headers,
      };
      const answer = await exchangeText(dispatcher, { origin, path, headers, maxBodyBytes }, call);
      status = answer.status;
      upstreamRequestId = headerValue(answer.headers['x-request-id']);
      // Any 2xx is an answer (an SWR that sends Content-Range may say 206); the body decides.
      if (status < 200 || status > 299) {
        const { requestId: bodyRequestId, ...details } = withoutToken(errorDetailsFromBody(answer.text), request.token);
        errorCode = details.errorCode;
        // API Gateway's error bodies carry a request_id where the X-Request-Id header may be missing.
        upstreamRequestId ??= bodyRequestId;
        throw new SwrHttpError({ status, requestId: upstreamRequestId, ...details }, retryAfterMsFromHeader(answer.headers['retry-after']));
      }
      const parsed = syncJobsFromBody(answer.text);
      if ('problem' in parsed) throw new SwrBadResponseError(parsed.problem, upstreamRequestId, status);
      const range = contentRangeFromHeader(answer.headers['content-range']);
      // An upstream that sends more than asked is sliced, never passed on.
      const items = parsed.jobs.length > request.limit ? parsed.jobs.slice(0, request.limit) : parsed.jobs;
      return { offset: request.offset, items, total: range?.total ?? null, requestId: upstreamRequestId };
    } catch (thrown) {
      if (thrown instanceof UnreadableBodyError) {
        status = thrown.status;
        upstreamRequestId = headerValue(thrown.headers['x-request-id']);
      }
      const error =
        thrown instanceof UnreadableBodyError
          ? new SwrBadResponseError(thrown.message, upstreamRequestId, thrown.status)
          : upstreamErrorFrom(thrown, call, timeoutMs);
      outcome = error.code;
      throw error;
    } finally {
      span?.tried(attempt, status, outcome);
      options.onCall?.({
        namespace: request.namespace,
        repository: request.repository,
        filter,
        attempt,
        status,
        outcome,
        durationMs: performance.now() - startedAt,
        upstreamRequestId,
        errorCode,
        requestId: request.requestId ?? null,
        ...(span ? { trace_id: span.traceId } : {}),
      });
    }
  }

  return {
    listSyncJobs,
    pool: () => ({ inUse: slots.inUse, waiting: slots.waiting }),
    async close() {
      if (ownsDispatcher) await dispatcher.close();
    },
  };
}

// Last line of defence: nothing but a valid name is ever put into an upstream path.
function assertNames(request: SyncJobPageRequest): void {
  const problem = namespaceProblem(request.namespace) ?? repositoryNameProblem(request.repository);
  if (problem) throw new InvalidInputError(`Invalid SWR name: ${problem}`);
  if (!Number.isSafeInteger(request.offset) || request.offset < 0 || !Number.isSafeInteger(request.limit) || request.limit < 0) {
    throw new InvalidInputError('Invalid page window');
  }
}

function headerValue(value: string | string[] | undefined): string | null {
  const first = Array.isArray(value) ? value[0] : value;
  return first ? first.slice(0, 200) : null;
}
