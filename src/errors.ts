/**
 * Domain errors. Each class has a stable `code` (the `extensions.code` clients see). Resolvers
 * throw them as they are: graphql-js locates a thrown error at its field and copies its
 * `extensions`, and the gateway's maskError lets a GatewayError through while it masks anything
 * else as an unexpected error.
 */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'UPSTREAM_BAD_REQUEST'
  | 'UPSTREAM_RATE_LIMITED'
  | 'UPSTREAM_ERROR'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_BAD_RESPONSE'
  | 'UPSTREAM_OVERLOADED'
  | 'OPERATION_TOO_EXPENSIVE'
  | 'SUBSCRIBER_TOO_SLOW'
  | 'SHUTTING_DOWN'
  | 'CANCELLED';

/** What SWR told us about a failed call; every field is null where SWR did not send it. */
export interface UpstreamDetails {
  status: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  requestId: string | null;
}

/** Base of every error whose message is safe to show to the caller. */
export abstract class GatewayError extends Error {
  abstract readonly code: ErrorCode;
  /** Present on errors that come from an upstream answer. */
  readonly upstream: UpstreamDetails | undefined = undefined;
  /**
   * On upstream failures only: whether the caller may usefully try the operation again later
   * (rate limits, 5xx, timeouts, unreachable); undefined on errors of the caller's own making.
   */
  readonly retryable: boolean | undefined = undefined;

  /** What a client sees in `extensions`: the code, and SWR's details and whether to retry where known. */
  get extensions(): Record<string, unknown> {
    return {
      code: this.code,
      ...(this.upstream ? { upstream: this.upstream } : {}),
      ...(this.retryable === undefined ? {} : { retryable: this.retryable }),
    };
  }
}

/** Thrown for invalid names, paging arguments or cursors, always before any upstream call. */
export class InvalidInputError extends GatewayError {
  override name = 'InvalidInputError';
  readonly code = 'BAD_USER_INPUT';
}

/** Thrown when the request carries no usable token; no upstream call is made. */
export class UnauthenticatedError extends GatewayError {
  override name = 'UnauthenticatedError';
  readonly code = 'UNAUTHENTICATED';
}

/** Thrown when an operation would exceed the upstream-call budget, depth, alias or token limits. */
export class OperationTooExpensiveError extends GatewayError {
  override name = 'OperationTooExpensiveError';
  readonly code = 'OPERATION_TOO_EXPENSIVE';
  constructor(
    message: string,
    /** The setting that refused it, e.g. MAX_UPSTREAM_CALLS (`extensions.limit`). */
    readonly limit: string,
  ) {
    super(message);
  }

  override get extensions(): Record<string, unknown> {
    return { ...super.extensions, limit: this.limit };
  }
}

/** Thrown into a subscription whose client fell too far behind its events; its stream then ends. */
export class SubscriberTooSlowError extends GatewayError {
  override name = 'SubscriberTooSlowError';
  readonly code = 'SUBSCRIBER_TOO_SLOW';
}

/** Thrown for a subscription (or WebSocket operation) that arrives while the process shuts down: run it on another replica. */
export class ShuttingDownError extends GatewayError {
  override name = 'ShuttingDownError';
  readonly code = 'SHUTTING_DOWN';
  override readonly retryable = true;
}
