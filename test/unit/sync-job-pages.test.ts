import { describe, expect, it } from 'vitest';
import { createUpstreamEconomy } from '../../src/economy/upstream-economy.js';
import { createSyncJobPageLoader, type SyncJobPageKey } from '../../src/loaders/sync-job-pages.js';
import type { SwrClient, SyncJobPageRequest } from '../../src/swr/client.js';
import { SwrHttpError } from '../../src/swr/errors.js';
import type { SwrSyncJob } from '../../src/swr/types.js';

// An upstream of 47 jobs per repository (ids = positions) that records every call.
function recordingClient(options: { failRepository?: string } = {}) {
  const calls: string[] = [];
  const client: SwrClient = {
    async listSyncJobs(request: SyncJobPageRequest) {
      calls.push(`${request.token}:${request.repository}:${request.offset}+${request.limit}`);
      if (request.repository === options.failRepository) {
        throw new SwrHttpError({ status: 500, errorCode: null, errorMessage: null, requestId: null });
      }
      const items = Array.from({ length: 47 }, (_, id) => ({ id }) as SwrSyncJob).slice(request.offset, request.offset + request.limit);
      return { offset: request.offset, items, total: 47, requestId: null };
    },
    pool: () => ({ inUse: 0, waiting: 0 }),
    close: async () => {},
  };
  return { client, calls };
}

const alice = { token: 'alice', tokenHash: 'hash-alice' };
const key = (repository: string, offset: number, limit: number, caller = alice): SyncJobPageKey => ({
  caller,
  namespace: 'demo',
  repository,
  order: 'desc',
  offset,
  limit,
});
const ids = (page: { items: SwrSyncJob[] }) => page.items.map((job) => job.id);

describe('the per-request page loader', () => {
  it('makes one call per group for lookups of one tick, and slices each window', async () => {
    const { client, calls } = recordingClient();
    const economy = createUpstreamEconomy(50);
    const loader = createSyncJobPageLoader({ client, economy, maxLimit: 100, concurrency: 4 });
    const pages = await Promise.all([
      loader.load(key('a', 0, 10)),
      loader.load(key('a', 10, 5)),
      loader.load(key('b', 3, 2)),
      loader.load(key('a', 0, 10)),
    ]);
    expect(calls.sort()).toEqual(['alice:a:0+15', 'alice:b:3+2']);
    expect(pages.map(ids)).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      [10, 11, 12, 13, 14],
      [3, 4],
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    ]);
    expect(economy).toMatchObject({ lookups: 4, windows: 3, coalesced: 2 });
  });

  it('serves a later lookup inside an earlier call without calling again', async () => {
    const { client, calls } = recordingClient();
    const loader = createSyncJobPageLoader({ client, economy: createUpstreamEconomy(50), maxLimit: 100, concurrency: 4 });
    await loader.load(key('a', 0, 20));
    expect(ids(await loader.load(key('a', 5, 3)))).toEqual([5, 6, 7]);
    expect(calls).toEqual(['alice:a:0+20']);
  });

  it('ends a window where a call came back short, like a call of its own', async () => {
    const { client } = recordingClient();
    const loader = createSyncJobPageLoader({ client, economy: createUpstreamEconomy(50), maxLimit: 100, concurrency: 4 });
    const [whole, pastEnd] = await Promise.all([loader.load(key('a', 40, 20)), loader.load(key('a', 50, 10))]);
    expect(ids(whole)).toEqual([40, 41, 42, 43, 44, 45, 46]);
    expect(pastEnd).toEqual({ offset: 50, items: [], total: 47, requestId: null });
  });

  it('never merges lookups of different callers', async () => {
    const { client, calls } = recordingClient();
    const loader = createSyncJobPageLoader({ client, economy: createUpstreamEconomy(50), maxLimit: 100, concurrency: 4 });
    await Promise.all([loader.load(key('a', 0, 10)), loader.load(key('a', 0, 10, { token: 'bob', tokenHash: 'hash-bob' }))]);
    expect(calls.sort()).toEqual(['alice:a:0+10', 'bob:a:0+10']);
  });

  it('fails only the lookups of a failed call', async () => {
    const { client } = recordingClient({ failRepository: 'b' });
    const loader = createSyncJobPageLoader({ client, economy: createUpstreamEconomy(50), maxLimit: 100, concurrency: 4 });
    const results = await Promise.allSettled([loader.load(key('a', 0, 2)), loader.load(key('b', 0, 2))]);
    expect(results[0]).toMatchObject({ status: 'fulfilled' });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { code: 'UPSTREAM_ERROR' } });
  });

  it('refuses calls over the budget with OPERATION_TOO_EXPENSIVE, without calling', async () => {
    const { client, calls } = recordingClient();
    const economy = createUpstreamEconomy(2);
    const loader = createSyncJobPageLoader({ client, economy, maxLimit: 100, concurrency: 4 });
    const results = await Promise.allSettled([loader.load(key('a', 0, 1)), loader.load(key('b', 0, 1)), loader.load(key('c', 0, 1))]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect(results[2]).toMatchObject({ reason: { code: 'OPERATION_TOO_EXPENSIVE' } });
    expect(calls).toHaveLength(2);
    expect(economy.calls.map((call) => call.filter)).toEqual(['limit::1|offset::0|order::desc', 'limit::1|offset::0|order::desc']);
  });
});
