import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { estimateUpstreamCalls, type EstimateOptions } from '../economy/estimate-upstream-calls.js';

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
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const estimate = estimateUpstreamCalls(args.document, args.operationName, args.variableValues, options);
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
