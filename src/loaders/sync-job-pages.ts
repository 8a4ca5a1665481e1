import DataLoader from 'dataloader';
import type { Caller } from '../auth/caller.js';
import type { SwrClient, SyncJobPage } from '../swr/client.js';
import type { SwrWindow } from '../swr/filter.js';

/** One upstream page lookup: whose, which repository, which window. */
export interface SyncJobPageKey extends SwrWindow {
  caller: Caller;
  namespace: string;
  /** '/' form. */
  repository: string;
}

/** Options of createSyncJobPageLoader. */
export interface SyncJobPageLoaderOptions {
  client: SwrClient;
  /** Aborts the request's upstream calls when the caller goes away. */
  signal?: AbortSignal;
}

/** The per-request page loader type. */
export type SyncJobPageLoader = DataLoader<SyncJobPageKey, SyncJobPage, string>;

/**
 * Creates the page loader of one request. DataLoader collects every page lookup made in one
 * tick of execution (all fields at one level of the operation, across aliases and list items)
 * and hands them to the batch function together; its cache then answers any identical lookup
 * later in the same operation. Both only ever span one request, and the cache key holds the
 * token's hash, never the token, so no caller can be served a page fetched with another token.
 *
 * The batch function is the seam for window coalescing: today it fetches each distinct key
 * concurrently, one upstream call per key.
 */
export function createSyncJobPageLoader(options: SyncJobPageLoaderOptions): SyncJobPageLoader {
  return new DataLoader<SyncJobPageKey, SyncJobPage, string>(
    (keys) =>
      Promise.all(
        keys.map((key) =>
          options.client
            .listSyncJobs({
              token: key.caller.token,
              namespace: key.namespace,
              repository: key.repository,
              order: key.order,
              offset: key.offset,
              limit: key.limit,
              ...(options.signal ? { signal: options.signal } : {}),
            })
            .catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
        ),
      ),
    { cacheKeyFn: syncJobPageKeyToString },
  );
}

/** The cache key of a lookup: token hash, repository, order and window. */
export function syncJobPageKeyToString(key: SyncJobPageKey): string {
  return `${key.caller.tokenHash}|${key.namespace}|${key.repository}|${key.order}|${key.offset}|${key.limit}`;
}
