import { InvalidInputError, type GatewayError } from '../errors.js';
import type { CallSignal } from './call-signal.js';
import { CallerGoneError, SwrBadResponseError, SwrHttpError, SwrTimeoutError, SwrUnavailableError } from './errors.js';

// Network-level failures: the request never got an HTTP answer.
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Maps whatever a call threw to one of the typed upstream errors; a caller that went away gets
 * a CallerGoneError (nobody is left to read it, and it is no failure of SWR's).
 */
export function upstreamErrorFrom(error: unknown, call: CallSignal, timeoutMs: number): GatewayError {
  if (error instanceof SwrHttpError || error instanceof SwrBadResponseError || error instanceof InvalidInputError) return error;
  if (call.cancelled) return new CallerGoneError('The caller went away; its SWR call was aborted', { cause: error });
  if (call.timedOut) return new SwrTimeoutError(timeoutMs, { cause: error });
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) {
    return new SwrUnavailableError(describeNetworkCode(code), { cause: error });
  }
  return new SwrUnavailableError('the request failed', { cause: error });
}

function describeNetworkCode(code: string): string {
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return 'connection reset';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return 'connect timeout';
  return 'connection closed';
}
