import { createGraphQLError } from 'graphql-yoga';
import type { GraphQLError } from 'graphql';
import { GatewayError, OperationTooExpensiveError } from '../errors.js';
import { CallerGoneError } from '../swr/errors.js';

/**
 * The resolver boundary: a GatewayError becomes a GraphQL error with `extensions.code` (and
 * `extensions.upstream` where SWR answered, and `extensions.retryable` on upstream failures);
 * a call aborted because its caller left becomes a CANCELLED error no one receives; anything else
 * is returned as is, for Yoga to mask (and log).
 */
export function graphQLErrorFrom(error: unknown): GraphQLError | unknown {
  // Nobody reads the answer of a caller that went away; unmasked, it is not logged as a failure.
  if (error instanceof CallerGoneError) return createGraphQLError(error.message, { extensions: { code: error.code } });
  if (!(error instanceof GatewayError)) return error;
  return createGraphQLError(error.message, {
    extensions: {
      code: error.code,
      ...(error.upstream ? { upstream: error.upstream } : {}),
      ...(error.retryable === undefined ? {} : { retryable: error.retryable }),
      ...(error instanceof OperationTooExpensiveError ? { limit: error.limit } : {}),
    },
  });
}
