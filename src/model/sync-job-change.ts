import type { SyncJobChangeKind } from '../generated/resolvers-types.js';
import type { SyncJobModel } from './sync-job.js';

/** What a `SyncJobChange` resolves from: the kind of change, and the job in the schema's shape. */
export interface SyncJobChangeModel {
  kind: SyncJobChangeKind;
  job: SyncJobModel;
}
