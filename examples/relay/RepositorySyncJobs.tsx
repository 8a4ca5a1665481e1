import { Suspense, useMemo } from 'react';
import { graphql, RelayEnvironmentProvider, useLazyLoadQuery } from 'react-relay';
import type { RepositorySyncJobsQuery } from './__generated__/RepositorySyncJobsQuery.graphql';
import { createRelayEnvironment } from './relay-environment';
import { SyncJobList } from './SyncJobList';

// The first page (ten jobs) comes with the page query; SyncJobList loads the rest.
const repositorySyncJobsQuery = graphql`
  query RepositorySyncJobsQuery($namespace: String!, $name: String!) {
    repository(namespace: $namespace, name: $name) {
      ...SyncJobList_repository
    }
  }
`;

function RepositorySyncJobsPage({ namespace, name }: { namespace: string; name: string }) {
  const data = useLazyLoadQuery<RepositorySyncJobsQuery>(repositorySyncJobsQuery, { namespace, name });
  return data.repository ? <SyncJobList repository={data.repository} /> : <p>No such repository.</p>;
}

/** The sync jobs of demo/nginx, as the caller whose SWR token is `token`. */
export function RepositorySyncJobs({ token }: { token: string }) {
  const environment = useMemo(() => createRelayEnvironment(token), [token]);
  return (
    <RelayEnvironmentProvider environment={environment}>
      <Suspense fallback={<p>Loading…</p>}>
        <RepositorySyncJobsPage namespace="demo" name="nginx" />
      </Suspense>
    </RelayEnvironmentProvider>
  );
}
