import { createGraphQLError } from 'graphql-yoga';
import type { GraphQLError } from 'graphql';
import { GatewayError, OperationTooExpensiveError } from './errors.js';

/**
 * The resolver boundary: a GatewayError becomes a GraphQL error with `extensions.code` (and
 * `extensions.upstream` where SWR answered, and `extensions.retryable` on upstream failures);
 * anything else is returned as is, for Yoga to mask.
 */
export function graphQLErrorFrom(error: unknown): GraphQLError | unknown {
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
