import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { ExecutionResult } from 'graphql';
import { createGraphQLError, type GraphQLParams, type Plugin } from 'graphql-yoga';
import { requestStateOf } from '../graphql/request-state.js';
import type { PersistedDocuments } from './persisted-documents.js';

/** Request parameters, beside GraphQL over HTTP's own, that name a persisted document. */
export const DOCUMENT_ID_PARAMS = ['doc_id', 'documentId'];

/** The refusals clients see (Apollo Client's persisted-queries link keys on this message and code). */
export const persistedQueryNotFound = () =>
  createGraphQLError('PersistedQueryNotFound', { extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: { status: 200 } } });
export const persistedQueryRequired = () =>
  createGraphQLError(
    'Only persisted documents run here (PERSISTED_DOCUMENTS_ONLY): name one by doc_id, documentId or extensions.persistedQuery.sha256Hash',
    { extensions: { code: 'PERSISTED_QUERY_REQUIRED', http: { status: 400 } } },
  );
export const persistedHashMismatch = () =>
  createGraphQLError('provided sha256Hash does not match the query', { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });

/** `extensions.persistedQuery.sha256Hash` (version 1), else null. */
export function apqHashOf(extensions: unknown): string | null {
  const persisted = (extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } } | null | undefined)?.persistedQuery;
  return persisted?.version === 1 && typeof persisted.sha256Hash === 'string' ? persisted.sha256Hash : null;
}

/** The id a request names its document by: `doc_id` (Relay), `documentId` (GraphQL over HTTP), or the APQ hash. */
export function documentIdOf(params: Record<string, unknown>, request?: Request): string | null {
  for (const name of DOCUMENT_ID_PARAMS) {
    if (typeof params[name] === 'string' && params[name] !== '') return params[name];
  }
  // A GET's query string: Yoga's parser keeps only GraphQL over HTTP's own parameters.
  if (request?.method === 'GET' && /[?&](doc_id|documentId)=/.test(request.url)) {
    const search = new URL(request.url).searchParams;
    for (const name of DOCUMENT_ID_PARAMS) {
      const value = search.get(name);
      if (value) return value;
    }
  }
  return apqHashOf(params.extensions);
}

/** Authentication failed (no token, or SWR answered 401) and no call had SWR know the caller (an answer, 403 or 404). */
function refusedCaller(request: Request, answer: ExecutionResult): boolean {
  if (!answer.errors?.some((error) => error.extensions?.code === 'UNAUTHENTICATED')) return false;
  const calls = requestStateOf(request).economy?.calls ?? [];
  return !calls.some(({ status }) => status !== null && ((status >= 200 && status < 300) || status === 403 || status === 404));
}

/**
 * Persisted documents over HTTP: @graphql-yoga/plugin-persisted-operations resolves an id to its
 * text (before parsing: the text then runs like any other, through every limit), and refuses a
 * text in only-mode (PERSISTED_QUERY_REQUIRED) and an unknown id (PERSISTED_QUERY_NOT_FOUND, on
 * which Apollo Client sends the text with its hash). Beside it, automatic persisted queries: a
 * text sent with `extensions.persistedQuery.sha256Hash` must hash to it (else BAD_REQUEST), and
 * is registered once it ran, so that Apollo Client's next request by hash alone finds it; not a
 * text that could not run, nor one whose caller failed authentication while SWR knew the caller
 * on none of its calls.
 */
export function usePersistedDocuments(persisted: PersistedDocuments): Plugin[] {
  const pending = new WeakMap<Request, { hash: string; query: string }>();
  const served = Symbol.for('servedFromResponseCache');
  // Only-mode: requests whose text is a trusted document's, word for word.
  const trusted = new WeakSet<Request>();

  const registration: Plugin = {
    onParams({ params, request }) {
      if (persisted.only && typeof params.query === 'string' && persisted.isTrusted(params.query)) trusted.add(request);
      const hash = apqHashOf(params.extensions);
      if (hash === null || typeof params.query !== 'string' || params.query === '' || persisted.only) return;
      if (!persisted.matches(hash, params.query)) throw persistedHashMismatch();
      pending.set(request, { hash, query: params.query });
    },
    // Kept once it ran (a result with data: not refused by a limit or validation before
    // execution), unless authentication failed (no token, or SWR answered 401) and SWR knew the
    // caller on none of its calls (an answer, 403 or 404); or when the response cache served an
    // answer SWR gave earlier. A dashboard with one repository gone is still kept.
    onResultProcess({ request, result }) {
      const registration = pending.get(request);
      if (!registration || Array.isArray(result) || Symbol.asyncIterator in (result as object)) return;
      const answer = result as ExecutionResult & { [served]?: boolean };
      if (answer[served] === true || (answer.data !== undefined && !refusedCaller(request, answer))) {
        persisted.register(registration.hash, registration.query);
      }
    },
  };
  const library = usePersistedOperations({
    allowArbitraryOperations: persisted.only ? (request) => trusted.has(request) : true,
    extractPersistedOperationId: (params: GraphQLParams, request: Request) => documentIdOf(params as Record<string, unknown>, request),
    getPersistedOperation: async (id) => (await persisted.lookup(id)) ?? null,
    customErrors: {
      notFound: () => persistedQueryNotFound(),
      persistedQueryOnly: () => persistedQueryRequired(),
      // Neither a text nor an id: what GraphQL over HTTP's servers answer to a request without a query.
      keyNotFound: () =>
        persisted.only
          ? persistedQueryRequired()
          : createGraphQLError('Must provide query string.', { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } }),
    },
  });
  return [registration, library as Plugin];
}
