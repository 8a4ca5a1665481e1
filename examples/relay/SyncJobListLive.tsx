import { useMemo } from 'react';
import { graphql, useSubscription } from 'react-relay';
import { syncJobChangesConfig, type LiveRepository } from './sync-job-changes';

// Live updates for a SyncJobList: each CREATED job appears at the top of the newest-first list
// (`@prependNode` into its connection), each UPDATED job's status changes in place (the store
// normalizes SyncJob by `id`). The gateway watches SWR once per caller and repository however
// many components subscribe.
const syncJobListSubscription = graphql`
  subscription SyncJobListSubscription($namespace: String!, $name: String!, $connections: [ID!]!) {
    syncJobChanged(namespace: $namespace, name: $name) {
      kind
      job @prependNode(connections: $connections, edgeTypeName: "SyncJobEdge") {
        id
        status
        tag
        remoteRegionId
        remoteNamespace
        createdAt
        updatedAt
      }
    }
  }
`;

/** Keeps the SyncJobList of `repository` (shown newest first) live while mounted. */
export function useSyncJobListLive(repository: LiveRepository) {
  const config = useMemo(() => syncJobChangesConfig(syncJobListSubscription, repository), [repository]);
  useSubscription(config);
}
