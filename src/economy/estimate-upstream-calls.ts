import {
  Kind,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { pagePlanFromArgs, type PageSizeOptions } from '../paging/page-plan.js';
import { namespaceProblem, repositoryNameProblem } from '../swr/names.js';
import { callsFromWindows, type Interval } from './window-cover.js';

/** Options of estimateUpstreamCalls. */
export interface EstimateOptions {
  sizes: PageSizeOptions;
  /** SWR_MAX_LIMIT. */
  maxLimit: number;
  /** Most refs `repositories` answers; more is refused without calls. */
  maxRefs: number;
}

// Where a selection set sits: which object type its fields belong to.
type Scope = 'query' | 'repository' | 'connection' | 'edge' | 'job';
type Variables = Record<string, unknown> | null | undefined;

interface Walk {
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Variables;
  options: EstimateOptions;
  /** (repository, order) → windows asked for. */
  windows: Map<string, Interval[]>;
  /** Calls whose window depends on SWR's answer (the tail of `last` alone). */
  extra: number;
  unknownRepositories: number;
}

/**
 * The upstream calls an operation will need, read from its document and variables before it runs,
 * with the same page planning and window coalescing the loader uses: `syncJobs` selections under
 * every repository the operation names (`repository`, each distinct `repositories` ref, a job's
 * `repository`), aliases and fragments included, `@skip`/`@include` honoured. Arguments that will
 * be refused cost nothing; `last` alone costs its head plus one call. What it cannot know (a list
 * without Content-Range walked to its end) the run-time cap still bounds.
 */
export function estimateUpstreamCalls(
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Variables,
  options: EstimateOptions,
): number {
  const operations = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((candidate) => candidate.name?.value === operationName) : operations[0];
  if (!operation || operation.operation !== 'query') return 0;
  const walk: Walk = {
    fragments: new Map(
      document.definitions
        .filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION)
        .map((fragment) => [fragment.name.value, fragment]),
    ),
    variables,
    options,
    windows: new Map(),
    extra: 0,
    unknownRepositories: 0,
  };
  visitSelectionSet(operation.selectionSet, 'query', [], walk);
  let calls = walk.extra;
  for (const windows of walk.windows.values()) calls += callsFromWindows(windows, options.maxLimit).length;
  return calls;
}

// Visits the fields of a selection set (fragments flattened) in a scope, for the given repositories.
function visitSelectionSet(selectionSet: SelectionSetNode, scope: Scope, repositories: string[], walk: Walk): void {
  for (const field of fieldsOf(selectionSet, walk)) {
    const name = field.name.value;
    const next = (nextScope: Scope, nextRepositories = repositories) => {
      if (field.selectionSet) visitSelectionSet(field.selectionSet, nextScope, nextRepositories, walk);
    };
    if (scope === 'query' && name === 'repository') next('repository', repositoriesFromRefs([argumentsOf(field, walk)], walk));
    else if (scope === 'query' && name === 'repositories') next('repository', repositoriesFromRefs(refsArgument(field, walk), walk));
    else if (scope === 'query' && name === '_entities') next('repository', repositoriesFromRefs(representationsArgument(field, walk), walk));
    else if (scope === 'repository' && name === 'syncJobs') {
      addSyncJobWindows(argumentsOf(field, walk), repositories, walk);
      next('connection');
    } else if (scope === 'connection' && name === 'edges') next('edge');
    else if ((scope === 'connection' && name === 'nodes') || (scope === 'edge' && name === 'node')) next('job');
    // A job's repository is the repository whose page it came from.
    else if (scope === 'job' && name === 'repository') next('repository');
  }
}

// The fields a selection set selects, through fragment spreads and inline fragments.
function* fieldsOf(selectionSet: SelectionSetNode, walk: Walk): Generator<FieldNode> {
  for (const selection of selectionSet.selections) {
    if (!included(selection.directives ?? [], walk)) continue;
    if (selection.kind === Kind.FIELD) yield selection;
    else if (selection.kind === Kind.INLINE_FRAGMENT) yield* fieldsOf(selection.selectionSet, walk);
    else {
      const fragment = walk.fragments.get(selection.name.value);
      if (fragment) yield* fieldsOf(fragment.selectionSet, walk);
    }
  }
}

function included(directives: ReadonlyArray<{ name: { value: string }; arguments?: ReadonlyArray<{ name: { value: string }; value: ValueNode }> }>, walk: Walk): boolean {
  for (const directive of directives) {
    const condition = directive.arguments?.find((argument) => argument.name.value === 'if');
    const value = condition ? valueFromASTUntyped(condition.value, walk.variables) : undefined;
    if (directive.name.value === 'skip' && value === true) return false;
    if (directive.name.value === 'include' && value === false) return false;
  }
  return true;
}

function argumentsOf(field: FieldNode, walk: Walk): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const argument of field.arguments ?? []) values[argument.name.value] = valueFromASTUntyped(argument.value, walk.variables);
  return values;
}

function refsArgument(field: FieldNode, walk: Walk): unknown[] {
  const refs = argumentsOf(field, walk).refs;
  const list = Array.isArray(refs) ? refs : refs === undefined || refs === null ? [] : [refs];
  return list.length > walk.options.maxRefs ? [] : list;
}

function representationsArgument(field: FieldNode, walk: Walk): unknown[] {
  const representations = argumentsOf(field, walk).representations;
  const list = Array.isArray(representations) ? representations : [];
  return list.filter((representation) => (representation as { __typename?: unknown } | null)?.__typename === 'Repository');
}

// Distinct repository identities; an invalid name costs nothing, an unreadable one is counted apart.
function repositoriesFromRefs(refs: unknown[], walk: Walk): string[] {
  const identities = new Set<string>();
  for (const ref of refs) {
    const { namespace, name } = (ref ?? {}) as { namespace?: unknown; name?: unknown };
    if (typeof namespace !== 'string' || typeof name !== 'string') {
      identities.add(`?${(walk.unknownRepositories += 1)}`);
    } else if (!namespaceProblem(namespace) && !repositoryNameProblem(name)) {
      identities.add(`${namespace}/${name}`);
    }
  }
  return [...identities];
}

// The windows one syncJobs selection asks for, for each repository; refused arguments ask nothing.
function addSyncJobWindows(args: Record<string, unknown>, repositories: string[], walk: Walk): void {
  const order = args.order === 'ASC' ? 'asc' : 'desc';
  let plan;
  try {
    plan = pagePlanFromArgs(
      {
        order,
        first: integerOrNull(args.first),
        last: integerOrNull(args.last),
        after: stringOrNull(args.after),
        before: stringOrNull(args.before),
      },
      walk.options.sizes,
    );
  } catch {
    return;
  }
  const window = plan.kind === 'range' ? { offset: plan.start, limit: Math.max(plan.count, 1) } : { offset: plan.from, limit: Math.max(plan.count, 1) };
  for (const repository of repositories) {
    const key = `${repository}|${order}`;
    walk.windows.set(key, [...(walk.windows.get(key) ?? []), window]);
    if (plan.kind === 'tail') walk.extra += 1;
  }
}

function integerOrNull(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'number' ? value : Number.NaN;
}

function stringOrNull(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : '';
}
