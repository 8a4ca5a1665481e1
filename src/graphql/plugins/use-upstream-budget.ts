import { getOperationAST, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { estimateUpstreamCalls, type EstimateOptions } from '../../economy/estimate-upstream-calls.js';

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
  // An operation without variables costs the same every time: its estimate is kept with its
  // document (Yoga's parser cache hands out one document per query text, and its cache is bounded
  // in bytes). With variables the estimate is worked out anew: it is cheap and capped, and a cache
  // keyed by variables would be a cache a client can fill.
  const constant = new WeakMap<DocumentNode, Map<string, number>>();
  const estimateOf = (args: ExecutionArgs): number => {
    const operation = getOperationAST(args.document, args.operationName);
    if (operation?.variableDefinitions?.length) {
      return estimateUpstreamCalls(args.schema, args.document, args.operationName, args.variableValues, options);
    }
    let byOperation = constant.get(args.document);
    if (!byOperation) constant.set(args.document, (byOperation = new Map<string, number>()));
    const name = args.operationName ?? '';
    let estimate = byOperation.get(name);
    if (estimate === undefined) {
      estimate = estimateUpstreamCalls(args.schema, args.document, args.operationName, undefined, options);
      byOperation.set(name, estimate);
    }
    return estimate;
  };
  const refuse = ({
    args,
    setResultAndStopExecution,
  }: {
    args: ExecutionArgs;
    setResultAndStopExecution: (result: ExecutionResult) => void;
  }) => {
    const estimate = estimateOf(args);
    if (estimate <= options.maxUpstreamCalls) return;
    const about = Number.isFinite(estimate) ? `needs about ${estimate} upstream calls` : 'is too complex to estimate';
    setResultAndStopExecution({
      errors: [
        createGraphQLError(
          `This operation ${about}; the limit is ${options.maxUpstreamCalls} (MAX_UPSTREAM_CALLS). Ask for fewer repositories or pages at once.`,
          {
            extensions: {
              code: 'OPERATION_TOO_EXPENSIVE',
              limit: 'MAX_UPSTREAM_CALLS',
              estimatedUpstreamCalls: Number.isFinite(estimate) ? estimate : null,
              maxUpstreamCalls: options.maxUpstreamCalls,
            },
          },
        ),
      ],
    });
  };
  // A subscription is estimated per event: each event is resolved with a budget of its own.
  return { onExecute: refuse, onSubscribe: refuse };
}
