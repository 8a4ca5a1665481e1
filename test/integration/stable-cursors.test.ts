import { beforeEach, describe, expect, it } from 'vitest';
import { repositoryToNodeId } from '../../src/model/node-id.js';
import { createTenantData } from '../../src/simulator/index.js';
import type { SwrSyncJob } from '../../src/swr/types.js';
import { recordedFilters, startStack, useStack } from '../support/stack.js';

// Paging while SWR changes underneath, on real ports against the simulator: jobs are pushed at
// the head and deleted between pages (through the simulator's change controls), and jobs of one
// instant come in a new order on every call. Every job that exists throughout must be seen once,
// in order; a page must cost one call while the list moves less than the margin.

const data = () => ({
  tenants: [createTenantData({ domainId: 'd', domainName: 'tenant', namespaces: { org: { walk: 45, other: 10, ties: 0 } }, idBase: 1000 })],
});
const stack = useStack({ data: data(), inMemory: true });

interface Page {
  nodes: Array<{ id: string }>;
  totalCount: number | null;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

async function page(args: string, repository = 'walk'): Promise<Page> {
  const response = await stack.query(
    `{ repository(namespace: "org", name: "${repository}") { syncJobs(${args}) ` +
      '{ totalCount nodes { id } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }',
  );
  expect(response.errors).toBeUndefined();
  return response.data.repository.syncJobs as Page;
}

// Every job of org/walk as SWR has them now, in the gateway's order.
async function everything(order: 'ASC' | 'DESC'): Promise<string[]> {
  const all = await page(`first: 100, order: ${order}`);
  return all.nodes.map((node) => node.id);
}

const ids = (connection: Page) => connection.nodes.map((node) => Number(node.id));

// The jobs of org/walk as the simulator holds them right now (the test keeps the data it gave the
// simulator, which its change controls edit in place), and the gateway's order over them:
// creation time, ties by id. All of walk's timestamps print alike (six digits of microseconds,
// Z), so comparing their text compares their instants.
type Order = 'ASC' | 'DESC';
type Way = 'forwards' | 'backwards';
interface JobKey {
  id: number;
  createdAt: string;
}
const inOrder = (order: Order) => (a: JobKey, b: JobKey) => {
  const ascending = a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id - b.id;
  return order === 'ASC' ? ascending : -ascending;
};

// The page of `count` jobs strictly after (forwards) or before (backwards) `cursorJob` in the
// order, whether or not that job still exists, and what its pageInfo and totalCount must say:
// computed from the list as it is now, not from the gateway.
function expectedPage(jobs: readonly JobKey[], order: Order, way: Way, cursorJob: JobKey, count: number) {
  const compare = inOrder(order);
  const sorted = [...jobs].sort(compare);
  if (way === 'forwards') {
    const after = sorted.filter((job) => compare(job, cursorJob) > 0);
    return {
      ids: after.slice(0, count).map((job) => job.id),
      totalCount: sorted.length,
      pageInfo: { hasNextPage: after.length > count, hasPreviousPage: sorted.length > after.length },
    };
  }
  const before = sorted.filter((job) => compare(job, cursorJob) < 0);
  return {
    ids: before.slice(Math.max(0, before.length - count)).map((job) => job.id),
    totalCount: sorted.length,
    pageInfo: { hasNextPage: sorted.length > before.length, hasPreviousPage: before.length > count },
  };
}

// Gives the simulator fresh data the test keeps hold of; returns the live job list of org/walk.
function liveWalk(): SwrSyncJob[] {
  const live = data();
  stack.simulator.setData(live);
  return live.tenants[0]!.namespaces.org!.walk!;
}

// Every cursor of org/walk in `order`, by position (as `first: 45` shows them).
async function cursorsOf(order: Order): Promise<string[]> {
  const response = await stack.query(
    `{ repository(namespace: "org", name: "walk") { syncJobs(first: 45, order: ${order}) { edges { cursor } } } }`,
  );
  expect(response.errors).toBeUndefined();
  const edges = response.data.repository.syncJobs.edges as Array<{ cursor: string }>;
  expect(edges).toHaveLength(45);
  return edges.map((edge) => edge.cursor);
}

// A page read with X-Debug-Upstream: 1, with the upstream calls it cost as SWR (the simulator) saw
// them and as the gateway reported them in extensions.upstream.calls.
async function pageWithCalls(args: string): Promise<{ connection: Page; requests: number; reported: number }> {
  stack.simulator.clearRequests();
  const response = await stack.query(
    `{ repository(namespace: "org", name: "walk") { syncJobs(${args}) ` +
      '{ totalCount nodes { id } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }',
    { headers: { 'x-debug-upstream': '1' } },
  );
  expect(response.errors).toBeUndefined();
  const requests = stack.simulator.requests.length;
  const reported = (response.extensions as { upstream: { calls: number } }).upstream.calls;
  return { connection: response.data.repository.syncJobs as Page, requests, reported };
}

const shape = (connection: Page) => ({
  ids: ids(connection),
  totalCount: connection.totalCount,
  pageInfo: { hasNextPage: connection.pageInfo.hasNextPage, hasPreviousPage: connection.pageInfo.hasPreviousPage },
});

beforeEach(() => {
  stack.simulator.setData(data());
  stack.simulator.setTieOrder('id');
});

describe('stable cursors', () => {
  it.each([
    ['DESC', 'forwards'],
    ['ASC', 'forwards'],
    ['DESC', 'backwards'],
    ['ASC', 'backwards'],
  ] as const)('walk %s %s with jobs pushed and deleted between every page: each job that lasted, once, in order', async (order, way) => {
    stack.simulator.setTieOrder('shuffled');
    const initial = new Set((await everything(order)).map(Number));
    const deleted = new Set<number>();
    const seen: number[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 30; pages += 1) {
      const connection: Page = await page(
        way === 'forwards'
          ? `first: 7, order: ${order}${cursor ? `, after: "${cursor}"` : ''}`
          : `last: 7, order: ${order}${cursor ? `, before: "${cursor}"` : ''}`,
      );
      seen.push(...(way === 'forwards' ? ids(connection) : ids(connection).reverse()));
      const more = way === 'forwards' ? connection.pageInfo.hasNextPage : connection.pageInfo.hasPreviousPage;
      cursor = way === 'forwards' ? connection.pageInfo.endCursor : connection.pageInfo.startCursor;
      if (!more) break;
      // Two pushes (one of them two jobs in one instant), and the deletion of a job not shown yet.
      stack.simulator.createJobs({ namespace: 'org', repository: 'walk' });
      stack.simulator.createJobs({
        namespace: 'org',
        repository: 'walk',
        count: 2,
        createdAt: `2030-01-0${(pages % 9) + 1}T00:00:00.000001Z`,
      });
      const victim = [...initial].find((id) => !seen.includes(id) && !deleted.has(id) && id % 3 === pages % 3);
      if (victim !== undefined) {
        deleted.add(victim);
        stack.simulator.deleteJobs({ namespace: 'org', repository: 'walk', ids: [victim] });
      }
    }
    expect(new Set(seen).size).toBe(seen.length);
    stack.simulator.setTieOrder('id');
    const lasting = (await everything(order)).map(Number).filter((id) => initial.has(id) && !deleted.has(id));
    const expected = way === 'forwards' ? lasting : [...lasting].reverse();
    expect(seen.filter((id) => initial.has(id) && !deleted.has(id))).toEqual(expected);
  });

  it('costs one call per page while the list is unchanged, and while it moves less than the margin', async () => {
    let cursor: string | null = null;
    for (let pages = 0; pages < 4; pages += 1) {
      stack.simulator.clearRequests();
      const connection: Page = await page(`first: 10${cursor ? `, after: "${cursor}"` : ''}`);
      expect(stack.simulator.requests).toHaveLength(1);
      cursor = connection.pageInfo.endCursor;
      if (pages >= 2) stack.simulator.createJobs({ namespace: 'org', repository: 'walk', count: 4 });
    }
  });

  it('reads further, in a few calls within the budget, when the list moved more than the margin', async () => {
    const first = await page('first: 5');
    stack.simulator.createJobs({ namespace: 'org', repository: 'walk', count: 60 });
    stack.simulator.clearRequests();
    const second = await page(`first: 5, after: "${first.pageInfo.endCursor}"`);
    expect(ids(second)).toEqual([1039, 1038, 1037, 1036, 1035]);
    expect(second).toMatchObject({ totalCount: 105, pageInfo: { hasPreviousPage: true, hasNextPage: true } });
    expect(stack.simulator.requests.length).toBeGreaterThan(1);
    expect(stack.simulator.requests.length).toBeLessThanOrEqual(6);
  });

  it('finds its place within the 6 calls after 300 jobs were created and the 300 oldest deleted (the total unchanged)', async () => {
    const tenant = createTenantData({ domainId: 'd', domainName: 'tenant', namespaces: { org: { large: 400 } }, idBase: 1 });
    const large = await startStack({ data: { tenants: [tenant] }, inMemory: true });
    try {
      const query = async (args: string): Promise<Page> => {
        const response = await large.query(
          `{ repository(namespace: "org", name: "large") { syncJobs(${args}) ` +
            '{ totalCount nodes { id } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }',
        );
        expect(response.errors).toBeUndefined();
        return response.data.repository.syncJobs as Page;
      };
      const newest = ids(await query('first: 6'));
      const first = await query('first: 3');
      large.simulator.createJobs({ namespace: 'org', repository: 'large', count: 300 });
      // The simulator edits the data it was given in place: the 300 oldest are the first 300 by creation time.
      const live = tenant.namespaces.org!.large!;
      const oldest = [...live].sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1)).slice(0, 300);
      large.simulator.deleteJobs({ namespace: 'org', repository: 'large', ids: oldest.map((job) => job.id) });
      large.simulator.clearRequests();
      const second = await query(`first: 3, after: "${first.pageInfo.endCursor}"`);
      expect(ids(second)).toEqual(newest.slice(3, 6));
      expect(second).toMatchObject({ totalCount: 400, pageInfo: { hasPreviousPage: true, hasNextPage: true } });
      expect(large.simulator.requests.length).toBeGreaterThan(1);
      expect(large.simulator.requests.length).toBeLessThanOrEqual(6);
    } finally {
      await large.close();
    }
  });

  it('charges the extra reads to MAX_UPSTREAM_CALLS', async () => {
    const tight = await startStack({ data: data(), env: { MAX_UPSTREAM_CALLS: '1' }, inMemory: true });
    try {
      const first = await tight.query('{ repository(namespace: "org", name: "walk") { syncJobs(first: 5) { pageInfo { endCursor } } } }');
      tight.simulator.createJobs({ namespace: 'org', repository: 'walk', count: 60 });
      const refused = await tight.query(
        '{ repository(namespace: "org", name: "walk") ' +
          `{ syncJobs(first: 5, after: "${first.data.repository.syncJobs.pageInfo.endCursor}") { nodes { id } } } }`,
      );
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'OPERATION_TOO_EXPENSIVE', limit: 'MAX_UPSTREAM_CALLS' });
      expect(tight.simulator.requests).toHaveLength(2);
    } finally {
      await tight.close();
    }
  });

  it('finds the place of a cursor whose own job was deleted', async () => {
    const first = await page('first: 5');
    stack.simulator.deleteJobs({ namespace: 'org', repository: 'walk', ids: [ids(first).at(-1)!] });
    stack.simulator.createJobs({ namespace: 'org', repository: 'walk', count: 2 });
    const second = await page(`first: 5, after: "${first.pageInfo.endCursor}"`);
    expect(ids(second)).toEqual([1039, 1038, 1037, 1036, 1035]);
  });

  it('cuts jobs of one instant by id, however SWR orders them from call to call', async () => {
    stack.simulator.setData({
      tenants: [createTenantData({ domainId: 'd', domainName: 'tenant', namespaces: { org: { walk: 3 } }, idBase: 1 })],
    });
    stack.simulator.createJobs({ namespace: 'org', repository: 'walk', count: 12, createdAt: '2030-01-01T00:00:00.000001Z' });
    stack.simulator.setTieOrder('shuffled');
    const walk: number[] = [];
    let cursor: string | null = null;
    // The first page ends before the instant of the twelve, so every page after it is a cut.
    for (let pages = 0; pages < 10; pages += 1) {
      const connection: Page = await page(pages === 0 ? 'first: 3, order: ASC' : `first: 4, order: ASC, after: "${cursor}"`);
      walk.push(...ids(connection));
      if (!connection.pageInfo.hasNextPage) break;
      cursor = connection.pageInfo.endCursor;
    }
    expect(walk).toEqual([1, 2, 3, ...Array.from({ length: 12 }, (_, index) => 4 + index)]);
  });

  it.each(
    (['shuffled', 'ascending'] as const).flatMap((tieOrder) =>
      (['DESC', 'ASC'] as const).flatMap((order) => (['forwards', 'backwards'] as const).map((way) => [order, way, tieOrder] as const)),
    ),
  )('walks %s %s through 30 jobs of one instant whose ids are not consecutive, ties %s: each job once', async (order, way, tieOrder) => {
    // Ids two apart (another repository's jobs between them): a cursor lists each tie it showed on its own.
    const ties: number[] = [];
    for (let index = 0; index < 30; index += 1) {
      const [tie] = stack.simulator.createJobs({
        namespace: 'org',
        repository: 'ties',
        count: 1,
        createdAt: '2025-03-01T10:00:00.123456Z',
      });
      stack.simulator.createJobs({ namespace: 'org', repository: 'other', count: 1 });
      ties.push(tie!.id);
    }
    // Shuffled anew on every call, or by ascending id in both orders (against the gateway's DESC order).
    stack.simulator.setTieOrder(tieOrder);
    const walk: number[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages += 1) {
      const args: string =
        way === 'forwards' ? `first: 7${cursor ? `, after: "${cursor}"` : ''}` : `last: 7${cursor ? `, before: "${cursor}"` : ''}`;
      const connection: Page = await page(`${args}, order: ${order}`, 'ties');
      if (way === 'forwards') walk.push(...ids(connection));
      else walk.unshift(...ids(connection));
      const more = way === 'forwards' ? connection.pageInfo.hasNextPage : connection.pageInfo.hasPreviousPage;
      if (!more) break;
      cursor = way === 'forwards' ? connection.pageInfo.endCursor : connection.pageInfo.startCursor;
    }
    expect(walk).toHaveLength(30);
    expect([...walk].sort((a, b) => a - b)).toEqual(ties);
  });

  it.each(['DESC', 'ASC'] as const)(
    'pages %s back from a first page that ends inside an instant: nothing before its start, and each tie on one side of each cursor',
    async (order) => {
      const [oldest, middle, newest] = stack.simulator
        .createJobs({ namespace: 'org', repository: 'ties', count: 3, createdAt: '2025-03-01T10:00:00.123456Z' })
        .map((job) => job.id);
      // Ties by id: DESC newest, middle, oldest; ASC the reverse.
      const [head, next, last] = order === 'DESC' ? [newest, middle, oldest] : [oldest, middle, newest];
      const first = await page(`first: 2, order: ${order}`, 'ties');
      expect(ids(first)).toEqual([head, next]);
      expect(first.pageInfo.hasPreviousPage).toBe(false);
      const back = await page(`last: 2, order: ${order}, before: "${first.pageInfo.startCursor}"`, 'ties');
      expect(back).toMatchObject({ nodes: [], pageInfo: { hasPreviousPage: false, hasNextPage: true, startCursor: null } });
      const on = await page(`first: 2, order: ${order}, after: "${first.pageInfo.endCursor}"`, 'ties');
      expect(ids(on)).toEqual([last]);
      expect(ids(await page(`last: 2, order: ${order}, before: "${first.pageInfo.endCursor}"`, 'ties'))).toEqual([head]);
      expect(ids(await page(`last: 2, order: ${order}, before: "${on.pageInfo.startCursor}"`, 'ties'))).toEqual([head, next]);
    },
  );

  it('says hasPreviousPage once jobs were created at the head, and pages back to them', async () => {
    const first = await page('first: 5');
    expect(first.pageInfo.hasPreviousPage).toBe(false);
    const pushed = stack.simulator.createJobs({ namespace: 'org', repository: 'walk', count: 2 });
    const again = await page(`first: 5, after: "${first.pageInfo.endCursor}"`);
    expect(again.pageInfo.hasPreviousPage).toBe(true);
    const back = await page(`last: 5, before: "${first.pageInfo.startCursor}"`);
    expect(ids(back)).toEqual(pushed.map((job) => job.id).reverse());
    expect(back.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
  });

  it('walks pages as wide as SWR_MAX_LIMIT (first: 100 on a list of 350): every page answered, each job once', async () => {
    const large = await startStack({
      data: { tenants: [createTenantData({ domainId: 'd', domainName: 'tenant', namespaces: { org: { large: 350 } }, idBase: 1 })] },
      inMemory: true,
    });
    try {
      const seen: string[] = [];
      let after: string | null = null;
      for (let pages = 0; pages < 10; pages += 1) {
        const response = await large.query(
          'query($after: String) { repository(namespace: "org", name: "large") ' +
            '{ syncJobs(first: 100, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } } }',
          { variables: { after } },
        );
        expect(response.errors).toBeUndefined();
        const connection = response.data.repository.syncJobs;
        seen.push(...connection.nodes.map((node: { id: string }) => node.id));
        if (!connection.pageInfo.hasNextPage) break;
        after = connection.pageInfo.endCursor;
      }
      expect(seen).toHaveLength(350);
      expect(new Set(seen).size).toBe(350);
      // The window of a page that fills SWR_MAX_LIMIT cannot also hold the cursor's job: two calls each.
      expect(large.simulator.requests.length).toBeLessThanOrEqual(1 + 2 * 3);
    } finally {
      await large.close();
    }
  });

  it('answers last alone with each job once, however SWR orders jobs of one instant from call to call', async () => {
    // Eight jobs of one instant: the tail (5) overlaps the head call (5), so it must not be stitched from both.
    stack.simulator.createJobs({ namespace: 'org', repository: 'ties', count: 8, createdAt: '2025-03-01T10:00:00.123456Z' });
    stack.simulator.setTieOrder('shuffled');
    for (let attempt = 0; attempt < 30; attempt += 1) {
      const connection = await page('last: 5', 'ties');
      expect(new Set(ids(connection)).size).toBe(5);
    }
  });

  it('coalesces a second page, margins included, with the first page of the same operation', async () => {
    const first = await page('first: 10');
    stack.simulator.clearRequests();
    const response = await stack.query(
      '{ repository(namespace: "org", name: "walk") { a: syncJobs(first: 10) { nodes { id } } ' +
        `b: syncJobs(first: 10, after: "${first.pageInfo.endCursor}") { nodes { id } } } }`,
    );
    expect(recordedFilters(stack.simulator)).toEqual(['limit::30|offset::0|order::desc']);
    expect(response.data.repository.a.nodes.map((node: { id: string }) => Number(node.id))).toEqual(ids(first));
    expect(response.data.repository.b.nodes.map((node: { id: string }) => Number(node.id))).toEqual(
      Array.from({ length: 10 }, (_, index) => 1034 - index),
    );
  });

  // Every (order, direction) with the cursor's job near the start of the scan (0), in the middle
  // (20) and near its end (40): k counts jobs along the scan (forwards: in the order; backwards:
  // from the order's end), so that each direction has a page touching the list's far end.
  const changes = ['4 jobs created', '3 other jobs deleted', "the cursor's own job deleted"] as const;
  const changeCases = (['DESC', 'ASC'] as const).flatMap((order) =>
    (['forwards', 'backwards'] as const).flatMap((way) =>
      changes.flatMap((change) => [0, 20, 40].map((k) => [order, way, change, k] as const)),
    ),
  );

  it.each(changeCases)(
    '%s %s with %s between pages (cursor %i jobs into the scan): the right page, as the list is now, in one call',
    async (order, way, change, k) => {
      const walk = liveWalk();
      const cursors = await cursorsOf(order);
      // Jobs along the scan (the order, reversed for a backward page) and the cursor's job among them.
      const sorted = [...walk].sort(inOrder(order));
      const scan = way === 'forwards' ? sorted : [...sorted].reverse();
      const cursorJob = { id: scan[k]!.id, createdAt: scan[k]!.createdAt };
      const cursor = cursors[way === 'forwards' ? k : sorted.length - 1 - k]!;
      if (change === '4 jobs created') {
        // At the head of a DESC list (before the cursor's job), at the tail of an ASC one.
        stack.simulator.createJobs({ namespace: 'org', repository: 'walk', count: 4 });
      } else if (change === '3 other jobs deleted') {
        // One just before the cursor's job along the scan, one inside the page, and one past it (or the last).
        const doomed = [k - 1, k + 2, k + 6, scan.length - 1, k - 10]
          .filter((index) => index >= 0 && index < scan.length && index !== k)
          .slice(0, 3)
          .map((index) => scan[index]!.id);
        expect(doomed).toHaveLength(3);
        expect(stack.simulator.deleteJobs({ namespace: 'org', repository: 'walk', ids: doomed })).toBe(3);
      } else {
        expect(stack.simulator.deleteJobs({ namespace: 'org', repository: 'walk', ids: [cursorJob.id] })).toBe(1);
      }
      const expected = expectedPage(walk, order, way, cursorJob, 5);
      expect(expected.ids.length).toBeGreaterThan(0);
      const { connection, requests, reported } = await pageWithCalls(
        way === 'forwards' ? `first: 5, after: "${cursor}", order: ${order}` : `last: 5, before: "${cursor}", order: ${order}`,
      );
      expect(shape(connection)).toEqual(expected);
      expect(requests).toBe(1);
      expect(reported).toBe(1);
    },
  );
  // Past the margin: DESC lists move under a cursor when jobs are created (at the head, before
  // it), ASC lists when the oldest jobs are deleted (retention, before it). k as above.
  it.each([
    ['DESC', 'forwards', 4],
    ['DESC', 'backwards', 4],
    ['ASC', 'forwards', 30],
    ['ASC', 'backwards', 4],
  ] as const)(
    '%s %s past the margin (cursor %i jobs into the scan): the right page, in 2 to 6 calls, reported by X-Debug-Upstream',
    async (order, way, k) => {
      const walk = liveWalk();
      const cursors = await cursorsOf(order);
      const sorted = [...walk].sort(inOrder(order));
      const scan = way === 'forwards' ? sorted : [...sorted].reverse();
      const cursorJob = { id: scan[k]!.id, createdAt: scan[k]!.createdAt };
      const cursor = cursors[way === 'forwards' ? k : sorted.length - 1 - k]!;
      if (order === 'DESC') stack.simulator.createJobs({ namespace: 'org', repository: 'walk', count: 30 });
      else {
        const oldest = [...walk].sort(inOrder('ASC')).slice(0, 20);
        expect(oldest.some((job) => job.id === cursorJob.id)).toBe(false);
        stack.simulator.deleteJobs({ namespace: 'org', repository: 'walk', ids: oldest.map((job) => job.id) });
      }
      // The cursor's job moved by more than the margin (10) in the order.
      const moved = [...walk].sort(inOrder(order)).findIndex((job) => job.id === cursorJob.id) - sorted.indexOf(scan[k]!);
      expect(Math.abs(moved)).toBeGreaterThan(10);
      const expected = expectedPage(walk, order, way, cursorJob, 5);
      expect(expected.ids).toHaveLength(5);
      const { connection, requests, reported } = await pageWithCalls(
        way === 'forwards' ? `first: 5, after: "${cursor}", order: ${order}` : `last: 5, before: "${cursor}", order: ${order}`,
      );
      expect(shape(connection)).toEqual(expected);
      expect(requests).toBeGreaterThan(1);
      expect(requests).toBeLessThanOrEqual(6);
      expect(reported).toBe(requests);
    },
  );

  // Changes beyond the cursor's job (the tail: created in ASC, the oldest deleted in DESC) do not
  // move its place, however many: one call still.
  it.each([
    ['ASC', 'forwards'],
    ['ASC', 'backwards'],
    ['DESC', 'forwards'],
    ['DESC', 'backwards'],
  ] as const)(
    '%s %s with jobs changed at the tail, beyond the cursor (30 created in ASC, the 8 oldest deleted in DESC): the right page in one call',
    async (order, way) => {
      const walk = liveWalk();
      const cursors = await cursorsOf(order);
      const sorted = [...walk].sort(inOrder(order));
      // The cursor's job 14 jobs into the order: far from the tail either way.
      const k = way === 'forwards' ? 14 : sorted.length - 1 - 14;
      const scan = way === 'forwards' ? sorted : [...sorted].reverse();
      const cursorJob = { id: scan[k]!.id, createdAt: scan[k]!.createdAt };
      const cursor = cursors[way === 'forwards' ? k : sorted.length - 1 - k]!;
      const before = sorted.indexOf(scan[k]!);
      if (order === 'ASC') stack.simulator.createJobs({ namespace: 'org', repository: 'walk', count: 30 });
      else {
        const oldest = [...walk].sort(inOrder('ASC')).slice(0, 8);
        expect(oldest.some((job) => job.id === cursorJob.id)).toBe(false);
        stack.simulator.deleteJobs({ namespace: 'org', repository: 'walk', ids: oldest.map((job) => job.id) });
      }
      expect([...walk].sort(inOrder(order)).findIndex((job) => job.id === cursorJob.id)).toBe(before);
      const expected = expectedPage(walk, order, way, cursorJob, 5);
      const { connection, requests, reported } = await pageWithCalls(
        way === 'forwards' ? `first: 5, after: "${cursor}", order: ${order}` : `last: 5, before: "${cursor}", order: ${order}`,
      );
      expect(shape(connection)).toEqual(expected);
      expect(requests).toBe(1);
      expect(reported).toBe(1);
    },
  );
});

describe('Relay object identification', () => {
  const walkId = repositoryToNodeId({ namespace: 'org', name: 'walk' });

  it('gives a repository a global id that node(id:) decodes without any upstream call', async () => {
    const response = await stack.query(
      `{ repository(namespace: "org", name: "walk") { id } node(id: "${walkId}") { __typename id ... on Repository { namespace name } } }`,
    );
    expect(response.data).toEqual({
      repository: { id: walkId },
      node: { __typename: 'Repository', id: walkId, namespace: 'org', name: 'walk' },
    });
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('resolves fields under a node through the same loaders, deduplicated with repository(…)', async () => {
    const response = await stack.query(
      `{ node(id: "${walkId}") { ... on Repository { syncJobs(first: 3) { totalCount } } } ` +
        'repository(namespace: "org", name: "walk") { syncJobs(first: 3) { totalCount } } }',
      { headers: { 'x-debug-upstream': '1' } },
    );
    expect(response.data).toEqual({ node: { syncJobs: { totalCount: 45 } }, repository: { syncJobs: { totalCount: 45 } } });
    expect(stack.simulator.requests).toHaveLength(1);
    expect((response.extensions as { upstream: object }).upstream).toMatchObject({ calls: 1, lookups: 2, deduplicated: 1 });
  });

  it('answers nodes(ids:) id by id: a refused id fails at its own index, an id of an unknown type is null', async () => {
    const otherType = Buffer.from('Team:42', 'utf8').toString('base64url');
    const badName = repositoryToNodeId({ namespace: 'Org', name: 'walk' });
    const response = await stack.query(
      `{ nodes(ids: ["${walkId}", "not-ours", "${otherType}", "${badName}", "100047"]) { __typename ... on Repository { name } } }`,
    );
    expect(response.data).toEqual({ nodes: [{ __typename: 'Repository', name: 'walk' }, null, null, null, null] });
    expect(response.errors?.map((error) => [error.path, error.extensions?.code])).toEqual([
      [['nodes', 1], 'BAD_USER_INPUT'],
      [['nodes', 3], 'BAD_USER_INPUT'],
      [['nodes', 4], 'BAD_USER_INPUT'],
    ]);
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('refuses more than 50 ids, and counts nodes in the upstream-call budget before any call', async () => {
    const many = Array.from({ length: 51 }, (_, index) => repositoryToNodeId({ namespace: 'org', name: `r${index}` }));
    const refused = await stack.query(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { variables: { ids: many } });
    expect(refused.data).toBeUndefined();
    expect(refused.errors?.[0]).toMatchObject({
      message: '`ids` holds at most 50 ids, received 51',
      path: ['nodes'],
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const tight = await startStack({ data: data(), env: { MAX_UPSTREAM_CALLS: '3' }, inMemory: true });
    try {
      const query =
        'query($ids: [ID!]!) { nodes(ids: $ids) { ... on Repository ' +
        '{ a: syncJobs(first: 1) { totalCount } b: syncJobs(first: 1, order: ASC) { totalCount } } } }';
      const costly = await tight.query(query, { variables: { ids: [walkId, repositoryToNodeId({ namespace: 'org', name: 'other' })] } });
      expect(costly.errors?.[0]?.extensions).toMatchObject({
        code: 'OPERATION_TOO_EXPENSIVE',
        limit: 'MAX_UPSTREAM_CALLS',
        estimatedUpstreamCalls: 4,
      });
      expect(tight.simulator.requests).toHaveLength(0);
    } finally {
      await tight.close();
    }
  });

  it('refuses an id the gateway did not issue in node(id:)', async () => {
    const response = await stack.query('{ node(id: "not-ours") { id } }');
    expect(response.data).toEqual({ node: null });
    expect(response.errors).toEqual([expect.objectContaining({ path: ['node'], extensions: { code: 'BAD_USER_INPUT' } })]);
  });
});
