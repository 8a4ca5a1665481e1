/**
 * The upstream model: one image-synchronization job exactly as SWR returns it
 * (`GET /v2/manage/namespaces/{namespace}/repos/{repository}/sync_job`, Table 6 of the API
 * reference). Field names are SWR's, including `domainID`.
 */
export interface SwrSyncJob {
  id: number;
  status: string;
  tag: string;
  namespace: string;
  repoName: string;
  remoteRegionId: string;
  remoteNamespace: string;
  override: boolean;
  domainID: string;
  domainName: string;
  syncOperatorId: string;
  syncOperatorName: string;
  createdAt: string;
  updatedAt: string;
}

/** Sort order of the upstream `order::` filter term: by creation time. */
export type SwrOrder = 'asc' | 'desc';
