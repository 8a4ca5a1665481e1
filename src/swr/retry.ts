import { SwrHttpError, SwrUnavailableError } from './errors.js';

/** How failed upstream calls are retried. */
export interface RetryPolicy {
  /** Retries after the first try (SWR_RETRIES). @default 2 */
  retries: number;
  /** Ceiling of the first backoff, doubled per retry. @default 100 */
  baseDelayMs: number;
  /** Largest backoff, and largest Retry-After honoured. @default 5000 */
  maxDelayMs: number;
  /** Uniform random in [0, 1); injected so tests can pin the jitter. @default Math.random */
  random: () => number;
  /** Waits between tries (rejects when the signal aborts); injected so tests need not wait. @default sleep */
  wait?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * Statuses worth another try: SWR's own internal error (the one 5xx its document lists), or the
 * upstream or something before it overloaded or restarting. The call is an idempotent GET.
 */
const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);

/**
 * Whether a failed try may succeed if repeated: connection refused/reset and 429/500/502/503/504.
 * Never 400/401/403/404 (the answer will not change), nor a missed deadline (no time is left for
 * another try), nor a body that is not the documented JSON.
 */
export function isRetryableFailure(error: unknown): boolean {
  if (error instanceof SwrUnavailableError) return true;
  return error instanceof SwrHttpError && (RETRYABLE_STATUSES.has(error.upstream.status ?? 0) || error.code === 'UPSTREAM_RATE_LIMITED');
}

/**
 * The wait before retry number `retry` (0-based): the upstream's Retry-After when it sent one,
 * else exponential backoff with full jitter (uniform in [0, min(max, base × 2^retry)]), so that
 * many callers failing together do not retry together. Null when the wait does not fit in the
 * time left before the deadline: then the failure is final.
 */
export function retryDelayMs(retry: number, error: unknown, policy: RetryPolicy, remainingMs: number): number | null {
  const retryAfterMs = error instanceof SwrHttpError ? error.retryAfterMs : null;
  const delay =
    retryAfterMs !== null ? retryAfterMs : Math.floor(policy.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry));
  if (delay > policy.maxDelayMs || delay >= remainingMs) return null;
  return delay;
}

/**
 * Reads Retry-After: delay-seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or
 * unreadable. `now` is injected for tests.
 */
export function retryAfterMsFromHeader(value: string | string[] | undefined, now = Date.now()): number | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return null;
  // Seconds; a fraction (not in RFC 9110, but sent) is read as one too, never as a date.
  if (/^\s*\d+(?:\.\d+)?\s*$/.test(text)) return Math.ceil(Number(text.trim()) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** Waits `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(reasonOf(signal));
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(reasonOf(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

// Why a signal aborted, as an Error (an abort without a reason of its own gives an AbortError).
function reasonOf(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError');
}
