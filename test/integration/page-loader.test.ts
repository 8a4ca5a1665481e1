import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createUpstreamEconomy } from '../../src/economy/upstream-economy.js';
import { createSyncJobPageLoader, type SyncJobPageKey } from '../../src/loaders/sync-job-pages.js';
import { createSwrSimulator, createTenantData, type SwrSimulator } from '../../src/simulator/index.js';
import { createSwrClient, type SwrClient } from '../../src/swr/client.js';

// The loader against the simulator over real HTTP: one repository that answers, one that hangs.
const data = {
  tenants: [
    createTenantData({
      domainId: 'd',
      domainName: 'tenant',
      namespaces: { demo: { fast: 30, slow: 30, ...Object.fromEntries(Array.from({ length: 20 }, (_, index) => [`r${index}`, 3])) } },
      idBase: 1,
    }),
  ],
};
const caller = { token: 't', tokenHash: 'hash-t' };
const key = (repository: string, offset: number, limit: number): SyncJobPageKey => ({
  caller,
  namespace: 'demo',
  repository,
  order: 'desc',
  offset,
  limit,
});

let simulator: SwrSimulator;
let client: SwrClient;
beforeAll(async () => {
  simulator = createSwrSimulator({ data });
  client = createSwrClient({ endpoint: await simulator.listen(), timeoutMs: 20_000, retry: { retries: 0 } });
});
afterAll(async () => {
  await client.close();
  await simulator.close();
});
beforeEach(() => {
  simulator.clearFaults();
  simulator.clearRequests();
});

function loaderFor(signal: AbortSignal) {
  return createSyncJobPageLoader({ client, economy: createUpstreamEconomy(50), maxLimit: 100, concurrency: 16, signal });
}

describe('the page loader', () => {
  it('settles a fast page of a batch while a slow one is still in flight', async () => {
    simulator.addFault({ repository: 'slow', hang: true });
    const caller = new AbortController();
    const loader = loaderFor(caller.signal);
    const slow = loader.load(key('slow', 0, 5));
    const fast = await loader.load(key('fast', 0, 5));
    expect(fast.items.map((job) => job.tag)).toEqual(['1.25.29', '1.25.28', '1.25.27', '1.25.26', '1.25.25']);
    // The slow call is still hanging at SWR: the fast page did not wait for it.
    expect(simulator.inFlight).toBe(1);
    caller.abort();
    await expect(slow).rejects.toMatchObject({ code: 'CANCELLED' });
    await vi.waitFor(() => expect(simulator.inFlight).toBe(0));
  });

  it('starts a page’s second call without waiting for a slow sibling of its first batch', async () => {
    simulator.addFault({ repository: 'slow', hang: true });
    const caller = new AbortController();
    const loader = loaderFor(caller.signal);
    const slow = loader.load(key('slow', 0, 5));
    const head = await loader.load(key('fast', 0, 5));
    // As `last` alone does: the head told the total, the tail is a second call.
    const tail = await loader.load(key('fast', head.total! - 2, 2));
    expect(tail.items.map((job) => job.tag)).toEqual(['1.25.1', '1.25.0']);
    expect(simulator.requests.map((request) => [request.repository, request.filter])).toEqual([
      ['slow', 'limit::5|offset::0|order::desc'],
      ['fast', 'limit::5|offset::0|order::desc'],
      ['fast', 'limit::2|offset::28|order::desc'],
    ]);
    caller.abort();
    await expect(slow).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('listens to the request’s signal once, however many calls are in flight, and aborts them all', async () => {
    simulator.addFault({ hang: true });
    const caller = new AbortController();
    const loader = loaderFor(caller.signal);
    const pages = Array.from({ length: 20 }, (_, index) => loader.load(key(`r${index}`, 0, 3)));
    await vi.waitFor(() => expect(simulator.inFlight).toBe(16));
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);
    caller.abort();
    for (const page of pages) await expect(page).rejects.toMatchObject({ code: 'CANCELLED' });
    await vi.waitFor(() => expect(simulator.inFlight).toBe(0));
    // The four that never started were not sent.
    expect(simulator.requests).toHaveLength(16);
  });
});
