import { nodeRefFromId } from '../model/node-id.js';
import type { RepositoryKey } from '../model/repository-key.js';
import { firstScanWindow } from '../paging/scan-windows.js';
import { pagePlanFromArgs, type PageSizeOptions } from '../paging/page-plan.js';
import { namespaceProblem, repositoryNameProblem } from '../swr/names.js';
import { callsFromWindows, type Interval } from './window-cover.js';

/** What the estimate's windows are planned with. */
export interface WindowOptions {
  sizes: PageSizeOptions;
  /** SWR_MAX_LIMIT. */
  maxLimit: number;
}

/** A page window of one (repository, order); `tail` windows cost one more call (`last` alone). */
export interface Window extends Interval {
  order: string;
  tail: boolean;
}

// Distinct valid repository identities; an invalid name costs nothing (it is refused before any call).
export function repositoriesFrom(refs: unknown[]): string[] {
  const identities = new Set<string>();
  for (const ref of refs) {
    const { namespace, name } = (ref ?? {}) as { namespace?: unknown; name?: unknown };
    if (!namespaceProblem(namespace) && !repositoryNameProblem(name)) identities.add(`${String(namespace)}/${String(name)}`);
  }
  return [...identities];
}

// The windows of one syncJobs selection; refused arguments ask nothing.
export function windowsFromArgs(args: Record<string, unknown>, options: WindowOptions): Window[] {
  const order = args.order === 'ASC' ? 'asc' : 'desc';
  let plan;
  try {
    plan = pagePlanFromArgs(
      {
        order,
        first: args.first as number | null | undefined,
        last: args.last as number | null | undefined,
        after: args.after as string | null | undefined,
        before: args.before as string | null | undefined,
      },
      options.sizes,
    );
  } catch {
    return [];
  }
  if (plan.kind === 'range') return [{ order, offset: plan.start, limit: Math.max(plan.count, 1), tail: false }];
  // A page cut by a cursor's job costs its first window, margins included: the call it makes
  // while the list stays within the margin (a larger drift is charged as it happens).
  if (plan.kind === 'scan') return [{ order, ...firstScanWindow(plan, options.maxLimit, true), tail: false }];
  return [{ order, offset: plan.from, limit: Math.max(plan.count, 1), tail: true }];
}

// One repository's calls: per order, the coalesced calls of its windows, plus one per `last`-alone tail.
export function callsFromRepositoryWindows(windows: Map<string, Window>, maxLimit: number): number {
  const byOrder = new Map<string, Window[]>();
  let calls = 0;
  for (const window of windows.values()) {
    const list = byOrder.get(window.order);
    if (list) list.push(window);
    else byOrder.set(window.order, [window]);
    if (window.tail) calls += 1;
  }
  for (const list of byOrder.values()) calls += callsFromWindows(list, maxLimit).length;
  return calls;
}

// The repositories global ids name; an id that does not decode, or names another type, costs nothing.
export function nodeKeysFrom(ids: unknown[]): RepositoryKey[] {
  return ids.flatMap((id) => {
    if (typeof id !== 'string') return [];
    try {
      const ref = nodeRefFromId(id);
      return ref.type === 'Repository' ? [ref.key] : [];
    } catch {
      return [];
    }
  });
}
