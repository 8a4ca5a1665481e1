import { hash } from 'node:crypto';
import { getOperationAST, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import { estimateUpstreamCalls, ListTooLongError, type EstimateOptions } from '../../economy/estimate-upstream-calls.js';

/** Estimates of operations with variables kept (the same document with the same variables): about 100 KB. */
const MAX_VARIABLE_ESTIMATES = 1024;
/** Variables longer than this as JSON are estimated every time rather than hashed for the cache. */
const MAX_VARIABLES_KEY_LENGTH = 2048;

/** Options of useUpstreamBudget. */
export interface UpstreamBudgetOptions extends EstimateOptions {
  /** Most upstream calls one operation may need (MAX_UPSTREAM_CALLS). @default 50 */
  maxUpstreamCalls: number;
}

/**
 * Refuses, before execution and so with zero upstream calls, an operation whose estimated upstream
 * calls exceed the budget (OPERATION_TOO_EXPENSIVE), or with an argument list longer than its
 * field resolves (BAD_USER_INPUT). The loader enforces the same budget as a hard
 * cap while the operation runs, for what no estimate can see.
 */
export function useUpstreamBudget(options: UpstreamBudgetOptions): Plugin {
  // An operation without variables costs the same every time: its estimate is kept with its
  // document (Yoga's parser cache hands out one document per query text, and its cache is bounded
  // in bytes). With variables, the estimate of the same variables is kept too, in a cache of
  // 1,024 entries keyed by a SHA-256 (43 characters each, whatever the variables): a client
  // sending ever new variables only misses it, and holds no more of it than that.
  const constant = new WeakMap<DocumentNode, Map<string, number>>();
  const documentIds = new WeakMap<DocumentNode, number>();
  let nextDocumentId = 0;
  const withVariables = new LRUCache<string, number>({ max: MAX_VARIABLE_ESTIMATES });
  const estimateOf = (args: ExecutionArgs): number => {
    const operation = getOperationAST(args.document, args.operationName);
    if (operation?.variableDefinitions?.length) {
      const variables = JSON.stringify(args.variableValues ?? null);
      if (variables.length > MAX_VARIABLES_KEY_LENGTH) {
        return estimateUpstreamCalls(args.schema, args.document, args.operationName, args.variableValues, options);
      }
      let documentId = documentIds.get(args.document);
      if (documentId === undefined) documentIds.set(args.document, (documentId = nextDocumentId += 1));
      const key = hash('sha256', `${documentId}\u0000${args.operationName ?? ''}\u0000${variables}`, 'base64url');
      let estimate = withVariables.get(key);
      if (estimate === undefined) {
        estimate = estimateUpstreamCalls(args.schema, args.document, args.operationName, args.variableValues, options);
        withVariables.set(key, estimate);
      }
      return estimate;
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
    let estimate: number;
    try {
      estimate = estimateOf(args);
    } catch (error) {
      if (!(error instanceof ListTooLongError)) throw error;
      // Nothing ran: GraphQL over HTTP's 400 for application/graphql-response+json, 200 for application/json.
      const extensions = { code: error.code, http: { status: 400, spec: true } };
      const at = error.field ? { path: error.field.path, nodes: [error.field.node] } : {};
      setResultAndStopExecution({ errors: [createGraphQLError(error.message, { extensions, ...at })] });
      return;
    }
    if (estimate <= options.maxUpstreamCalls) return;
    const about = Number.isFinite(estimate) ? `needs about ${estimate} upstream calls` : 'is too complex to estimate';
    setResultAndStopExecution({
      errors: [
        createGraphQLError(
          `This operation ${about}; the limit is ${options.maxUpstreamCalls} (MAX_UPSTREAM_CALLS). ` +
            'Ask for fewer repositories or pages at once.',
          {
            extensions: {
              code: 'OPERATION_TOO_EXPENSIVE',
              limit: 'MAX_UPSTREAM_CALLS',
              estimatedUpstreamCalls: Number.isFinite(estimate) ? estimate : null,
              maxUpstreamCalls: options.maxUpstreamCalls,
              // Nothing ran: GraphQL over HTTP's 400 for application/graphql-response+json, 200 for application/json.
              http: { status: 400, spec: true },
            },
          },
        ),
      ],
    });
  };
  // A subscription is estimated per event: each event is resolved with a budget of its own.
  return { onExecute: refuse, onSubscribe: refuse };
}
