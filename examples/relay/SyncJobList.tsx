import { graphql, usePaginationFragment } from 'react-relay';
import type { SyncJobList_repository$key } from './__generated__/SyncJobList_repository.graphql';
import { useSyncJobListLive } from './SyncJobListLive';

// The pattern Relay's docs teach: a refetchable pagination fragment on the type that owns the
// connection. `Repository` is a Relay `Node` (a global `id`, `Query.node(id:)`), so to load more
// Relay re-runs the generated SyncJobListPaginationQuery, `node(id: $id) { ...SyncJobList_repository }`,
// with the last `endCursor`, and appends the new edges to the connection in its store. Cursors
// belong to one `order`, so the order is part of the connection's identity (`filters`), and
// changing it refetches from the start. The gateway's cursors name their job, so a push that
// creates jobs while the user pages neither repeats nor skips any.
const syncJobListFragment = graphql`
  fragment SyncJobList_repository on Repository
  @refetchable(queryName: "SyncJobListPaginationQuery")
  @argumentDefinitions(
    order: { type: "SortOrder", defaultValue: DESC }
    count: { type: "Int", defaultValue: 10 }
    cursor: { type: "String" }
  ) {
    id
    namespace
    name
    syncJobs(first: $count, after: $cursor, order: $order) @connection(key: "SyncJobList_syncJobs", filters: ["order"]) {
      totalCount
      edges {
        node {
          id
          status
          tag
          remoteRegionId
          remoteNamespace
          createdAt
        }
      }
    }
  }
`;

/** The sync jobs of one repository, ten at a time, newest or oldest first. */
export function SyncJobList({ repository: key }: { repository: SyncJobList_repository$key }) {
  const { data: repository, loadNext, hasNext, isLoadingNext, refetch } = usePaginationFragment(syncJobListFragment, key);
  // New jobs appear at the top of the newest-first list as they are created, statuses change in place.
  useSyncJobListLive(repository);
  // null with an error in the response: SWR refused or failed (NOT_FOUND, UPSTREAM_TIMEOUT, ...).
  if (!repository.syncJobs) return <p>The sync jobs could not be loaded.</p>;
  const { edges, totalCount } = repository.syncJobs;

  return (
    <section>
      <h2>
        {repository.namespace}/{repository.name}: {totalCount ?? '?'} sync jobs
      </h2>
      <button type="button" onClick={() => refetch({ order: 'DESC' })}>
        Newest first
      </button>
      <button type="button" onClick={() => refetch({ order: 'ASC' })}>
        Oldest first
      </button>
      <ol>
        {edges.map(({ node }) => (
          <li key={node.id}>
            {node.createdAt} {node.tag} → {node.remoteRegionId}/{node.remoteNamespace}: {node.status}
          </li>
        ))}
      </ol>
      {hasNext && (
        <button type="button" disabled={isLoadingNext} onClick={() => loadNext(10)}>
          {isLoadingNext ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}
