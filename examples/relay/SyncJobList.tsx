import { graphql, usePaginationFragment } from 'react-relay';
import type { SyncJobList_query$key } from './__generated__/SyncJobList_query.graphql';

// `Repository` is no Relay `Node` (it has no global `id` and the gateway no `Query.node`), so
// Relay cannot refetch a fragment on it. The refetchable pagination fragment therefore sits on
// `Query` and selects the repository by namespace and name: to load more, Relay re-runs
// SyncJobListPaginationQuery with the same namespace, name and order and the last `endCursor`,
// and appends the new edges to the connection in its store. Cursors belong to one `order`, so
// the order is part of the connection's identity (`filters`), and changing it refetches from
// the start.
const syncJobListFragment = graphql`
  fragment SyncJobList_query on Query
  @refetchable(queryName: "SyncJobListPaginationQuery")
  @argumentDefinitions(
    namespace: { type: "String!" }
    name: { type: "String!" }
    order: { type: "SortOrder", defaultValue: DESC }
    count: { type: "Int", defaultValue: 10 }
    cursor: { type: "String" }
  ) {
    repository(namespace: $namespace, name: $name) {
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
  }
`;

/** The sync jobs of one repository, ten at a time, newest or oldest first. */
export function SyncJobList({ query }: { query: SyncJobList_query$key }) {
  const { data, loadNext, hasNext, isLoadingNext, refetch } = usePaginationFragment(syncJobListFragment, query);
  const repository = data.repository;
  // null with an error in the response: SWR refused or failed (NOT_FOUND, UPSTREAM_TIMEOUT, ...).
  if (!repository?.syncJobs) return <p>The sync jobs could not be loaded.</p>;
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
