import { createHmac } from 'node:crypto';
import type { ExecutionResult } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { SharedRedis } from '../redis/shared-redis.js';

/** Memory the cached answers of one process may take (their JSON text, counted in UTF-16 units × 2). */
export const RESPONSE_CACHE_MEMORY_BYTES = 64 * 1024 * 1024;
/** An answer whose JSON is longer than this is served but never cached. */
export const MAX_CACHED_ANSWER_CHARS = 1024 * 1024;

/** The extension that carries an answer's HTTP headers (Yoga applies them). */
interface HttpExtensions {
  http?: { headers?: Record<string, string> };
  [key: string]: unknown;
}

/** A cached answer, `extensions.http.headers.ETag` included. */
export type CachedAnswer = ExecutionResult<Record<string, unknown>, HttpExtensions>;

/**
 * Where answers are kept: the cache interface of @envelop/response-cache (set, get, invalidate),
 * with get resolving to a CachedAnswer. Keys are the plugin's operation keys (a SHA-256
 * of the document, operation name, variables and the caller's keyed token hash): never a token.
 */
export interface AnswerStore {
  set(key: string, result: ExecutionResult, entities: unknown, ttlMs: number): void | Promise<void>;
  get(key: string): CachedAnswer | undefined | Promise<CachedAnswer | undefined>;
  invalidate(entities: unknown): void;
}

/** A fresh answer tagged: its ETag, the body a client gets (`{"data":…}`) and the answer as stored (with its headers). */
interface Tagged {
  etag: string;
  body: string;
  stored: string;
}

/**
 * Gives a fresh answer its ETag, before it is stored and sent: a keyed hash of its JSON and its
 * cache key, so that the same answer to the same caller has the same tag on every replica, a
 * changed answer a new one, and another caller's answer (another key) never the same tag.
 * Returns null when the answer is too large to keep.
 */
function tagged(key: string, result: ExecutionResult, secret: string): Tagged | null {
  const { extensions, ...rest } = result as ExecutionResult & { extensions?: HttpExtensions };
  const body = JSON.stringify(rest);
  if (body.length > MAX_CACHED_ANSWER_CHARS) {
    // Not kept, so no tag: the plugin's provisional one names the key, not this answer.
    const { ETag: _etag, 'Last-Modified': _modified, ...others } = extensions?.http?.headers ?? {};
    (result as { extensions?: HttpExtensions }).extensions = { ...extensions, http: { ...extensions?.http, headers: others } };
    return null;
  }
  const etag = `"${createHmac('sha256', secret).update(key).update('\u0000').update(body).digest('base64url')}"`;
  const headers = { ...extensions?.http?.headers, ETag: etag };
  // The answer going out now carries the tag as well as the stored copy.
  (result as { extensions?: HttpExtensions }).extensions = { ...extensions, http: { ...extensions?.http, headers } };
  return { etag, body, stored: JSON.stringify({ ...rest, extensions: { http: { headers } } }) };
}

/**
 * `Cache-Control` of an answer the gateway keeps `remainingMs` longer: whole seconds, rounded
 * down, so no browser keeps it longer than the gateway does (a hit is as fresh as what is left).
 */
export function cacheControlFor(remainingMs: number): string {
  return `private, max-age=${Math.max(0, Math.floor(remainingMs / 1000))}`;
}

/** Stands for the data of an answer served from its JSON text, until something needs the value. */
const FROM_TEXT: Record<string, unknown> = Object.freeze({});

/**
 * A cached answer served from the JSON text its first client got: Yoga writes an answer with its
 * `stringify` when it has one, and this one gives back that text, so a hit is neither parsed nor
 * written again. Only when something added to the answer on the way (the X-Debug-Upstream
 * report) is it written anew, from the text parsed then.
 */
function answerFromText(body: string, etag: string, remainingMs: number): CachedAnswer {
  return {
    data: FROM_TEXT,
    extensions: { http: { headers: { ETag: etag, 'Cache-Control': cacheControlFor(remainingMs) } } },
    stringify(sent: ExecutionResult) {
      const parsed = (): ExecutionResult => JSON.parse(body) as ExecutionResult;
      if (sent.data === FROM_TEXT && sent.errors === undefined && sent.extensions === undefined) return body;
      return JSON.stringify({ ...sent, data: sent.data === FROM_TEXT ? parsed().data : sent.data });
    },
  } as CachedAnswer;
}

/** Answers kept in this process, bounded by the size of their JSON, each until its TTL. */
export function createMemoryAnswerStore(secret: string, maxBytes = RESPONSE_CACHE_MEMORY_BYTES): AnswerStore {
  const entries = new LRUCache<string, { body: string; etag: string }>({
    maxSize: maxBytes,
    sizeCalculation: (entry) => Math.max(1, (entry.body.length + entry.etag.length) * 2),
  });
  return {
    set(key, result, _entities, ttlMs) {
      const answer = tagged(key, result, secret);
      if (answer !== null) entries.set(key, { body: answer.body, etag: answer.etag }, { ttl: ttlMs });
    },
    get(key) {
      const entry = entries.get(key);
      return entry === undefined ? undefined : answerFromText(entry.body, entry.etag, entries.getRemainingTTL(key));
    },
    // Answers are only ever dropped by TTL: the schema has no mutations to invalidate them.
    invalidate() {},
  };
}

/**
 * Answers kept in Redis for every replica (`<prefix>cache:<key>`, expiring with their TTL). While
 * Redis is unreachable, or a command fails, a lookup is a miss and an answer is not stored: the
 * request is served as without a cache, and never waits for Redis longer than its command timeout.
 */
export function createRedisAnswerStore(redis: SharedRedis, secret: string, logger: Logger, cacheTtlMs: number): AnswerStore {
  const keyOf = (key: string) => redis.key('cache', key);
  return {
    set(key, result, _entities, ttlMs) {
      const json = tagged(key, result, secret)?.stored;
      if (json === undefined || !redis.up) return;
      // The expiry travels with the answer: a SET that Redis runs late (it hung) never extends it.
      redis.commands.set(keyOf(key), `${Date.now() + ttlMs}\n${json}`, 'PX', ttlMs).catch((error: Error) => {
        redis.failed(error);
        logger.debug({ err: { message: error.message } }, 'response cache: an answer was not stored in Redis');
      });
    },
    async get(key) {
      if (!redis.up) return undefined;
      try {
        const stored = await redis.commands.get(keyOf(key));
        const newline = stored?.indexOf('\n') ?? -1;
        if (stored === null || stored === undefined || newline < 0) return undefined;
        // The expiry stored with the answer: what is left of it is how fresh the hit is, never
        // more than the TTL (the replica that stored it may have a clock ahead of this one's).
        const remainingMs = Number(stored.slice(0, newline)) - Date.now();
        if (!(remainingMs > 0)) return undefined;
        const answer = JSON.parse(stored.slice(newline + 1)) as CachedAnswer;
        const headers = answer.extensions?.http?.headers;
        if (headers) headers['Cache-Control'] = cacheControlFor(Math.min(remainingMs, cacheTtlMs));
        return answer;
      } catch (error) {
        redis.failed(error);
        logger.debug({ err: { message: (error as Error).message } }, 'response cache: Redis lookup failed, served without the cache');
        return undefined;
      }
    },
    invalidate() {},
  };
}
