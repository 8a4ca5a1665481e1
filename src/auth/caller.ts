import { createHmac, randomBytes } from 'node:crypto';
import { UnauthenticatedError } from '../errors.js';

/** The caller of one request: its token, forwarded unchanged, and a hash for keys and logs. */
export interface Caller {
  token: string;
  /** The keyed hash of the token (see createTokenHasher): what keys and logs may hold instead of it. */
  tokenHash: string;
}

/** Turns a token into what keys may hold instead of it. */
export type TokenHasher = (token: string) => string;

/**
 * The keyed hash of tokens: HMAC-SHA256 with the deployment's secret (TOKEN_HASH_SECRET), base64url.
 * Keyed, not a bare SHA-256: whoever reads the keys (a Redis dump) and holds a token cannot tell
 * whether it was used. Without a secret, one drawn at random for this process (right for a
 * process alone; replicas sharing a Redis must share a secret, which the configuration demands).
 */
export function createTokenHasher(secret: string | null): TokenHasher {
  const key = secret ?? randomBytes(32).toString('base64url');
  return (token) => createHmac('sha256', key).update(token).digest('base64url');
}

const processHasher = createTokenHasher(null);

/** IAM tokens are several KB of base64 text; 32 KiB leaves room and bounds what we forward. */
export const MAX_TOKEN_LENGTH = 32 * 1024;
// Printable ASCII only: no control characters can reach an upstream header.
const TOKEN_PATTERN = /^[\x20-\x7e]+$/;
const BEARER_PATTERN = /^bearer\s+(.+)$/i;

/**
 * The caller from request headers: `X-Auth-Token`, or else `Authorization: Bearer <token>`.
 * Returns null when neither carries a token, and an UnauthenticatedError for a malformed one,
 * so resolvers can refuse with UNAUTHENTICATED without any upstream call.
 */
export function callerFromHeaders(headers: Headers, hashToken: TokenHasher = processHasher): Caller | UnauthenticatedError | null {
  // Asked more than once per request (the response cache, then the context): hashed once.
  const known = callersByHeaders.get(headers);
  if (known?.hashToken === hashToken) return known.caller;
  const caller = callerFrom(headers.get('x-auth-token'), headers.get('authorization'), hashToken);
  callersByHeaders.set(headers, { hashToken, caller });
  return caller;
}

const callersByHeaders = new WeakMap<Headers, { hashToken: TokenHasher; caller: Caller | UnauthenticatedError | null }>();

/**
 * The caller of a WebSocket connection, from its `connection_init` payload: `X-Auth-Token`, or
 * else `Authorization: Bearer <token>`, as keys of the payload (any case), or of a `headers`
 * object in it (where some clients and routers put them). Other values than strings count as none.
 */
export function callerFromPayload(payload: unknown, hashToken: TokenHasher = processHasher): Caller | UnauthenticatedError | null {
  const top = recordOf(payload);
  for (const source of [top, recordOf(top?.headers)]) {
    const caller = source ? callerFrom(valueOf(source, 'x-auth-token'), valueOf(source, 'authorization'), hashToken) : null;
    if (caller) return caller;
  }
  return null;
}

function callerFrom(xAuthToken: string | null, authorization: string | null, hashToken: TokenHasher): Caller | UnauthenticatedError | null {
  const token = xAuthToken?.trim() || bearerTokenFrom(authorization);
  if (!token) return null;
  if (token.length > MAX_TOKEN_LENGTH) {
    return new UnauthenticatedError(`The token is longer than ${MAX_TOKEN_LENGTH} characters`);
  }
  if (!TOKEN_PATTERN.test(token)) {
    return new UnauthenticatedError('The token contains characters other than printable ASCII');
  }
  return { token, tokenHash: hashToken(token) };
}

function recordOf(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

// The string value of a key, matched without regard to case.
function valueOf(record: Record<string, unknown>, lowerCaseKey: string): string | null {
  for (const [key, value] of Object.entries(record)) {
    if (key.toLowerCase() === lowerCaseKey && typeof value === 'string') return value;
  }
  return null;
}

function bearerTokenFrom(authorization: string | null): string | null {
  const match = authorization ? BEARER_PATTERN.exec(authorization.trim()) : null;
  return match?.[1]?.trim() || null;
}

/** The caller, or the UNAUTHENTICATED error to throw when there is none. */
export function requireCaller(caller: Caller | UnauthenticatedError | null): Caller {
  if (caller === null) {
    throw new UnauthenticatedError('No token: send X-Auth-Token (or Authorization: Bearer <token>)');
  }
  if (caller instanceof UnauthenticatedError) throw caller;
  return caller;
}
