import { syncJobFromSwr, type SyncJobModel } from '../model/sync-job.js';
import type { SwrOrder } from '../swr/types.js';
import { jobToCursor, type CursorAnchor } from './cursor.js';
import { keyOf, type JobKey } from './job-order.js';
import type { PageSlice } from './page-slice.js';

/** A Relay connection over upstream jobs, as the SyncJobConnection resolvers receive it. */
export interface SyncJobConnectionModel {
  edges: Array<{ cursor: string; node: SyncJobModel }>;
  nodes: SyncJobModel[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  totalCount: number | null;
}

/**
 * Builds the connection for a fetched slice; each cursor names its job (id and creation instant)
 * beside its position, its order and SWR's total, so that the next page is cut by the job
 * wherever SWR has moved it. Each job is put in the schema's shape once, for `edges` and `nodes`.
 */
export function connectionFromSlice(slice: PageSlice, order: SwrOrder): SyncJobConnectionModel {
  const nodes = slice.items.map(syncJobFromSwr);
  const keys = slice.items.map(keyOf);
  const edges = nodes.map((node, index) => ({ cursor: jobToCursor(order, slice.start + index, anchorOf(slice, keys, index)), node }));
  return {
    edges,
    nodes,
    pageInfo: {
      hasNextPage: slice.hasNextPage,
      hasPreviousPage: slice.hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: slice.total,
  };
}

/**
 * What the cursor of item `index` says of it: its key, SWR's total, and the other jobs of its
 * instant the client has been shown before and after it: those of this page, and for the
 * instant of the job a walk came from, what that job's cursor said had been shown on its side,
 * and the job itself.
 */
function anchorOf(slice: PageSlice, keys: JobKey[], index: number): CursorAnchor {
  const key = keys[index]!;
  const shownBefore: number[] = [];
  const shownAfter: number[] = [];
  keys.forEach((other, at) => {
    if (at !== index && other.instant === key.instant) (at < index ? shownBefore : shownAfter).push(other.id);
  });
  const walk = slice.walk;
  let before: number[] | null = shownBefore;
  let after: number[] | null = shownAfter;
  if (walk && walk.anchor.instant === key.instant) {
    if (walk.direction === 'forward')
      before = walk.anchor.shownBefore === null ? null : [...walk.anchor.shownBefore, walk.anchor.id, ...shownBefore];
    else after = walk.anchor.shownAfter === null ? null : [...walk.anchor.shownAfter, walk.anchor.id, ...shownAfter];
  }
  return { ...key, total: slice.total, shownBefore: before, shownAfter: after };
}
