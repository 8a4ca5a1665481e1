import type { DocumentNode } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { estimateUpstreamCalls, type EstimateOptions } from '../../economy/estimate-upstream-calls.js';

const MAX_ESTIMATES_PER_DOCUMENT = 64;

/** Options of useUpstreamBudget. */
export interface UpstreamBudgetOptions extends EstimateOptions {
  /** Most upstream calls one operation may need (MAX_UPSTREAM_CALLS). @default 50 */
  maxUpstreamCalls: number;
}

/**
 * Refuses, before execution and so with zero upstream calls, an operation whose estimated upstream
 * calls exceed the budget (OPERATION_TOO_EXPENSIVE). The loader enforces the same budget as a hard
 * cap while the operation runs, for what no estimate can see.
 */
export function useUpstreamBudget(options: UpstreamBudgetOptions): Plugin {
  // Yoga's parser cache hands out one document per query text, so the estimate of a document and
  // its variables is worked out once (a few variable sets per document are kept).
  const estimates = new WeakMap<DocumentNode, Map<string, number>>();
  const estimateOf = (document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown> | null | undefined) => {
    const key = `${operationName ?? ''}|${variables ? JSON.stringify(variables) : ''}`;
    let byVariables = estimates.get(document);
    const known = byVariables?.get(key);
    if (known !== undefined) return known;
    const estimate = estimateUpstreamCalls(document, operationName, variables, options);
    if (!byVariables) estimates.set(document, (byVariables = new Map()));
    if (byVariables.size < MAX_ESTIMATES_PER_DOCUMENT) byVariables.set(key, estimate);
    return estimate;
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const estimate = estimateOf(args.document, args.operationName, args.variableValues);
      if (estimate <= options.maxUpstreamCalls) return;
      setResultAndStopExecution({
        errors: [
          createGraphQLError(
            `This operation needs about ${estimate} upstream calls; the limit is ${options.maxUpstreamCalls} (MAX_UPSTREAM_CALLS). Ask for fewer repositories or pages at once.`,
            {
              extensions: {
                code: 'OPERATION_TOO_EXPENSIVE',
                limit: 'MAX_UPSTREAM_CALLS',
                estimatedUpstreamCalls: estimate,
                maxUpstreamCalls: options.maxUpstreamCalls,
              },
            },
          ),
        ],
      });
    },
  };
}
