import {
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getOperationAST,
  getVariableValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isCompositeType,
  isObjectType,
  isInterfaceType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { InvalidInputError } from '../errors.js';
import type { PageSizeOptions } from '../paging/page-plan.js';
import { MAX_ENTITY_REPRESENTATIONS, MAX_NODE_IDS } from '../model/limits.js';
import { callsFromRepositoryWindows, nodeKeysFrom, repositoriesFrom, windowsFromArgs, type Window } from './estimate-windows.js';

/** Options of estimateUpstreamCalls. */
export interface EstimateOptions {
  sizes: PageSizeOptions;
  /** SWR_MAX_LIMIT. */
  maxLimit: number;
  /** Most refs `repositories` answers; more refuses the operation before it runs. */
  maxRefs: number;
}

/**
 * Set insertions one estimate may make before it gives up (the operation is then refused as too
 * expensive): far above what any operation within the call budget needs (50 repositories × 20
 * windows is 1,000), so only a document built to make the estimate slow reaches it.
 */
export const MAX_ESTIMATE_WORK = 200_000;
/** Fragment spreads nested deeper than this are refused the same way (validation allows any depth). */
const MAX_SPREAD_DEPTH = 256;

/** Thrown inside the walk when it would do more work than MAX_ESTIMATE_WORK allows. */
class TooComplexError extends Error {}

/**
 * An argument list longer than its field resolves (`refs`, `ids`, `representations`): the whole
 * operation is refused before it runs (BAD_USER_INPUT), so its other fields call SWR for nothing.
 */
export class ListTooLongError extends InvalidInputError {
  /** The field it is about (a root field: its response key), and where the document names it. */
  field?: { path: string[]; node: FieldNode };
}

/**
 * What a selection set costs, relative to where it sits: `self` are windows of the repository it
 * is about (the enclosing one), `repositories` windows of repositories it names itself (root
 * fields). Both are sets (keyed maps), so adding the same window twice costs nothing more, and a
 * fragment's demand can be merged wherever it is spread.
 */
interface Demand {
  self: Map<string, Window>;
  repositories: Map<string, Map<string, Window>>;
}

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  options: EstimateOptions;
  /** Each fragment's demand, worked out once however often it is spread. */
  fragmentDemands: Map<string, Demand>;
  work: number;
  depth: number;
}

/** What a field does to the estimate: given its arguments and its selection's demand, adds to `into`. */
export type Rule = (args: Record<string, unknown>, selection: () => Demand, into: Demand, walk: Walk) => void;

/**
 * The estimate's rules, by schema coordinate. A field that leads to `Repository.syncJobs` must be
 * here (assertEstimateCoverage, estimate-coverage.ts, checks the schema at start-up), so a new
 * field cannot be forgotten:
 * - root fields name repositories: their selection's `self` windows become those repositories';
 * - `Repository.syncJobs` asks for its page's windows;
 * - the rest stay about the same repository (a connection's edges and nodes, a job's repository).
 */
export const ESTIMATE_RULES: Readonly<Record<string, Rule>> = {
  'Query.repository': (args, selection, into, walk) => addRepositories(into, repositoriesFrom([args]), selection(), walk),
  'Query.repositories': (args, selection, into, walk) => {
    const refs = Array.isArray(args.refs) ? args.refs : [];
    refuseLonger(refs, walk.options.maxRefs, `\`refs\` holds at most ${walk.options.maxRefs} repositories, received ${refs.length}`);
    addRepositories(into, repositoriesFrom(refs), selection(), walk);
  },
  'Query._entities': (args, selection, into, walk) => {
    const representations = Array.isArray(args.representations) ? args.representations : [];
    refuseLonger(
      representations,
      MAX_ENTITY_REPRESENTATIONS,
      `_entities resolves at most ${MAX_ENTITY_REPRESENTATIONS} representations at once; got ${representations.length}`,
    );
    const repositories = representations.filter(
      (representation) => (representation as { __typename?: unknown } | null)?.__typename === 'Repository',
    );
    addRepositories(into, repositoriesFrom(repositories), selection(), walk);
  },
  'Query.node': (args, selection, into, walk) => addRepositories(into, repositoriesFrom(nodeKeysFrom([args.id])), selection(), walk),
  'Query.nodes': (args, selection, into, walk) => {
    const ids = Array.isArray(args.ids) ? args.ids : [];
    refuseLonger(ids, MAX_NODE_IDS, `\`ids\` holds at most ${MAX_NODE_IDS} ids, received ${ids.length}`);
    addRepositories(into, repositoriesFrom(nodeKeysFrom(ids)), selection(), walk);
  },
  // Each event is resolved with a budget of its own: what one event's selection costs.
  'Subscription.syncJobChanged': (args, selection, into, walk) => addRepositories(into, repositoriesFrom([args]), selection(), walk),
  'Repository.syncJobs': (args, selection, into, walk) => {
    for (const window of windowsFromArgs(args, walk.options)) addWindow(into.self, window, walk);
    merge(into, selection(), walk);
  },
  'SyncJobConnection.edges': sameRepository,
  'SyncJobConnection.nodes': sameRepository,
  'SyncJobEdge.node': sameRepository,
  'SyncJob.repository': sameRepository,
  'SyncJobChange.job': sameRepository,
};

function refuseLonger(list: unknown[], most: number, message: string): void {
  if (list.length > most) throw new ListTooLongError(message);
}

function sameRepository(_args: Record<string, unknown>, selection: () => Demand, into: Demand, walk: Walk): void {
  merge(into, selection(), walk);
}

/**
 * The upstream calls an operation will need, read from its validated document before it runs,
 * with variables coerced by graphql-js (defaults applied) and arguments read as execution will
 * read them, with the page planning and window coalescing the loader uses. Each fragment is
 * worked out once, however often it is spread, and the work is capped (MAX_ESTIMATE_WORK): a
 * document cannot make the estimate slow. Returns Infinity past the cap. Arguments or variables
 * that execution will refuse cost nothing, but a list argument longer than its field resolves
 * throws ListTooLongError; `last` alone costs its head plus one call. What it cannot know (a list
 * without Content-Range walked to its end) the run-time cap still bounds.
 */
export function estimateUpstreamCalls(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  rawVariables: Record<string, unknown> | null | undefined,
  options: EstimateOptions,
): number {
  const operation = getOperationAST(document, operationName);
  const root = operation ? schema.getRootType(operation.operation) : undefined;
  if (!operation || !root) return 0;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {}, { maxErrors: 1 });
  if (coerced.errors) return 0;
  const walk: Walk = {
    schema,
    fragments: new Map(
      document.definitions
        .filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION)
        .map((fragment) => [fragment.name.value, fragment]),
    ),
    variables: coerced.coerced,
    options,
    fragmentDemands: new Map(),
    work: 0,
    depth: 0,
  };
  let demand: Demand;
  try {
    demand = demandOf(operation.selectionSet, root, walk);
  } catch (error) {
    if (error instanceof TooComplexError) return Number.POSITIVE_INFINITY;
    throw error;
  }
  let calls = 0;
  for (const windows of demand.repositories.values()) calls += callsFromRepositoryWindows(windows, options.maxLimit);
  return calls;
}

function newDemand(): Demand {
  return { self: new Map(), repositories: new Map() };
}

// The demand of a selection set whose fields belong to `parent`; fragments merged once each.
function demandOf(selectionSet: SelectionSetNode, parent: GraphQLCompositeType, walk: Walk): Demand {
  if ((walk.depth += 1) > MAX_SPREAD_DEPTH) throw new TooComplexError();
  const demand = newDemand();
  const mergedFragments = new Set<string>();
  for (const selection of selectionSet.selections) {
    if (!included(selection, walk)) continue;
    if (selection.kind === Kind.FIELD) {
      visitField(selection, parent, demand, walk);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition ? walk.schema.getType(selection.typeCondition.name.value) : parent;
      if (isCompositeType(type)) merge(demand, demandOf(selection.selectionSet, type, walk), walk);
    } else if (!mergedFragments.has(selection.name.value)) {
      mergedFragments.add(selection.name.value);
      const fragmentDemand = demandOfFragment(selection.name.value, walk);
      if (fragmentDemand) merge(demand, fragmentDemand, walk);
    }
  }
  walk.depth -= 1;
  return demand;
}

function demandOfFragment(name: string, walk: Walk): Demand | undefined {
  const known = walk.fragmentDemands.get(name);
  if (known) return known;
  const fragment = walk.fragments.get(name);
  const type = fragment ? walk.schema.getType(fragment.typeCondition.name.value) : undefined;
  if (!fragment || !isCompositeType(type)) return undefined;
  // Validation refuses fragment cycles; an empty demand stands in while this one is worked out.
  walk.fragmentDemands.set(name, newDemand());
  const demand = demandOf(fragment.selectionSet, type, walk);
  walk.fragmentDemands.set(name, demand);
  return demand;
}

function visitField(node: FieldNode, parent: GraphQLCompositeType, into: Demand, walk: Walk): void {
  if (!isObjectType(parent) && !isInterfaceType(parent)) return;
  const field: GraphQLField<unknown, unknown> | undefined = parent.getFields()[node.name.value];
  if (!field) return;
  const type = getNamedType(field.type);
  const selection = () => (node.selectionSet && isCompositeType(type) ? demandOf(node.selectionSet, type, walk) : newDemand());
  const rule = ESTIMATE_RULES[`${parent.name}.${field.name}`];
  if (!rule) return;
  let args: Record<string, unknown>;
  try {
    args = getArgumentValues(field, node, walk.variables);
  } catch {
    return; // execution refuses these arguments: no call
  }
  try {
    rule(args, selection, into, walk);
  } catch (error) {
    if (error instanceof ListTooLongError) error.field ??= { path: [node.alias?.value ?? node.name.value], node };
    throw error;
  }
}

// @skip / @include, read as execution reads them.
function included(selection: SelectionSetNode['selections'][number], walk: Walk): boolean {
  if (!selection.directives?.length) return true;
  const skip = getDirectiveValues(GraphQLSkipDirective, selection, walk.variables);
  if (skip?.if === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, selection, walk.variables);
  return include?.if !== false;
}

function charge(walk: Walk, units: number): void {
  if ((walk.work += units) > MAX_ESTIMATE_WORK) throw new TooComplexError();
}

function addWindow(windows: Map<string, Window>, window: Window, walk: Walk): void {
  charge(walk, 1);
  windows.set(`${window.order}|${window.offset}|${window.limit}|${window.tail ? 't' : ''}`, window);
}

function addAll(into: Map<string, Window>, from: Map<string, Window>, walk: Walk): void {
  if (into === from) return;
  charge(walk, from.size);
  for (const [key, window] of from) into.set(key, window);
}

function windowsOf(demand: Demand, repository: string): Map<string, Window> {
  let windows = demand.repositories.get(repository);
  if (!windows) demand.repositories.set(repository, (windows = new Map<string, Window>()));
  return windows;
}

function merge(into: Demand, from: Demand, walk: Walk): void {
  addAll(into.self, from.self, walk);
  for (const [repository, windows] of from.repositories) addAll(windowsOf(into, repository), windows, walk);
}

// The repositories named by root fields get the windows of their selection.
function addRepositories(into: Demand, repositories: string[], selection: Demand, walk: Walk): void {
  for (const repository of repositories) addAll(windowsOf(into, repository), selection.self, walk);
  for (const [repository, windows] of selection.repositories) addAll(windowsOf(into, repository), windows, walk);
}
