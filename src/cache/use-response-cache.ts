import { useResponseCache as useYogaResponseCache } from '@graphql-yoga/plugin-response-cache';
import { createHash } from 'node:crypto';
import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { callerFromHeaders, type TokenHasher } from '../auth/caller.js';
import { requestStateOf } from '../graphql/request-state.js';
import { DEBUG_UPSTREAM_HEADER } from '../graphql/plugins/use-upstream-debug.js';
import { cacheControlFor, type AnswerStore } from './answer-stores.js';

/** Options of useResponseCache. */
export interface ResponseCacheOptions {
  /** RESPONSE_CACHE_TTL_MS (> 0). */
  ttlMs: number;
  /** Where answers are kept (this process, or Redis for every replica). */
  store: AnswerStore;
  /** The keyed hash of tokens: the cache's session. */
  hashToken: TokenHasher;
  /** Each answer of a request the cache could serve: whether it came from the cache (for metrics). */
  onAnswer?: (hit: boolean) => void;
}

// Introspection is never cached (nor served from the cache): it is not the caller's data.
const INTROSPECTION = /\b__(schema|type)\b/;
const SERVED_FROM_CACHE = Symbol.for('servedFromResponseCache');
// The answer depends on the token, and its bytes on the media type Accept picks.
const VARY = 'Accept, Authorization, X-Auth-Token';

type HttpResult = ExecutionResult<unknown, { http?: { headers?: Record<string, string> }; upstream?: Record<string, unknown> }>;

/**
 * The per-caller response cache: @graphql-yoga/plugin-response-cache (the envelop response cache)
 * keyed by the document, operation name, variables and the caller's keyed token hash (its
 * session), so no caller is ever served another's answer; an answer with errors is never stored.
 * Requests without a token, introspection, subscriptions and WebSocket operations bypass it.
 *
 * ETags: every stored answer carries one (a keyed hash of its key and JSON, see answer-stores),
 * and `If-None-Match` is compared with the tag of the answer this request gets: 304 only when the
 * same caller asks for what it already has. The library's own shortcut, which answers 304 from
 * `If-None-Match` alone before the caller is known, is removed. Answers the cache could hold are
 * `Cache-Control: private, max-age=<seconds>` (no shared proxy keeps them): the whole TTL for a
 * new answer, what is left of it for a hit.
 */
export function useResponseCache(options: ResponseCacheOptions): Plugin[] {
  // Per request: the caller's keyed token hash when the cache may serve it, else null.
  const sessions = new WeakMap<Request, string | null>();
  const isEligible = (request: Request) => typeof sessions.get(request) === 'string';
  // A new answer is fresh for the whole TTL.
  const fresh = cacheControlFor(options.ttlMs);

  const library = useYogaResponseCache({
    ttl: options.ttlMs,
    cache: options.store,
    session: (request) => sessions.get(request) ?? null,
    enabled: (request) => isEligible(request),
    // Each part in its own JSON slot: no text can pass for another split of the same characters.
    buildResponseCacheKey: ({ documentString, operationName, variableValues, sessionId }) =>
      createHash('sha256')
        .update(JSON.stringify([documentString, operationName ?? null, variableValues ?? null, sessionId ?? null]))
        .digest('hex'),
    // The default says so in development only; the gateway reports hits through X-Debug-Upstream.
    includeExtensionMetadata: false,
  });
  // The session-blind 304 (see above): only ours answers If-None-Match.
  delete library.onRequest;

  const gate: Plugin = {
    onParams({ request, params }) {
      const query = params.query;
      const caller = callerFromHeaders(request.headers, options.hashToken);
      const cacheable =
        typeof query === 'string' &&
        query !== '' &&
        !INTROSPECTION.test(query) &&
        caller !== null &&
        !(caller instanceof Error) &&
        requestStateOf(request).webSocket !== true;
      sessions.set(request, cacheable ? caller.tokenHash : null);
    },
    onResultProcess(payload) {
      const { request, result } = payload;
      if (!isEligible(request) || Array.isArray(result) || Symbol.asyncIterator in (result as object)) return;
      const answer = result as HttpResult & { [SERVED_FROM_CACHE]?: boolean };
      const hit = answer[SERVED_FROM_CACHE] === true;
      options.onAnswer?.(hit);
      const stored = answer.extensions?.http?.headers?.ETag;
      const etag = stored === undefined ? undefined : representationTag(stored, request);
      let extensions = answer.extensions;
      if (request.headers.get(DEBUG_UPSTREAM_HEADER) === '1') {
        const upstream = extensions?.upstream ?? { calls: 0, lookups: 0, deduplicated: 0, windows: 0, coalesced: 0, requests: [] };
        extensions = { ...extensions, upstream: { ...upstream, cache: hit ? 'hit' : 'miss' } };
      }
      if (etag !== undefined) {
        // Vary: a browser's own cache keys a GET by its URL; the answer depends on the token and
        // Accept too. A hit is fresh for what is left of its TTL (the store says how long), a new
        // answer for all of it.
        const cacheControl = (hit && extensions?.http?.headers?.['Cache-Control']) || fresh;
        const caching = { 'Cache-Control': cacheControl, Vary: VARY };
        const headers = { ...extensions?.http?.headers, ETag: etag, ...caching };
        extensions = { ...extensions, http: { ...extensions?.http, headers } };
        if (matches(request.headers.get('if-none-match'), etag)) {
          payload.setResultProcessor(
            (_result, fetchAPI) => new fetchAPI.Response(null, { status: 304, headers: { ETag: etag, ...caching } }),
            'application/json',
          );
        }
      }
      if (extensions !== answer.extensions) payload.setResult({ ...answer, extensions } as typeof result);
    },
  };
  return [gate, library];
}

// The media types Yoga's result processors answer a single result in, in the order Yoga tries
// them (the last one to match the Accept header wins).
const SINGLE_RESULT_PROCESSORS = [['text/event-stream'], ['multipart/mixed'], ['application/graphql-response+json', 'application/json']];
const MEDIA_TYPE_TAGS: Record<string, string> = { 'text/event-stream': 'sse', 'multipart/mixed': 'multipart', 'application/json': 'json' };

/**
 * The tag of the representation this request gets: the stored tag for
 * application/graphql-response+json, the stored tag with a suffix for any other media type (an
 * event stream, multipart, application/json), so that If-None-Match with one representation's
 * tag never gets 304 for another's bytes. The media type is chosen as Yoga's result processors do.
 */
export function representationTag(stored: string, request: Request): string {
  const asked = (request.headers.get('accept') || '*/*')
    .replace(/\s/g, '')
    .toLowerCase()
    .split(',')
    .filter((part) => (part.split(';').find((param) => param.includes('charset=')) ?? 'charset=utf-8') === 'charset=utf-8')
    .map((part) => part.split(';')[0] ?? '')
    .reverse();
  let chosen: string | undefined;
  for (const processor of SINGLE_RESULT_PROCESSORS) {
    for (const wanted of asked) {
      const [wantedType, wantedSubtype] = wanted.split('/');
      for (const offered of processor) {
        const [type, subtype] = offered.split('/');
        if ((wantedType === '*' || wantedType === type) && (wantedSubtype === '*' || wantedSubtype === subtype)) chosen = offered;
      }
    }
  }
  const suffix = chosen === undefined ? undefined : MEDIA_TYPE_TAGS[chosen];
  return suffix === undefined ? stored : `${stored.slice(0, -1)}.${suffix}"`;
}

// If-None-Match: a list of (possibly weak) tags, compared weakly (RFC 9110 §13.1.2). `*` is not
// honoured: a caller gets 304 only for a tag it was given.
function matches(header: string | null, etag: string): boolean {
  if (header === null) return false;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
