import { GraphQLError } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';
import { GatewayError } from '../errors.js';

/** The message of every error that is masked: a bug of ours, or a failure nobody foresaw. */
export const UNEXPECTED_ERROR_MESSAGE = 'Unexpected error.';
// `unexpected` is Yoga's mark (never serialized): an answer with no data and such an error is a 500.
const UNEXPECTED = { code: 'INTERNAL_SERVER_ERROR', unexpected: true } as const;

/**
 * Yoga's `maskedErrors.maskError`, the one place every error passes on its way to a client:
 *
 * - a domain error (GatewayError), thrown by a resolver and located at its field by graphql-js
 *   (which copies its `extensions`: code, upstream details, retryable, limit), or thrown outside
 *   any field, goes out with its code and message (and, at a field, status 200: a subscription
 *   refused as it starts has no data, which Yoga would otherwise answer 500);
 * - GraphQL errors of graphql-js and Yoga go out as they are, and any of them without a code gets
 *   one: at a field, INTERNAL_SERVER_ERROR (graphql-js refusing a value of ours); about the request
 *   as a whole, BAD_USER_INPUT (variables that do not coerce: the caller's), with status 400;
 * - anything else is masked as "Unexpected error." (INTERNAL_SERVER_ERROR), and Yoga logs it.
 *
 * An error is returned unchanged wherever possible: Yoga logs every error maskError replaces.
 */
export function maskError(error: unknown, message: string): Error {
  if (error instanceof GraphQLError) {
    const original = error.originalError;
    if (original === undefined || original === null || original instanceof GraphQLError || original instanceof GatewayError) {
      // Yoga describes the JSON.parse failure of a body here, and answers it with 400 because of
      // it: what V8's parser said stays ours, the status stays Yoga's (kept without its
      // `application/json → 200` exception, which the description alone turned off).
      if ('originalError' in error.extensions) {
        const extensions = error.extensions as Record<string, unknown>;
        delete extensions.originalError;
        extensions.http = { status: (extensions.http as { status?: number } | undefined)?.status ?? 400 };
      }
      // A domain error of a field answers 200, as in a query's partial data: Yoga takes an error
      // whose original is not a GraphQLError for an unexpected one, and answers a result without
      // data (a subscription refused when it starts) 500 for it.
      if (original instanceof GatewayError && error.path !== undefined && error.extensions.http === undefined) {
        return withCode(error, { http: { status: 200 } });
      }
      if (typeof error.extensions.code === 'string') return error;
      return withCode(
        error,
        error.path ? { code: 'INTERNAL_SERVER_ERROR' } : { code: 'BAD_USER_INPUT', http: { status: 400, spec: true } },
      );
    }
    return createGraphQLError(message, {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      path: error.path,
      extensions: { ...UNEXPECTED, ...(error.extensions.http ? { http: error.extensions.http } : {}) },
    });
  }
  if (error instanceof GatewayError) return createGraphQLError(error.message, { extensions: error.extensions });
  return createGraphQLError(message, { extensions: UNEXPECTED });
}

// The same error with more extensions; the extensions object of a GraphQLError is its own, so it is added to in place.
function withCode(error: GraphQLError, extensions: Record<string, unknown>): GraphQLError {
  Object.assign(error.extensions as Record<string, unknown>, extensions);
  return error;
}
