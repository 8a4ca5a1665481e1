import { syncJobFromSwr, type SyncJobModel } from '../model/sync-job.js';
import type { SwrOrder } from '../swr/types.js';
import { positionToCursor } from './cursor.js';
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
 * Builds the connection for a fetched slice; cursors carry each item's position and the order.
 * Each job is put in the schema's shape once, for both `edges` and `nodes`.
 */
export function connectionFromSlice(slice: PageSlice, order: SwrOrder): SyncJobConnectionModel {
  const nodes = slice.items.map(syncJobFromSwr);
  const edges = nodes.map((node, index) => ({ cursor: positionToCursor(order, slice.start + index), node }));
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
