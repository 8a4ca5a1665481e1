import { ConnectionHandler, type GraphQLSubscriptionConfig, type GraphQLTaggedNode, type RecordSourceSelectorProxy } from 'relay-runtime';

/** The repository whose jobs a SyncJobList shows (its Relay id, organization and name). */
export interface LiveRepository {
  id: string;
  namespace: string;
  name: string;
}

/** What the subscription delivers (SyncJobListSubscription.graphql): the fields the updater reads. */
interface SyncJobChanged {
  syncJobChanged: { kind: 'CREATED' | 'UPDATED' | '%future added value'; job: { id: string; createdAt: string } };
}

/** The subscription operation, as far as the config needs it. */
export interface SyncJobChangesOperation {
  variables: Record<string, unknown>;
  response: SyncJobChanged;
}

/**
 * The config of SyncJobListSubscription for one repository, for `useSubscription` (React) or
 * `requestSubscription`. What it does to the store:
 *
 * - an UPDATED job is a SyncJob record Relay already has (same `id`): its new `status` and
 *   `updatedAt` are written over it, and every list showing it re-renders; nothing else to do;
 * - a CREATED job is prepended to the newest-first SyncJobList connection by `@prependNode`
 *   (the subscription passes that connection's id), so the list grows at the top as pushes
 *   come in. `@prependNode` adds a node only when it is not in the connection yet, and it
 *   would prepend an UPDATED job too that the list has not loaded (an older one); `updater` takes
 *   such a job out again: the list is newest first, so a first edge older than the second is one.
 */
export function syncJobChangesConfig(
  subscription: GraphQLTaggedNode,
  repository: LiveRepository,
): GraphQLSubscriptionConfig<SyncJobChangesOperation> {
  const connectionID = ConnectionHandler.getConnectionID(repository.id, 'SyncJobList_syncJobs', { order: 'DESC' });
  return {
    subscription,
    variables: { namespace: repository.namespace, name: repository.name, connections: [connectionID] },
    updater: (store: RecordSourceSelectorProxy<SyncJobChanged>, data) => {
      if (data?.syncJobChanged.kind !== 'UPDATED') return;
      const connection = store.get(connectionID);
      const [first, second] = connection?.getLinkedRecords('edges') ?? [];
      const createdAt = (edge: typeof first) => String(edge?.getLinkedRecord('node')?.getValue('createdAt') ?? '');
      if (connection && first && second && createdAt(first) < createdAt(second)) {
        ConnectionHandler.deleteNode(connection, data.syncJobChanged.job.id);
      }
    },
  };
}
