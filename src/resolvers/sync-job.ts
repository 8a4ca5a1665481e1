import type { SyncJobResolvers, SyncJobStatus } from '../generated/resolvers-types.js';
import { repositoryFromPathSegment } from '../swr/names.js';

const KNOWN_STATUSES = new Set<string>(['WAITING', 'RUNNING', 'SUCCESS', 'FAILED', 'TIMEOUT', 'CANCEL', 'EXISTED']);

/** SWR's lower-case status as the enum; a value SWR adds later is UNKNOWN rather than an error. */
export function statusFromSwr(status: string): SyncJobStatus {
  const upper = status.toUpperCase();
  return KNOWN_STATUSES.has(upper) ? (upper as SyncJobStatus) : 'UNKNOWN';
}

/** Field resolvers of SyncJob over the upstream job (SwrSyncJob). */
export const syncJobResolvers: SyncJobResolvers = {
  id: (job) => String(job.id),
  status: (job) => statusFromSwr(job.status),
  repoName: (job) => repositoryFromPathSegment(job.repoName),
  domainId: (job) => job.domainID,
  // createdAt/updatedAt need no resolver: the DateTime scalar normalises SWR's times on output.
  repository: (job) => ({ namespace: job.namespace, name: repositoryFromPathSegment(job.repoName) }),
};
