import type { SwrOrder, SwrSyncJob } from '../swr/types.js';
import { positionToCursor } from './cursor.js';
import type { PageSlice } from './page-slice.js';

/** A Relay connection over upstream jobs, as the SyncJobConnection resolvers receive it. */
export interface SyncJobConnectionModel {
  edges: Array<{ cursor: string; node: SwrSyncJob }>;
  nodes: SwrSyncJob[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  totalCount: number | null;
}

/** Builds the connection for a fetched slice; cursors carry each item's position and the order. */
export function connectionFromSlice(slice: PageSlice, order: SwrOrder): SyncJobConnectionModel {
  const edges = slice.items.map((node, index) => ({ cursor: positionToCursor(order, slice.start + index), node }));
  return {
    edges,
    nodes: slice.items,
    pageInfo: {
      hasNextPage: slice.hasNextPage,
      hasPreviousPage: slice.hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: slice.total,
  };
}
