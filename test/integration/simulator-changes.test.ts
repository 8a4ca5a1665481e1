import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSwrSimulator, createTenantData, type SwrSimulator } from '../../src/simulator/index.js';

// The simulator's change controls: what tests (and the demo) use to change SWR's lists while a
// client pages them, programmatically and through the control API of a separate process.

let sim: SwrSimulator;
let base: string;
beforeEach(async () => {
  sim = createSwrSimulator({
    data: { tenants: [createTenantData({ domainId: 'd', domainName: 'tenant', namespaces: { org: { app: 3 } }, idBase: 10 })] },
  });
  base = await sim.listen();
});
afterEach(() => sim.close());

async function list(order = 'desc', limit = 10) {
  const response = await fetch(
    `${base}/v2/manage/namespaces/org/repos/app/sync_job?filter=${encodeURIComponent(`limit::${limit}|offset::0|order::${order}`)}`,
    {
      headers: { 'X-Auth-Token': 't' },
    },
  );
  return {
    range: response.headers.get('content-range'),
    jobs: (await response.json()) as Array<{ id: number; status: string; createdAt: string; updatedAt: string }>,
  };
}

const control = (change: unknown) =>
  fetch(`${base}/__simulator/changes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(change) });

describe('simulator change controls', () => {
  it('create jobs at the head of a newest-first list, with ids after every other job', async () => {
    const created = sim.createJobs({ namespace: 'org', repository: 'app', count: 2 });
    expect(created.map((job) => job.id)).toEqual([13, 14]);
    const { range, jobs } = await list();
    expect(range).toBe('0-5/5');
    expect(jobs.map((job) => job.id)).toEqual([14, 13, 12, 11, 10]);
    expect(jobs[0]!.createdAt > jobs[2]!.createdAt).toBe(true);
  });

  it('delete jobs and move a job on, through the control API too', async () => {
    expect(await (await control({ delete: { namespace: 'org', repository: 'app', ids: [11] } })).json()).toEqual({ deleted: 1 });
    const updated = (await (await control({ update: { namespace: 'org', repository: 'app', id: 12, status: 'running' } })).json()) as {
      updated: { status: string };
    };
    expect(updated.updated.status).toBe('running');
    const created = (await (
      await control({ create: { namespace: 'org', repository: 'app', createdAt: '2030-01-01T00:00:00.000001Z' } })
    ).json()) as { created: Array<{ id: number }> };
    const { jobs } = await list();
    expect(jobs.map((job) => [job.id, job.status])).toEqual([
      [created.created[0]!.id, 'waiting'],
      [12, 'running'],
      [10, 'waiting'],
    ]);
    expect((await control({ update: { namespace: 'org', repository: 'app', id: 999 } })).status).toBe(404);
    expect((await control({ nonsense: true })).status).toBe(400);
  });

  it('shuffles jobs of one instant on every answer when told to', async () => {
    sim.createJobs({ namespace: 'org', repository: 'app', count: 8, createdAt: '2030-01-01T00:00:00.000001Z' });
    const orders = new Set<string>();
    for (let answer = 0; answer < 10; answer += 1) orders.add(JSON.stringify((await list('asc')).jobs.map((job) => job.id)));
    expect(orders.size).toBe(1);
    expect(await (await control({ tieOrder: 'shuffled' })).json()).toEqual({ tieOrder: 'shuffled' });
    for (let answer = 0; answer < 10; answer += 1) orders.add(JSON.stringify((await list('asc')).jobs.map((job) => job.id)));
    expect(orders.size).toBeGreaterThan(1);
    // Jobs of other instants keep their places.
    for (const order of orders) expect((JSON.parse(order) as number[]).slice(0, 3)).toEqual([10, 11, 12]);
    // 'ascending': ties by ascending id whichever the order; 'id' again: desc is asc reversed.
    expect(await (await control({ tieOrder: 'ascending' })).json()).toEqual({ tieOrder: 'ascending' });
    const ties = (await list('asc', 20)).jobs.map((job) => job.id).slice(3);
    expect(ties).toEqual([...ties].sort((a, b) => a - b));
    expect(ties).toHaveLength(8);
    expect((await list('desc', 20)).jobs.map((job) => job.id).slice(0, 8)).toEqual(ties);
    await control({ tieOrder: 'id' });
    expect((await list('desc', 20)).jobs.map((job) => job.id).slice(0, 8)).toEqual([...ties].reverse());
  });
});
