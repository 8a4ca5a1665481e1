import { describe, expect, it } from 'vitest';
import { connectionFromSlice } from '../../src/paging/connection.js';
import { pagePlanFromArgs, type PagingArgs } from '../../src/paging/page-plan.js';
import { sliceFromPlan, type LoadPage } from '../../src/paging/page-slice.js';
import type { SwrOrder, SwrSyncJob } from '../../src/swr/types.js';
import { swrJob } from '../support/swr-job.js';

// Paging a list that changes under the client, against an in-memory SWR that orders by creation
// time only and puts jobs of one instant in a new random order on every call (as SWR may). Every
// job that exists from the first page to the last must be seen exactly once, in the gateway's
// order, whatever is created or deleted in between.

function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');
const time = (second: number, micros = 0) => `2025-01-01T00:${pad(Math.floor(second / 60))}:${pad(second % 60)}.${pad(micros, 6)}Z`;

function upstream(rand: () => number) {
  const jobs: SwrSyncJob[] = [];
  let nextId = 1;
  let second = 0;
  const calls: Array<[number, number, SwrOrder]> = [];
  const add = (count: number, sameInstant = false) => {
    const created: SwrSyncJob[] = [];
    for (let index = 0; index < count; index += 1) {
      if (!sameInstant || index === 0) second += 1;
      const createdAt = time(second, sameInstant ? 500 : (nextId * 37) % 1000);
      const job = swrJob({ id: nextId++, tag: 't', createdAt });
      jobs.push(job);
      created.push(job);
    }
    return created;
  };
  const remove = (ids: number[]) => {
    for (const id of ids)
      jobs.splice(
        jobs.findIndex((job) => job.id === id),
        1,
      );
  };
  const load =
    (order: SwrOrder): LoadPage =>
    async (offset, limit) => {
      calls.push([offset, limit, order]);
      const ranks = new Map(jobs.map((job) => [job.id, rand()]));
      const sorted = [...jobs].sort((a, b) =>
        a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : ranks.get(a.id)! - ranks.get(b.id)!,
      );
      if (order === 'desc') sorted.reverse();
      return { offset, items: sorted.slice(offset, offset + limit), total: sorted.length, requestId: null };
    };
  return { jobs, add, remove, load, calls };
}

const sizes = { defaultPageSize: 20, maxPageSize: 100 };

async function pageOf(list: ReturnType<typeof upstream>, args: PagingArgs) {
  const plan = pagePlanFromArgs(args, sizes);
  return connectionFromSlice(await sliceFromPlan(plan, list.load(args.order), { maxLimit: 100 }), args.order);
}

// The gateway's order: creation time, ties by id; DESC is ASC reversed.
const inOrder = (jobs: SwrSyncJob[], order: SwrOrder) => {
  const ascending = [...jobs].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id - b.id));
  return order === 'asc' ? ascending : ascending.reverse();
};

describe('stable cursors over a changing list', () => {
  it.each([
    ['DESC, forwards', 'desc', 'forward'],
    ['ASC, forwards', 'asc', 'forward'],
    ['DESC, backwards', 'desc', 'backward'],
    ['ASC, backwards', 'asc', 'backward'],
  ] as const)(
    '%s with jobs created (some in one instant) and deleted between pages: each lasting job once, in order',
    async (_label, order, way) => {
      for (const seed of [1, 2, 3, 4, 5]) {
        const rand = random(seed);
        const list = upstream(rand);
        list.add(40);
        list.add(6, true);
        list.add(30);
        const lasting = new Set(list.jobs.map((job) => job.id));
        const seen: number[] = [];
        let cursor: string | null = null;
        for (let pages = 0; pages < 40; pages += 1) {
          const connection = await pageOf(
            list,
            way === 'forward' ? { order, first: 7, after: cursor } : { order, last: 7, before: cursor },
          );
          const ids = connection.nodes.map((node) => Number(node.id));
          seen.push(...(way === 'forward' ? ids : [...ids].reverse()));
          const more = way === 'forward' ? connection.pageInfo.hasNextPage : connection.pageInfo.hasPreviousPage;
          cursor = way === 'forward' ? connection.pageInfo.endCursor : connection.pageInfo.startCursor;
          if (!more) break;
          // Between pages: a few pushes (at the head of DESC, the end of ASC), some in one instant,
          // and a deletion of a job not yet shown and of one already shown.
          list.add(1 + Math.floor(rand() * 3), rand() < 0.3);
          const unseen = list.jobs.filter((job) => !seen.includes(job.id) && lasting.has(job.id));
          const shown = list.jobs.filter((job) => seen.includes(job.id));
          const doomed = [unseen[Math.floor(rand() * unseen.length)], shown[Math.floor(rand() * shown.length)]].filter(
            (job) => job !== undefined,
          );
          if (rand() < 0.5) {
            for (const job of doomed) lasting.delete(job.id);
            list.remove(doomed.map((job) => job.id));
          }
        }
        expect(new Set(seen).size, `seed ${seed}: a job seen twice`).toBe(seen.length);
        const expected = inOrder(
          list.jobs.filter((job) => lasting.has(job.id)),
          order,
        ).map((job) => job.id);
        const traversal = way === 'forward' ? expected : [...expected].reverse();
        // Jobs created during the walk ahead of the cursor may be seen too (ASC forwards, DESC
        // backwards); every lasting job is seen, once, in order.
        expect(
          seen.filter((id) => lasting.has(id)),
          `seed ${seed}`,
        ).toEqual(traversal);
      }
    },
  );

  it('costs one call per page while the list drifts by less than the margin', async () => {
    const list = upstream(random(9));
    list.add(60);
    let cursor: string | null = null;
    for (let page = 0; page < 5; page += 1) {
      const before = list.calls.length;
      const connection = await pageOf(list, { order: 'desc', first: 10, after: cursor });
      expect(list.calls.length - before).toBe(1);
      cursor = connection.pageInfo.endCursor;
      list.add(3);
    }
  });

  it('reads further, within a few calls, when the drift is larger than the margin, and stays exact', async () => {
    const list = upstream(random(11));
    list.add(100);
    const first = await pageOf(list, { order: 'desc', first: 10 });
    list.add(250);
    const before = list.calls.length;
    const second = await pageOf(list, { order: 'desc', first: 10, after: first.pageInfo.endCursor });
    const calls = list.calls.length - before;
    expect(calls).toBeGreaterThan(1);
    expect(calls).toBeLessThanOrEqual(3);
    expect(second.nodes.map((node) => Number(node.id))).toEqual([90, 89, 88, 87, 86, 85, 84, 83, 82, 81]);
    expect(second.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    expect(second.totalCount).toBe(350);
  });

  it('finds the place of a cursor whose own job was deleted, by its creation time', async () => {
    const list = upstream(random(12));
    list.add(30);
    const first = await pageOf(list, { order: 'desc', first: 5 });
    list.remove([26]);
    const second = await pageOf(list, { order: 'desc', first: 5, after: first.pageInfo.endCursor });
    expect(second.nodes.map((node) => Number(node.id))).toEqual([25, 24, 23, 22, 21]);
  });

  it('says hasPreviousPage once jobs were created at the head of a DESC list', async () => {
    const list = upstream(random(13));
    list.add(30);
    const first = await pageOf(list, { order: 'desc', first: 5 });
    expect(first.pageInfo.hasPreviousPage).toBe(false);
    list.add(4);
    const back = await pageOf(list, { order: 'desc', last: 5, before: first.pageInfo.startCursor });
    expect(back.nodes.map((node) => Number(node.id))).toEqual([34, 33, 32, 31]);
    expect(back.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
  });

  it('cuts after+before ranges by both jobs', async () => {
    const list = upstream(random(14));
    list.add(30);
    const page = await pageOf(list, { order: 'asc', first: 20 });
    const after = page.edges[2]!.cursor;
    const before = page.edges[9]!.cursor;
    list.add(5);
    const between = await pageOf(list, { order: 'asc', first: 10, after, before });
    expect(between.nodes.map((node) => Number(node.id))).toEqual([4, 5, 6, 7, 8, 9]);
    expect(between.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    const lastTwo = await pageOf(list, { order: 'asc', last: 2, after, before });
    expect(lastTwo.nodes.map((node) => Number(node.id))).toEqual([8, 9]);
  });

  // Pages of `size` from the start (the first page without a cursor), each page's ids.
  const walk = async (list: ReturnType<typeof upstream>, order: SwrOrder, firstSize: number, size: number) => {
    const pages: number[][] = [];
    let cursor: string | null = null;
    for (;;) {
      const connection = await pageOf(list, { order, first: pages.length === 0 ? firstSize : size, after: cursor });
      pages.push(connection.nodes.map((node) => Number(node.id)));
      if (!connection.pageInfo.hasNextPage) return pages;
      cursor = connection.pageInfo.endCursor;
    }
  };
  const ascending = Array.from({ length: 18 }, (_, index) => index + 1);

  it('orders jobs of one instant by id, the same on every call however SWR shuffles them', async () => {
    const list = upstream(random(15));
    list.add(3);
    list.add(12, true);
    list.add(3);
    // The first page ends before the instant of the twelve: every page after it is cut in the gateway's order.
    expect((await walk(list, 'asc', 3, 4)).flat()).toEqual(ascending);
    expect((await walk(list, 'desc', 3, 4)).flat()).toEqual([...ascending].reverse());
  });

  it('loses no job of an instant that SWR served partly beyond a first page, and repeats none', async () => {
    for (const seed of [16, 17, 18, 19, 20]) {
      const list = upstream(random(seed));
      list.add(3);
      list.add(12, true);
      list.add(3);
      for (const order of ['asc', 'desc'] as const) {
        // The first page (`limit::8|offset::0`, no cursor) holds whichever five of the twelve SWR served first.
        const pages = await walk(list, order, 8, 4);
        expect(
          [...pages.flat()].sort((a, b) => a - b),
          `seed ${seed} ${order}`,
        ).toEqual(ascending);
        for (const page of pages)
          expect(page, `seed ${seed} ${order}: a page in the gateway's order`).toEqual(
            [...page].sort((a, b) => (order === 'asc' ? a - b : b - a)),
          );
      }
    }
  });
});

describe('paging back while jobs are deleted in bulk', () => {
  // A client pages back from the list's end, 3 at a time, while every third page 40 jobs are
  // deleted: at the head of the list (ahead of the walk) or at its end (behind it, the jobs it
  // already saw, as retention deletes the oldest of a DESC list).
  it.each([
    ['desc', 'ahead'],
    ['asc', 'ahead'],
    ['desc', 'behind'],
    ['asc', 'behind'],
  ] as const)('%s, deleted %s of the walk: each job that lasts seen once, and no page refused', async (order, where) => {
    const list = upstream(random(7));
    list.add(300);
    const deleted = new Set<number>();
    const seen: number[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 150; pages += 1) {
      const connection = await pageOf(list, { order, last: 3, before: cursor });
      seen.unshift(...connection.nodes.map((node) => Number(node.id)));
      if (!connection.pageInfo.hasPreviousPage) break;
      cursor = connection.pageInfo.startCursor;
      if (pages % 3 === 1) {
        const newestFirst = inOrder(list.jobs, 'desc');
        const atHead = (order === 'desc') === (where === 'ahead');
        const doomed = (atHead ? newestFirst.slice(0, 40) : newestFirst.slice(-40)).map((job) => job.id);
        for (const id of doomed) deleted.add(id);
        list.remove(doomed);
      }
    }
    expect(new Set(seen).size).toBe(seen.length);
    const lasting = inOrder(list.jobs, order).map((job) => job.id);
    expect(seen.filter((id) => !deleted.has(id))).toEqual(lasting);
  });
});

describe('cursors inside a tie group, in both directions', () => {
  // ASC: 1–4 one second apart, then 5–9 in one instant, then 10–13; DESC is ASC reversed.
  const tied = (seed: number) => {
    const list = upstream(random(seed));
    list.add(4);
    list.add(5, true);
    list.add(4);
    return list;
  };
  const idsOf = (connection: Awaited<ReturnType<typeof pageOf>>) => connection.nodes.map((node) => Number(node.id));

  it.each([
    // order, the first page's size, the cursor's page, the cursor's job, what lies just before it
    ['asc', 4, [5, 6, 7], 5, [2, 3, 4]],
    ['asc', 4, [5, 6, 7], 7, [4, 5, 6]],
    ['desc', 4, [9, 8, 7], 9, [12, 11, 10]],
    ['desc', 4, [9, 8, 7], 7, [10, 9, 8]],
  ] as const)(
    '%s: last: 3 before a job of the instant that a forward walk reached returns the jobs just before it, not later ties',
    async (order, firstSize, cursorPage, cursorJob, before) => {
      for (const seed of [21, 22, 23]) {
        const list = tied(seed);
        const first = await pageOf(list, { order, first: firstSize });
        const second = await pageOf(list, { order, first: 3, after: first.pageInfo.endCursor });
        expect(idsOf(second), `seed ${seed}`).toEqual(cursorPage);
        const cursor = second.edges[cursorPage.indexOf(cursorJob as never)]!.cursor;
        const back = await pageOf(list, { order, last: 3, before: cursor });
        expect(idsOf(back), `seed ${seed}`).toEqual(before);
      }
    },
  );

  it.each(['asc', 'desc'] as const)(
    '%s: a job is after a cursor, before it, or its own, exactly one of them, for every cursor of walks into the instant from either end',
    async (order) => {
      for (const seed of [24, 25, 26, 27, 28, 29]) {
        const list = tied(seed);
        const all = list.jobs.map((job) => job.id).sort((a, b) => a - b);
        // Pages whose edges fall inside the instant: the first page (whichever ties SWR served in
        // it), the last page alone (likewise from the end), and walks on from both.
        const cursors: Array<[string, number]> = [];
        const collect = (connection: Awaited<ReturnType<typeof pageOf>>) =>
          cursors.push(...connection.edges.map((edge): [string, number] => [edge.cursor, Number(edge.node.id)]));
        const head = await pageOf(list, { order, first: 6 });
        collect(head);
        collect(await pageOf(list, { order, first: 2, after: head.pageInfo.endCursor }));
        collect(await pageOf(list, { order, last: 2, before: head.pageInfo.endCursor }));
        const tail = await pageOf(list, { order, last: 6 });
        collect(tail);
        collect(await pageOf(list, { order, last: 2, before: tail.pageInfo.startCursor }));
        collect(await pageOf(list, { order, first: 2, after: tail.pageInfo.startCursor }));
        for (const [cursor, id] of cursors) {
          const after = idsOf(await pageOf(list, { order, first: 100, after: cursor }));
          const before = idsOf(await pageOf(list, { order, last: 100, before: cursor }));
          const label = `seed ${seed}, cursor of ${id}: before ${before.join(',')} after ${after.join(',')}`;
          expect(
            [...before, id, ...after].sort((a, b) => a - b),
            label,
          ).toEqual(all);
        }
      }
    },
  );

  it.each(['asc', 'desc'] as const)('%s: walking back from the last page alone, across the instant, shows each job once', async (order) => {
    for (const seed of [30, 31, 32, 33, 34]) {
      const list = tied(seed);
      const seen: number[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 10; pages += 1) {
        const connection = await pageOf(list, { order, last: 3, before: cursor });
        seen.unshift(...idsOf(connection));
        if (!connection.pageInfo.hasPreviousPage) break;
        cursor = connection.pageInfo.startCursor;
      }
      expect(
        [...seen].sort((a, b) => a - b),
        `seed ${seed}`,
      ).toEqual(list.jobs.map((job) => job.id).sort((a, b) => a - b));
    }
  });
});

describe('a tie group wider than a scan window', () => {
  // SWR's times may be coarse (a test double that stamps jobs in a loop to the millisecond): tens
  // of jobs can share one instant. A window that holds only the cursor's instant cannot place the
  // cursor; the scan reads it wider (up to SWR_MAX_LIMIT) instead of searching on.
  const lists = [
    [0, 47, 0],
    [3, 40, 4],
    [20, 33, 0],
  ] as const;
  // SWR's order within an instant, the same on every call: by id, or against it (a sort by time that keeps insertion order).
  const steady = (byId: 'with' | 'against') => () => {
    let id = 0;
    return () => (byId === 'with' ? (id += 1) : (id -= 1));
  };
  it.each([
    ['asc', 'forward', 10, 'with'],
    ['desc', 'forward', 10, 'with'],
    ['asc', 'backward', 10, 'with'],
    ['desc', 'backward', 10, 'against'],
    ['desc', 'forward', 2, 'against'],
    ['asc', 'backward', 2, 'with'],
    ['asc', 'forward', 7, 'against'],
  ] as const)('%s, %s, pages of %i, SWR ordering ties %s their ids: every job once', async (order, way, size, byId) => {
    for (const [before, tied, after] of lists) {
      const list = upstream(steady(byId)());
      list.add(before);
      list.add(tied, true);
      list.add(after);
      const seen: number[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 60; pages += 1) {
        const connection = await pageOf(
          list,
          way === 'forward' ? { order, first: size, after: cursor } : { order, last: size, before: cursor },
        );
        const ids = connection.nodes.map((node) => Number(node.id));
        if (way === 'forward') seen.push(...ids);
        else seen.unshift(...ids);
        if (!(way === 'forward' ? connection.pageInfo.hasNextPage : connection.pageInfo.hasPreviousPage)) break;
        cursor = way === 'forward' ? connection.pageInfo.endCursor : connection.pageInfo.startCursor;
      }
      const label = `${before} + ${tied} tied + ${after}`;
      expect(
        [...seen].sort((a, b) => a - b),
        label,
      ).toEqual(list.jobs.map((job) => job.id));
      // Outside the instant, the gateway's order holds.
      const untied = new Set(list.jobs.filter((job, index) => index < before || index >= before + tied).map((job) => job.id));
      expect(
        seen.filter((id) => untied.has(id)),
        label,
      ).toEqual(
        inOrder(list.jobs, order)
          .map((job) => job.id)
          .filter((id) => untied.has(id)),
      );
    }
  });
});

// An SWR that lists `jobs()` newest first, ties by ascending id (against the gateway's DESC order).
const newestFirstTiesAscending =
  (jobs: () => SwrSyncJob[]): LoadPage =>
  async (offset, limit) => {
    const sorted = [...jobs()].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id - b.id));
    return { offset, items: sorted.slice(offset, offset + limit), total: sorted.length, requestId: null };
  };

describe('a cursor older than every job left (retention replaced the whole list since)', () => {
  // The cursor (the second job of a DESC page) was issued on a list of `size` jobs a second apart;
  // then as many newer jobs came and the old ones went (the total unchanged), the oldest 10 of them
  // in one instant, which SWR lists by ascending id (against the gateway's DESC order). The last
  // window of the search holds one job of that instant at the list's end: its siblings lie
  // before it, so it is read wider rather than taken as it is.
  it.each([
    [60, 1],
    [100, 21],
  ])("last before it on %i jobs, %i asked: the list's last jobs, in order", async (size, count) => {
    let jobs = Array.from({ length: size }, (_, index) => swrJob({ id: index + 1, tag: 't', createdAt: time(index) }));
    const load = newestFirstTiesAscending(() => jobs);
    const issued = connectionFromSlice(
      await sliceFromPlan(pagePlanFromArgs({ order: 'desc', first: 40 }, sizes), load, { maxLimit: 100 }),
      'desc',
    );
    jobs = Array.from({ length: size }, (_, index) =>
      swrJob({ id: 1000 + index, tag: 't', createdAt: time(1000 + Math.max(0, index - 9)) }),
    );
    const plan = pagePlanFromArgs({ order: 'desc', last: count, before: issued.edges[1]!.cursor }, sizes);
    const page = connectionFromSlice(await sliceFromPlan(plan, load, { maxLimit: 100 }), 'desc');
    const newestFirst = inOrder(jobs, 'desc').map((job) => Number(job.id));
    expect(page.nodes.map((node) => Number(node.id))).toEqual(newestFirst.slice(-count));
    expect(page.pageInfo).toMatchObject({ hasPreviousPage: size > count, hasNextPage: false });
  });

  it('last before it, where the oldest 80 jobs share one instant: a window that would reach past the end ends there', async () => {
    // 150 jobs a second apart when the cursor was issued (its job 27th newest); then 200 newer
    // ones replaced them all, the oldest 80 of those in one instant.
    let jobs = Array.from({ length: 150 }, (_, index) => swrJob({ id: index + 1, tag: 't', createdAt: time(index) }));
    const load = newestFirstTiesAscending(() => jobs);
    const issued = connectionFromSlice(
      await sliceFromPlan(pagePlanFromArgs({ order: 'desc', first: 100 }, sizes), load, { maxLimit: 100 }),
      'desc',
    );
    jobs = Array.from({ length: 200 }, (_, index) =>
      swrJob({ id: 5000 + index, tag: 't', createdAt: time(index < 80 ? 200 : 5000 + index) }),
    );
    const plan = pagePlanFromArgs({ order: 'desc', last: 23, before: issued.edges[26]!.cursor }, sizes);
    const page = connectionFromSlice(await sliceFromPlan(plan, load, { maxLimit: 100 }), 'desc');
    expect(page.nodes.map((node) => Number(node.id))).toEqual(
      inOrder(jobs, 'desc')
        .map((job) => Number(job.id))
        .slice(-23),
    );
  });
});
