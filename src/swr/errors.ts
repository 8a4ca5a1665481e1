import { GatewayError, type ErrorCode, type UpstreamDetails } from '../errors.js';

/**
 * Failures of one upstream call, one class per kind (after undici's errors): each keeps its
 * `cause` and, where SWR answered, `upstream` details. Messages never contain the token or the
 * request URL.
 */

/** Thrown when SWR answers with a non-200 status; the code follows the status (README, "Errors"). */
export class SwrHttpError extends GatewayError {
  override name = 'SwrHttpError';
  readonly code: ErrorCode;
  override readonly upstream: UpstreamDetails;
  override readonly retryable: boolean;
  /** From a Retry-After header (429, 503); null when SWR sent none. */
  readonly retryAfterMs: number | null;
  constructor(upstream: UpstreamDetails & { status: number }, retryAfterMs: number | null = null) {
    super(messageFromUpstream(upstream));
    this.upstream = upstream;
    this.code = upstream.errorCode === THROTTLED_ERROR_CODE ? 'UPSTREAM_RATE_LIMITED' : codeFromStatus(upstream.status);
    this.retryable = this.code === 'UPSTREAM_RATE_LIMITED' || upstream.status >= 500;
    this.retryAfterMs = retryAfterMs;
  }

  /** A rate limit says when to come back: `retryAfter` in seconds, from Retry-After or DEFAULT_RETRY_AFTER_SECONDS. */
  override get extensions(): Record<string, unknown> {
    if (this.code !== 'UPSTREAM_RATE_LIMITED') return super.extensions;
    const seconds = this.retryAfterMs === null ? DEFAULT_RETRY_AFTER_SECONDS : Math.max(1, Math.ceil(this.retryAfterMs / 1000));
    return { ...super.extensions, retryAfter: seconds };
  }
}

/** Huawei API Gateway's code for a spent request quota (sent with 429). */
export const THROTTLED_ERROR_CODE = 'APIG.0308';
/** `retryAfter` of an upstream rate limit that came without Retry-After. */
export const DEFAULT_RETRY_AFTER_SECONDS = 1;

/**
 * Thrown before an upstream call when the caller has spent its SWR_RATE_LIMIT (calls per second,
 * across replicas): nothing was sent to SWR. Other callers' budgets are their own.
 */
export class RateBudgetSpentError extends GatewayError {
  override name = 'RateBudgetSpentError';
  readonly code = 'UPSTREAM_RATE_LIMITED';
  override readonly retryable = true;
  constructor(
    limit: number,
    /** When the next call fits the budget. */
    readonly retryAfterMs: number,
  ) {
    super(`This caller's SWR budget of ${limit} calls per second is spent (SWR_RATE_LIMIT); try again shortly`);
  }

  override get extensions(): Record<string, unknown> {
    return { ...super.extensions, retryAfter: Math.max(1, Math.ceil(this.retryAfterMs / 1000)), limit: 'SWR_RATE_LIMIT' };
  }
}

/** Thrown when no answer arrived within SWR_TIMEOUT_MS. */
export class SwrTimeoutError extends GatewayError {
  override name = 'SwrTimeoutError';
  readonly code = 'UPSTREAM_TIMEOUT';
  override readonly retryable = true;
  constructor(timeoutMs: number, options?: ErrorOptions) {
    super(`SWR did not answer within ${timeoutMs} ms`, options);
  }
}

/** Thrown when SWR could not be reached: connection refused, reset or closed. */
export class SwrUnavailableError extends GatewayError {
  override name = 'SwrUnavailableError';
  readonly code = 'UPSTREAM_UNAVAILABLE';
  override readonly retryable = true;
  constructor(reason: string, options?: ErrorOptions) {
    super(`SWR is unavailable: ${reason}`, options);
  }
}

/** Thrown when a 2xx answer is not the documented JSON (a bare array of well-formed jobs); `upstream.status` is SWR's. */
export class SwrBadResponseError extends GatewayError {
  override name = 'SwrBadResponseError';
  readonly code = 'UPSTREAM_BAD_RESPONSE';
  override readonly upstream: UpstreamDetails;
  override readonly retryable = false;
  constructor(reason: string, requestId: string | null, status = 200, options?: ErrorOptions) {
    super(`SWR sent an unexpected response: ${reason}`, options);
    this.upstream = { status, errorCode: null, errorMessage: null, requestId };
  }
}

/**
 * Thrown when every SWR connection stayed busy for SWR_QUEUE_TIMEOUT_MS, or too many calls were
 * already waiting for one: the gateway, not SWR, is overloaded. Nothing was sent to SWR.
 */
export class SwrOverloadedError extends GatewayError {
  override name = 'SwrOverloadedError';
  readonly code = 'UPSTREAM_OVERLOADED';
  override readonly retryable = true;
}

/**
 * Thrown when the caller disconnected and its upstream call was aborted: not a failure of SWR's,
 * and nobody is left to read it. Reported as `CANCELLED` in logs and metrics.
 */
export class CallerGoneError extends GatewayError {
  override name = 'CallerGoneError';
  readonly code = 'CANCELLED';
}

/** Shortest token looked for in SWR's error texts: a shorter one would blank out ordinary words. */
const MIN_REDACTED_TOKEN_LENGTH = 8;

/**
 * SWR's error code and message with the caller's token, should SWR quote it ("token … is
 * invalid"), replaced by `[token]`: they reach the client and its logs, and a token goes nowhere.
 */
export function withoutToken<T extends Pick<UpstreamDetails, 'errorCode' | 'errorMessage'>>(details: T, token: string): T {
  if (token.length < MIN_REDACTED_TOKEN_LENGTH) return details;
  const redact = (text: string | null) => (text !== null && text.includes(token) ? text.replaceAll(token, '[token]') : text);
  return { ...details, errorCode: redact(details.errorCode), errorMessage: redact(details.errorMessage) };
}

/** The error code clients see for an upstream HTTP status. */
export function codeFromStatus(status: number): ErrorCode {
  if (status === 400) return 'UPSTREAM_BAD_REQUEST';
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'UPSTREAM_RATE_LIMITED';
  return 'UPSTREAM_ERROR';
}

// A short caller-facing sentence; SWR's own message rides along in extensions.upstream.
function messageFromUpstream(upstream: UpstreamDetails & { status: number }): string {
  const what: Partial<Record<number, string>> = {
    400: 'SWR refused the request',
    401: 'SWR did not accept the token',
    403: 'SWR denied access',
    404: 'SWR does not know this organization or repository',
    429: 'SWR rate limit reached',
  };
  const lead = what[upstream.status] ?? 'SWR failed';
  return `${lead} (HTTP ${upstream.status}${upstream.errorMessage ? `: ${upstream.errorMessage}` : ''})`;
}

/**
 * Reads either SWR error body shape: `{error_code, error_msg}` (newer) or
 * `{errorCode, errorMessage, detail}` (older, sometimes inside an array). Unknown bodies give nulls.
 */
export function errorDetailsFromBody(text: string): Pick<UpstreamDetails, 'errorCode' | 'errorMessage' | 'requestId'> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { errorCode: null, errorMessage: null, requestId: null };
  }
  const body: unknown = Array.isArray(parsed) ? parsed[0] : parsed;
  if (typeof body !== 'object' || body === null) return { errorCode: null, errorMessage: null, requestId: null };
  const record = body as Record<string, unknown>;
  const errorCode = stringOrNull(record.error_code) ?? stringOrNull(record.errorCode);
  const errorMessage = stringOrNull(record.error_msg) ?? stringOrNull(record.errorMessage) ?? stringOrNull(record.detail);
  const requestId = stringOrNull(record.request_id)?.slice(0, 200) ?? null;
  return { errorCode, errorMessage, requestId };
}

// Error texts are capped: they are shown to callers and must not carry a whole upstream page.
function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value.slice(0, 500) : null;
}
