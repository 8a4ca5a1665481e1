import {
  getOperationAST,
  GraphQLError,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import type { OperationResult, SubscribePayload } from 'graphql-ws';
import { createGraphQLError } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Caller } from '../auth/caller.js';
import type { UnauthenticatedError } from '../errors.js';
import type { Gateway } from '../graphql/gateway.js';
import { maskError, UNEXPECTED_ERROR_MESSAGE } from '../graphql/mask-error.js';
import type { OperationReport } from '../graphql/plugins/use-operation-report.js';
import { nestingOf } from '../graphql/plugins/use-input-limits.js';
import { requestStateOf } from '../graphql/request-state.js';
import type { PersistedDocuments } from '../persisted/persisted-documents.js';
import {
  apqHashOf,
  documentIdOf,
  persistedHashMismatch,
  persistedQueryNotFound,
  persistedQueryRequired,
} from '../persisted/use-persisted-documents.js';

/** What runs the operations of WebSocket connections through the gateway. */
export interface WebSocketOperationsOptions {
  gateway: Gateway;
  report: OperationReport;
  logger: Logger;
  /** Where GraphQL is served: the URL of the request that stands for each operation. */
  endpoint: string;
  /** MAX_INPUT_DEPTH, for variables and extensions (a JSON message is parsed without recursion). */
  maxInputDepth: number;
  /** Persisted documents, as over HTTP: a subscribe message may name one instead of sending its text. @default none */
  persisted?: PersistedDocuments;
}

/** What the gateway's envelop hands out for one operation (typed as used here). */
interface Enveloped {
  schema: GraphQLSchema;
  parse(source: string): DocumentNode;
  validate(schema: GraphQLSchema, document: DocumentNode): readonly GraphQLError[];
  contextFactory(): unknown;
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
}

/** Execution arguments whose root value runs the operation through the gateway's plugins. */
interface EnvelopedArgs extends ExecutionArgs {
  rootValue: { execute: (args: ExecutionArgs) => unknown; subscribe: (args: ExecutionArgs) => unknown };
}

/**
 * Turns one graphql-ws `subscribe` message into the execution arguments of the gateway: through
 * Yoga's envelop, so that the parser cache, the limits, the schema guards, the upstream budget,
 * the report, the metrics and the error masking apply as they do over HTTP. Each operation gets a
 * request of its own (its id, its bill, its abort signal); the caller is the connection's.
 * A refusal (input too deep, a syntax error, a validation error) comes back as coded errors.
 */
export function prepareOperation(
  options: WebSocketOperationsOptions,
  payload: SubscribePayload,
  caller: Caller | UnauthenticatedError | null,
  signal: AbortSignal,
): Promise<EnvelopedArgs | readonly GraphQLError[]> | readonly GraphQLError[] {
  const request = new Request(`http://websocket${options.endpoint}`, { method: 'POST', signal });
  const state = requestStateOf(request);
  state.webSocket = true;
  if (typeof payload.operationName === 'string') state.operationName = payload.operationName.slice(0, 128);
  const refuse = (errors: readonly GraphQLError[]) => {
    options.report.report(request, { errors });
    return errors;
  };
  for (const [what, value] of [
    ['`variables`', payload.variables],
    ['`extensions`', payload.extensions],
  ] as const) {
    if (nestingOf(value, options.maxInputDepth) > options.maxInputDepth) {
      return refuse([
        createGraphQLError(`${what} is nested deeper than ${options.maxInputDepth} levels (MAX_INPUT_DEPTH)`, {
          extensions: { code: 'OPERATION_TOO_EXPENSIVE', limit: 'MAX_INPUT_DEPTH' },
        }),
      ]);
    }
  }
  const text = typeof payload.query === 'string' && payload.query.length > 0 ? payload.query : null;
  const persisted = options.persisted;
  if (persisted && (text === null || persisted.only || apqHashOf(payload.extensions) !== null)) {
    return resolvePersisted(persisted, payload, text).then((resolved) =>
      typeof resolved === 'string' ? prepareText(options, { ...payload, query: resolved }, caller, request, refuse) : refuse([resolved]),
    );
  }
  if (text === null) {
    return refuse([createGraphQLError('The subscribe message has no query', { extensions: { code: 'BAD_REQUEST' } })]);
  }
  return prepareText(options, { ...payload, query: text }, caller, request, refuse);
}

// The text a message runs when persisted documents are on: its own (refused in only-mode; with a
// hash, checked against it), or the one it names by `extensions.persistedQuery.sha256Hash`,
// `doc_id` or `documentId`.
async function resolvePersisted(
  persisted: PersistedDocuments,
  payload: SubscribePayload,
  text: string | null,
): Promise<string | GraphQLError> {
  if (text !== null) {
    if (persisted.only) return persisted.isTrusted(text) ? text : persistedQueryRequired();
    const hash = apqHashOf(payload.extensions);
    return hash !== null && !persisted.matches(hash, text) ? persistedHashMismatch() : text;
  }
  const id = documentIdOf(payload as unknown as Record<string, unknown>);
  if (id === null) {
    return persisted.only
      ? persistedQueryRequired()
      : createGraphQLError('The subscribe message has no query', { extensions: { code: 'BAD_REQUEST' } });
  }
  return (await persisted.lookup(id)) ?? persistedQueryNotFound();
}

// Parses, validates and readies one operation's text. (Texts are registered as automatic persisted
// queries over HTTP only, where Apollo Client sends them.)
function prepareText(
  options: WebSocketOperationsOptions,
  payload: SubscribePayload & { query: string },
  caller: Caller | UnauthenticatedError | null,
  request: Request,
  refuse: (errors: readonly GraphQLError[]) => readonly GraphQLError[],
): Promise<EnvelopedArgs | readonly GraphQLError[]> | readonly GraphQLError[] {
  const params = {
    query: payload.query,
    operationName: payload.operationName ?? undefined,
    variables: payload.variables ?? undefined,
    extensions: payload.extensions ?? undefined,
  };
  const enveloped = options.gateway.getEnveloped({ request, params, caller } as never) as unknown as Enveloped;
  let document: DocumentNode;
  try {
    document = enveloped.parse(payload.query);
  } catch (error) {
    return refuse([coded(error, options.logger)]);
  }
  const errors = enveloped.validate(enveloped.schema, document);
  if (errors.length > 0) return refuse(errors.map((error) => coded(error, options.logger)));
  if (!getOperationAST(document, payload.operationName)) {
    return refuse([
      createGraphQLError(
        payload.operationName
          ? `Unknown operation named "${payload.operationName}"`
          : 'Name the operation to run: the document has several',
        { extensions: { code: 'BAD_USER_INPUT' } },
      ),
    ]);
  }
  return Promise.resolve(enveloped.contextFactory()).then((contextValue) => ({
    schema: enveloped.schema,
    document,
    operationName: payload.operationName ?? null,
    variableValues: payload.variables ?? null,
    contextValue,
    rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
  }));
}

/** Runs prepared arguments through the gateway (graphql-ws's execute and subscribe). */
export function runOperation(args: ExecutionArgs, kind: 'execute' | 'subscribe'): OperationResult {
  return (args as EnvelopedArgs).rootValue[kind](args) as OperationResult;
}

/** An error as a client receives it: its code kept, what is Yoga's alone (`http`, `unexpected`) left out. */
export function formatError(error: GraphQLError): GraphQLFormattedError {
  const formatted = error.toJSON();
  const extensions = formatted.extensions;
  if (!extensions || !('http' in extensions || 'unexpected' in extensions)) return formatted;
  const { http: _http, unexpected: _unexpected, ...rest } = extensions;
  return { ...formatted, extensions: rest };
}

// A parse or validation failure with its code, as Yoga's HTTP handling words it; anything else masked.
function coded(error: unknown, logger: Logger): GraphQLError {
  const masked = maskError(error, UNEXPECTED_ERROR_MESSAGE);
  if (!(masked instanceof GraphQLError))
    return createGraphQLError(UNEXPECTED_ERROR_MESSAGE, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  if (masked.extensions.code === 'INTERNAL_SERVER_ERROR')
    logger.error({ err: error }, 'unexpected failure preparing a WebSocket operation');
  return masked;
}
