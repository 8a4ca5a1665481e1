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
import { LRUCache } from 'lru-cache';
import { setFlagsFromString } from 'node:v8';

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
 * Runs of one operation with the general executor before it is compiled: a document sent once
 * (a client's one-off, or a flood of distinct documents) is never compiled, one a client sends
 * again is, from its second run.
 */
export const RUNS_BEFORE_COMPILING = 1;
/**
 * Memory graphql-jit's compiled operations may hold at once, as estimated below; beyond it the
 * least recently run are dropped (and compiled again if they come back). graphql-jit generates
 * the source of a function per operation, and V8 keeps that source (and its compiled code) as
 * long as the function lives, and in its compilation cache for a while after.
 */
export const MAX_COMPILED_BYTES = 64 * 1024 * 1024;
/**
 * An operation with 90 aliased selections of every job field (24 KB of text) generated 3.3 MB of
 * source: about 140 characters per character of document. Source is kept as one or two bytes a
 * character; the code compiled from it more.
 */
const COMPILED_BYTES_PER_CHARACTER = 300;

/** Options of useCompiledExecution (tests lower them). */
export interface CompiledExecutionOptions {
  /** @default RUNS_BEFORE_COMPILING */
  runsBeforeCompiling?: number;
  /** @default MAX_COMPILED_BYTES */
  maxCompiledBytes?: number;
}

interface Slot {
  query: CompiledQuery | null;
  /** Runs with the general executor so far. */
  runs: number;
  /** Estimated memory of its compiled form. */
  bytes: number;
  /** False once it is known not to be compiled (too many spread paths, graphql-jit refused it, too large). */
  compilable: boolean;
}

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
export function useCompiledExecution(options: CompiledExecutionOptions = {}): Plugin {
  // graphql-jit compiles each operation with `new Function`, and V8's compilation cache keeps
  // every such source (MBs for a large operation) well after the function is gone: 150 distinct
  // large operations run twice held 680 MB, forced collections or not. Off, the heap stayed at
  // 93 MB. The gateway compiles a source once, so the cache saves it nothing. (A V8 flag, set for
  // the process: the same as `node --no-compilation-cache`.)
  setFlagsFromString('--no-compilation-cache');
  const runsBeforeCompiling = options.runsBeforeCompiling ?? RUNS_BEFORE_COMPILING;
  const compiled = new WeakMap<DocumentNode, Map<string, Slot>>();
  // The compiled operations kept, least recently run first out; one that goes out is compiled
  // again if it comes back often enough.
  const kept = new LRUCache<Slot, true>({
    maxSize: options.maxCompiledBytes ?? MAX_COMPILED_BYTES,
    sizeCalculation: (_value, slot) => slot.bytes,
    dispose: (_value, slot) => {
      slot.query = null;
      slot.runs = 0;
    },
  });
  const compiledFor = (args: ExecutionArgs): CompiledQuery | null => {
    let byOperation = compiled.get(args.document);
    if (!byOperation) compiled.set(args.document, (byOperation = new Map<string, Slot>()));
    const name = args.operationName ?? '';
    let slot = byOperation.get(name);
    if (!slot) {
      // A document naming more operations than are kept runs the rest with the general executor,
      // rather than compiling them anew on every request.
      if (byOperation.size >= MAX_OPERATIONS_PER_DOCUMENT) return null;
      const bytes = Math.max(1, (args.document.loc?.end ?? 0) * COMPILED_BYTES_PER_CHARACTER);
      slot = {
        query: null,
        runs: 0,
        bytes,
        compilable: spreadPathsOf(args.document, MAX_COMPILED_SPREAD_PATHS) <= MAX_COMPILED_SPREAD_PATHS,
      };
      byOperation.set(name, slot);
    }
    if (slot.query) {
      kept.get(slot);
      return slot.query;
    }
    if (!slot.compilable || (slot.runs += 1) <= runsBeforeCompiling) return null;
    const result = compileQuery(args.schema, args.document, args.operationName ?? undefined, COMPILER_OPTIONS);
    if (!isCompiledQuery(result)) {
      slot.compilable = false;
      return null;
    }
    slot.query = result;
    kept.set(slot, true);
    // Too large for the budget even alone: kept by nobody, run with the general executor from now on.
    if (!kept.has(slot)) slot.compilable = false;
    return slot.query;
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
