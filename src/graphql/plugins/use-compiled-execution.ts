import { normalizedExecutor } from '@graphql-tools/executor';
import {
  GraphQLError,
  Kind,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type SelectionSetNode,
  type Source,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { isPromise, type Plugin } from 'graphql-yoga';

/** Operations of one document compiled at most (a document names a handful at most). */
const MAX_OPERATIONS_PER_DOCUMENT = 16;
/**
 * Documents whose fragment spreads, followed through every fragment, make more paths than this
 * run with the general executor. graphql-jit's compiler follows every path (about 1 µs each: 60
 * spreads on each of four levels made 216,000 and took 200 ms, 120 took a second), where
 * graphql-js visits a fragment once per selection; a document of distinct fragments each spread
 * once (Relay's) has as many paths as spreads.
 */
export const MAX_COMPILED_SPREAD_PATHS = 2000;

type Executor = (args: ExecutionArgs) => unknown;

/**
 * Enum and built-in scalar values are written as the resolvers return them, without the
 * serializer call per leaf (and the location and path arrays graphql-jit builds for each call,
 * error or not: most of what one operation allocated). The general executor's serializers only
 * coerce or refuse values of the wrong type, and this schema's resolvers return the right ones:
 * SyncJob comes from a SyncJobModel whose upstream fields were checked (sync-job-json.ts) and whose
 * status is always a SyncJobStatus, ids are strings, a Repository's names are checked strings
 * (also from `_entities` representations), `totalCount` a 32-bit integer or null
 * (content-range.ts), and introspection's values are graphql-js's own. Custom scalars (DateTime)
 * still go through their serializer. The differential test holds the two executors to the same
 * answers.
 */
const COMPILER_OPTIONS = { disableLeafSerialization: true } as const;

/**
 * Executes operations with graphql-jit: each operation of a document is compiled once into a
 * function (Yoga's parser cache hands out one document per query text) and later runs cost
 * about a third of the general executor's. What it answers is what the general executor answers:
 *
 * - field errors are rebuilt as graphql-js errors located in the document's source (graphql-jit's
 *   own carry `locations` but no source positions, which Yoga's result processing needs to keep
 *   them), and `errors` come before `data` as graphql-js puts them;
 * - a document graphql-jit cannot compile, and a request it refuses before executing anything
 *   (variables that do not coerce), go to the general executor, which words the refusal.
 */
export function useCompiledExecution(): Plugin {
  const compiled = new WeakMap<DocumentNode, Map<string, CompiledQuery | null>>();
  const compiledFor = (args: ExecutionArgs): CompiledQuery | null => {
    let byOperation = compiled.get(args.document);
    if (!byOperation) compiled.set(args.document, (byOperation = new Map<string, CompiledQuery | null>()));
    const name = args.operationName ?? '';
    let query = byOperation.get(name);
    if (query === undefined) {
      // A document naming more operations than are kept runs the rest with the general executor,
      // rather than compiling them anew on every request.
      if (byOperation.size >= MAX_OPERATIONS_PER_DOCUMENT) return null;
      if (spreadPathsOf(args.document, MAX_COMPILED_SPREAD_PATHS) > MAX_COMPILED_SPREAD_PATHS) {
        query = null;
      } else {
        const result = compileQuery(args.schema, args.document, args.operationName ?? undefined, COMPILER_OPTIONS);
        query = isCompiledQuery(result) ? result : null;
      }
      byOperation.set(name, query);
    }
    return query;
  };
  const general = normalizedExecutor as unknown as Executor;

  const execute: Executor = (args) => {
    const query = compiledFor(args);
    if (!query) return general(args);
    const result = query.query(args.rootValue, args.contextValue, args.variableValues ?? {});
    const finish = (done: ExecutionResult): unknown => {
      if (!done.errors?.length) return done;
      if (done.data === undefined) return general(args);
      const source = args.document.loc?.source;
      return {
        errors: done.errors.map((error) => (source ? locatedInSource(error, source) : error)),
        data: done.data,
        ...(done.extensions ? { extensions: done.extensions } : {}),
      };
    };
    return isPromise(result) ? result.then(finish) : finish(result);
  };

  return {
    onExecute({ setExecuteFn }) {
      setExecuteFn(execute as never);
    },
  };
}

// graphql-jit's error as the general executor builds it: source positions, path, original error.
function locatedInSource(error: GraphQLError, source: Source): GraphQLError {
  const positions = error.locations?.map(({ line, column }) => positionOf(source.body, line, column));
  return new GraphQLError(error.message, {
    source,
    ...(positions?.length ? { positions } : {}),
    ...(error.path ? { path: error.path } : {}),
    ...(error.originalError ? { originalError: error.originalError } : {}),
    ...(error.extensions && Object.keys(error.extensions).length ? { extensions: error.extensions } : {}),
  });
}

// The offset of a 1-based line and column, with graphql-js's line terminators (\r\n, \n, \r).
function positionOf(body: string, line: number, column: number): number {
  let offset = 0;
  for (let current = 1; current < line; current += 1) {
    const next = body.slice(offset).search(/\r\n|[\n\r]/);
    if (next < 0) break;
    offset += next + (body.startsWith('\r\n', offset + next) ? 2 : 1);
  }
  return offset + column - 1;
}

/**
 * How many fragment spreads a document has when every spread is followed into its fragment (and
 * on into the fragments it spreads), counted once per fragment (memoized), so linear in the
 * document; stops counting past `limit`. A spread cycle (which validation refuses) counts as past it.
 */
export function spreadPathsOf(document: DocumentNode, limit: number): number {
  const fragments = new Map<string, SelectionSetNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition.selectionSet);
  }
  const paths = new Map<string, number>();
  const pathsOfFragment = (name: string, visiting: Set<string>): number => {
    const known = paths.get(name);
    if (known !== undefined) return known;
    const selectionSet = fragments.get(name);
    if (!selectionSet) return 0;
    if (visiting.has(name)) return limit + 1;
    visiting.add(name);
    const count = pathsOfSelections(selectionSet, visiting);
    visiting.delete(name);
    paths.set(name, count);
    return count;
  };
  const pathsOfSelections = (root: SelectionSetNode, visiting: Set<string>): number => {
    let count = 0;
    const stack: SelectionSetNode[] = [root];
    while (stack.length > 0 && count <= limit) {
      for (const selection of stack.pop()!.selections) {
        if (selection.kind === Kind.FRAGMENT_SPREAD) count += 1 + pathsOfFragment(selection.name.value, visiting);
        else if (selection.selectionSet) stack.push(selection.selectionSet);
      }
    }
    return Math.min(count, limit + 1);
  };
  let total = 0;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) total += pathsOfSelections(definition.selectionSet, new Set());
    if (total > limit) return limit + 1;
  }
  return total;
}
