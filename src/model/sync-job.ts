import type { SyncJob, SyncJobStatus } from '../generated/resolvers-types.js';
import { repositoryFromPathSegment } from '../swr/names.js';
import type { SwrSyncJob } from '../swr/types.js';

/**
 * What a `SyncJob` resolves from: the upstream job in the schema's shape, built once per job of a
 * connection. Every field but `repository` is then read as a plain property, which graphql-jit
 * compiles to a property access, where a resolver per field would cost a call and a resolve-info
 * object per job and field.
 *
 * The fields are the generated type's, so a non-null field the schema adds, or one it drops or
 * retypes, is a type error in syncJobFromSwr. `repoName` has '/' restored; `createdAt` and
 * `updatedAt` are as SWR sent them (the DateTime scalar normalises them on output).
 */
export type SyncJobModel = Omit<SyncJob, '__typename' | 'repository'>;

const KNOWN_STATUSES = new Set<string>(['WAITING', 'RUNNING', 'SUCCESS', 'FAILED', 'TIMEOUT', 'CANCEL', 'EXISTED']);

/** SWR's lower-case status as the enum; a value SWR adds later is UNKNOWN rather than an error. */
export function statusFromSwr(status: string): SyncJobStatus {
  const upper = status.toUpperCase();
  return KNOWN_STATUSES.has(upper) ? (upper as SyncJobStatus) : 'UNKNOWN';
}

/** The upstream job in the schema's shape (SWR's `domainID` as `domainId`, ids as strings). */
export function syncJobFromSwr(job: SwrSyncJob): SyncJobModel {
  return {
    id: String(job.id),
    status: statusFromSwr(job.status),
    tag: job.tag,
    namespace: job.namespace,
    repoName: repositoryFromPathSegment(job.repoName),
    remoteRegionId: job.remoteRegionId,
    remoteNamespace: job.remoteNamespace,
    override: job.override,
    domainId: job.domainID,
    domainName: job.domainName,
    syncOperatorId: job.syncOperatorId,
    syncOperatorName: job.syncOperatorName,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
  };
}
