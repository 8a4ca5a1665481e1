// Paging one repository's sync jobs with Apollo Client, without React: watch the first page,
// then fetchMore forwards (`first`/`after` the merged list's endCursor) or backwards
// (`last`/`before` its startCursor). The typePolicies merge every page into one cached list.
import type { ApolloClient, ObservableQuery } from '@apollo/client';
import { SyncJobsPageDocument, type SyncJobsPageQuery, type SyncJobsPageQueryVariables } from '../operations/__generated__/graphql.js';

/** A watched SyncJobsPage query: its result is the merged list of every page loaded so far. */
export type SyncJobsQuery = ObservableQuery<SyncJobsPageQuery, SyncJobsPageQueryVariables>;

/** Starts watching one repository's sync jobs from the page `variables` ask for (`first` or `last`); in React, `useQuery` does this. */
export function watchSyncJobs(client: ApolloClient, variables: SyncJobsPageQueryVariables): SyncJobsQuery {
  return client.watchQuery({ query: SyncJobsPageDocument, variables });
}

/** The merged connection the cache holds for `jobs` (all pages loaded so far), or undefined before the first page. */
export function cachedSyncJobs(client: ApolloClient, jobs: SyncJobsQuery) {
  const { namespace, name, order } = jobs.variables;
  return client.readQuery({ query: SyncJobsPageDocument, variables: { namespace, name, order } })?.repository?.syncJobs ?? undefined;
}

/** Loads the `count` jobs after the last one loaded into the same cached list; false when there are none. */
export async function loadNextSyncJobs(client: ApolloClient, jobs: SyncJobsQuery, count = 10): Promise<boolean> {
  const pageInfo = cachedSyncJobs(client, jobs)?.pageInfo;
  if (!pageInfo?.hasNextPage) return false;
  // `last`/`before` unset: fetchMore merges these variables into the watched query's own.
  await jobs.fetchMore({ variables: { first: count, after: pageInfo.endCursor, last: undefined, before: undefined } });
  return true;
}

/** Loads the `count` jobs before the first one loaded into the same cached list; false when there are none. */
export async function loadPreviousSyncJobs(client: ApolloClient, jobs: SyncJobsQuery, count = 10): Promise<boolean> {
  const pageInfo = cachedSyncJobs(client, jobs)?.pageInfo;
  if (!pageInfo?.hasPreviousPage) return false;
  await jobs.fetchMore({ variables: { last: count, before: pageInfo.startCursor, first: undefined, after: undefined } });
  return true;
}
