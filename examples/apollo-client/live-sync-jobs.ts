// Live updates with Apollo Client, without React: subscribe to a repository's job changes and
// keep the cached SyncJobsPage lists current. In React, `useSubscription(SyncJobChangesDocument,
// { variables, onData })` with the same cache update does this.
import type { ApolloClient, Reference } from '@apollo/client';
import { SyncJobChangesDocument, type SyncJobChangesSubscription } from '../operations/__generated__/graphql.js';

/** The repository to follow. */
export interface FollowedRepository {
  namespace: string;
  name: string;
}

interface CachedConnection {
  edges?: Array<{ cursor: string; node: Reference }>;
  totalCount?: number | null;
  [field: string]: unknown;
}

/**
 * Subscribes to `repository`'s job changes (over the client's WebSocket link) and writes each
 * into the cache. An UPDATED job needs nothing more: Apollo normalizes SyncJob by `id`, so its new
 * status shows in every list that holds it. A CREATED job is prepended to the newest-first
 * (DESC) list of the repository, if one is cached and does not hold it yet, and that list's
 * totalCount grows by one; an oldest-first list gets it when it pages to its end. Returns the
 * function that stops following.
 */
export function followSyncJobChanges(
  client: ApolloClient,
  repository: FollowedRepository,
  onChange?: (change: SyncJobChangesSubscription['syncJobChanged']) => void,
): () => void {
  const subscription = client.subscribe({ query: SyncJobChangesDocument, variables: repository }).subscribe({
    next: ({ data }) => {
      const change = data?.syncJobChanged;
      if (!change) return;
      if (change.kind === 'CREATED') prependJob(client, repository, change.job.id);
      onChange?.(change);
    },
  });
  return () => subscription.unsubscribe();
}

function prependJob(client: ApolloClient, repository: FollowedRepository, jobId: string): void {
  const { cache } = client;
  const job = cache.identify({ __typename: 'SyncJob', id: jobId });
  cache.modify<{ syncJobs: CachedConnection }>({
    id: cache.identify({ __typename: 'Repository', ...repository }),
    fields: {
      syncJobs(existing, { storeFieldName, toReference, readField }) {
        const list = existing as CachedConnection;
        // One cached list per order (relayStylePagination(['order'])): only the newest-first one grows at the top.
        if (!storeFieldName.includes('"order":"DESC"') || !list.edges || !job) return list;
        if (list.edges.some((edge) => readField('id', edge.node) === jobId)) return list;
        const edge = { __typename: 'SyncJobEdge', cursor: '', node: toReference(job)! };
        return {
          ...list,
          edges: [edge, ...list.edges],
          ...(typeof list.totalCount === 'number' ? { totalCount: list.totalCount + 1 } : {}),
        };
      },
    },
  });
}
