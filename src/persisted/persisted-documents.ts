import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { SharedRedis } from '../redis/shared-redis.js';
import type { PersistedDocumentMap } from './persisted-file.js';

/** Memory the automatic persisted queries of one process may take (their text, 2 bytes a character). */
export const APQ_MEMORY_BYTES = 16 * 1024 * 1024;
/** A text longer than this is run but never registered. */
export const MAX_APQ_DOCUMENT_CHARS = 64 * 1024;
/** Registered texts one process keeps at most. */
const MAX_APQ_ENTRIES = 20_000;
/** How long Redis keeps a registered text after its last registration. */
const APQ_REDIS_TTL_MS = 24 * 60 * 60 * 1000;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const SHA256_PREFIX = 'sha256:';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The documents a request may name instead of sending its text: the trusted ones of
 * PERSISTED_DOCUMENTS and, unless only those may run, automatic persisted queries (APQ: a text
 * registered under its SHA-256 by a client that sent both). Registered texts are shared by every
 * caller: a text is not a caller's data, and its hash is checked before it is kept.
 */
export interface PersistedDocuments {
  /** PERSISTED_DOCUMENTS_ONLY: nothing but the trusted documents runs. */
  readonly only: boolean;
  /** The text an id names (a trusted document, else a registered one), undefined when none. */
  lookup(id: string): Promise<string | undefined>;
  /** Whether a text is exactly one of the trusted documents (which only-mode runs when sent as text, as graphql-ws clients do). */
  isTrusted(query: string): boolean;
  /** Whether `hash` is the SHA-256 (hex) of `query`, as a registration must be. */
  matches(hash: string, query: string): boolean;
  /** Keeps a text that came with its hash and passed validation (no-op in only-mode). */
  register(hash: string, query: string): void;
}

/** Where registered texts are kept: this process (bounded LRU) or Redis (for every replica). */
interface ApqStore {
  get(hash: string): Promise<string | undefined>;
  set(hash: string, query: string): void;
}

/** Options of createPersistedDocuments. */
export interface PersistedDocumentsOptions {
  /** The trusted documents (PERSISTED_DOCUMENTS); null when none were given. */
  documents: PersistedDocumentMap | null;
  only: boolean;
  /** With REDIS_URL: registered texts live in Redis. */
  redis?: SharedRedis | null;
  logger: Logger;
}

export function createPersistedDocuments(options: PersistedDocumentsOptions): PersistedDocuments {
  const store: ApqStore | null = options.only ? null : options.redis ? redisStore(options.redis, options.logger) : memoryStore();
  // The trusted texts by their SHA-256, whatever ids their file gave them.
  const trustedByHash = new Map([...(options.documents?.values() ?? [])].map((text) => [sha256(text), text]));
  return {
    only: options.only,
    isTrusted: (query) => trustedByHash.size > 0 && trustedByHash.has(sha256(query)),
    async lookup(id) {
      const trusted = options.documents?.get(id);
      if (trusted !== undefined) return trusted;
      // A hash, bare (APQ) or as GraphQL over HTTP prefixes it (`sha256:<hex>`), names the text it is the SHA-256 of.
      const hash = (id.slice(0, SHA256_PREFIX.length).toLowerCase() === SHA256_PREFIX ? id.slice(SHA256_PREFIX.length) : id).toLowerCase();
      if (!SHA256_HEX.test(hash)) return undefined;
      return trustedByHash.get(hash) ?? (store ? store.get(hash) : undefined);
    },
    matches: (hash, query) => sha256(query) === hash.toLowerCase(),
    register(hash, query) {
      if (store && query.length <= MAX_APQ_DOCUMENT_CHARS && !options.documents?.has(hash)) store.set(hash.toLowerCase(), query);
    },
  };
}

function memoryStore(): ApqStore {
  // The text, its 64-character key and what an entry costs besides them.
  const texts = new LRUCache<string, string>({
    max: MAX_APQ_ENTRIES,
    maxSize: APQ_MEMORY_BYTES,
    sizeCalculation: (text) => 2 * (text.length + 64) + 200,
  });
  return {
    get: (hash) => Promise.resolve(texts.get(hash)),
    set: (hash, query) => void texts.set(hash, query),
  };
}

// `<prefix>apq:<sha256>`; while Redis is away a lookup is a miss (the client then sends the text).
function redisStore(redis: SharedRedis, logger: Logger): ApqStore {
  const local = memoryStore();
  return {
    async get(hash) {
      const known = await local.get(hash);
      if (known !== undefined || !redis.up) return known;
      try {
        const text = await redis.commands.get(redis.key('apq', hash));
        // Only a text that still hashes to its key is used (Redis is not trusted to be right).
        if (text === null || sha256(text) !== hash) return undefined;
        local.set(hash, text);
        return text;
      } catch (error) {
        redis.failed(error);
        logger.debug({ err: { message: (error as Error).message } }, 'persisted queries: Redis lookup failed');
        return undefined;
      }
    },
    set(hash, query) {
      local.set(hash, query);
      if (!redis.up) return;
      redis.commands.set(redis.key('apq', hash), query, 'PX', APQ_REDIS_TTL_MS).catch((error: unknown) => redis.failed(error));
    },
  };
}
