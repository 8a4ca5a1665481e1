import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import type { GraphQLError, ValidationContext } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';

/** Options of useOperationLimits. */
export interface OperationLimitsOptions {
  /** Deepest selection (introspection excepted). @default 12 */
  maxDepth: number;
  /** Most aliases in one operation. @default 100 */
  maxAliases: number;
  /** Most tokens in one document, checked while parsing. @default 5000 */
  maxTokens: number;
}

/**
 * Depth, alias and token limits from graphql-armor, their refusals carrying our
 * OPERATION_TOO_EXPENSIVE code (armor's own errors have none). All run before execution.
 */
export function useOperationLimits(options: OperationLimitsOptions): Plugin[] {
  const tooExpensive = (error: GraphQLError, limit: string) =>
    createGraphQLError(error.message.replace(/^Syntax Error: /, 'Operation refused: '), {
      extensions: { code: 'OPERATION_TOO_EXPENSIVE', limit },
    });
  // Validation rules report and go on; the parser has no context, so its refusal is thrown.
  const report = (limit: string) => (context: ValidationContext | null, error: GraphQLError) =>
    context?.reportError(tooExpensive(error, limit));
  const rethrow = (limit: string) => (_context: ValidationContext | null, error: GraphQLError) => {
    throw tooExpensive(error, limit);
  };
  return [
    maxTokensPlugin({ n: options.maxTokens, propagateOnRejection: false, onReject: [rethrow('MAX_TOKENS')] }),
    maxDepthPlugin({ n: options.maxDepth, propagateOnRejection: false, onReject: [report('MAX_DEPTH')] }),
    maxAliasesPlugin({ n: options.maxAliases, propagateOnRejection: false, onReject: [report('MAX_ALIASES')] }),
  ];
}
