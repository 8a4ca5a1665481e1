import type { SwrSyncJob } from '../../src/swr/types.js';

/**
 * An SWR sync job as SWR documents it, for tests that build lists by hand: every field given
 * overrides placeholder values (`tag` is `t{id}`, `updatedAt` the creation time).
 */
export function swrJob(fields: Partial<SwrSyncJob> & Pick<SwrSyncJob, 'id' | 'createdAt'>): SwrSyncJob {
  return {
    status: 'success',
    tag: `t${fields.id}`,
    namespace: 'demo',
    repoName: 'nginx',
    remoteRegionId: 'cn-north-4',
    remoteNamespace: 'm',
    override: false,
    domainID: 'd',
    domainName: 'n',
    syncOperatorId: 'o',
    syncOperatorName: 'o',
    updatedAt: fields.createdAt,
    ...fields,
  };
}
