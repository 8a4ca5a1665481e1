import type { SyncJobResolvers } from '../../generated/resolvers-types.js';

/**
 * Field resolvers of SyncJob over the SyncJobModel (built from the upstream job once per job):
 * every other field is a property of the model; createdAt/updatedAt are normalised by the
 * DateTime scalar on output.
 */
export const syncJobResolvers: SyncJobResolvers = {
  repository: (job) => ({ namespace: job.namespace, name: job.repoName }),
};
