import { describe, expect, it } from 'vitest';
import type { PagePlan } from '../../src/paging/page-plan.js';
import { keyOf } from '../../src/paging/job-order.js';
import { sliceFromPlan, type LoadPage, type PageSlice } from '../../src/paging/page-slice.js';
import type { SyncJobPage } from '../../src/swr/client.js';
import type { SwrSyncJob } from '../../src/swr/types.js';

// A list of `total` jobs whose ids are their positions (newest first: DESC), behind a recording loadPage.
function fakeUpstream(total: number, options: { contentRange: boolean } = { contentRange: true }) {
  const calls: Array<[offset: number, limit: number]> = [];
  const createdAt = (id: number) => new Date(Date.UTC(2025, 0, 1) + (total - id) * 1000).toISOString();
  const jobs = Array.from({ length: total }, (_, id) => ({ id, createdAt: createdAt(id) }) as SwrSyncJob);
  const loadPage: LoadPage = async (offset, limit): Promise<SyncJobPage> => {
    calls.push([offset, limit]);
    return {
      offset,
      items: jobs.slice(offset, offset + limit),
      total: options.contentRange ? total : null,
      requestId: null,
    };
  };
  return { calls, loadPage };
}

const walk = { maxLimit: 10 };
const range = (start: number, count: number): PagePlan => ({ kind: 'range', order: 'desc', start, count });
const tail = (from: number, count: number): PagePlan => ({ kind: 'tail', order: 'desc', from, count });
// A slice as the cases state it: ids for items, and the keys it carries (if any) checked to be its items' own.
function comparable(slice: PageSlice) {
  if (slice.keys) expect(slice.keys).toEqual(slice.items.map(keyOf));
  return { ...slice, items: undefined, keys: undefined, ids: slice.items.map((job) => job.id) };
}

const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => from + index);
// Pages of `last` (a tail, or a range before a cursor) are read backwards: their cursors put the
// jobs of an instant SWR served beyond the page before them.
const readWay = (plan: PagePlan) => (plan.kind === 'tail' || (plan.kind === 'range' && plan.tail) ? { direction: 'backward' } : {});

describe('slices with Content-Range', () => {
  it.each<[string, PagePlan, number, Array<[number, number]>, object]>([
    ['a first page', range(0, 10), 47, [[0, 10]], { start: 0, ids: ids(0, 10), total: 47, hasPreviousPage: false, hasNextPage: true }],
    ['a middle page', range(10, 10), 47, [[10, 10]], { start: 10, ids: ids(10, 20), total: 47, hasPreviousPage: true, hasNextPage: true }],
    [
      'the exact last page',
      range(40, 7),
      47,
      [[40, 7]],
      { start: 40, ids: ids(40, 47), total: 47, hasPreviousPage: true, hasNextPage: false },
    ],
    ['a page past the end', range(50, 5), 47, [[50, 5]], { start: 50, ids: [], total: 47, hasPreviousPage: true, hasNextPage: false }],
    [
      'an empty window asks for one item',
      range(0, 0),
      47,
      [[0, 1]],
      { start: 0, ids: [], total: 47, hasPreviousPage: false, hasNextPage: true },
    ],
    ['an empty list', range(0, 20), 0, [[0, 20]], { start: 0, ids: [], total: 0, hasPreviousPage: false, hasNextPage: false }],
    [
      'last alone on a long list: head, then the tail',
      tail(0, 10),
      47,
      [
        [0, 10],
        [37, 10],
      ],
      { start: 37, ids: ids(37, 47), total: 47, hasPreviousPage: true, hasNextPage: false },
    ],
    [
      'last alone on a short list: one call',
      tail(0, 10),
      8,
      [[0, 10]],
      { start: 0, ids: ids(0, 8), total: 8, hasPreviousPage: false, hasNextPage: false },
    ],
    [
      'last alone, exactly the list',
      tail(0, 8),
      8,
      [[0, 8]],
      { start: 0, ids: ids(0, 8), total: 8, hasPreviousPage: false, hasNextPage: false },
    ],
    ['last: 0 alone: one call', tail(0, 0), 47, [[0, 1]], { start: 47, ids: [], total: 47, hasPreviousPage: true, hasNextPage: false }],
    [
      'last after a cursor, list ends in the head',
      tail(40, 10),
      47,
      [[40, 10]],
      { start: 40, ids: ids(40, 47), total: 47, hasPreviousPage: true, hasNextPage: false },
    ],
    [
      'last after a cursor past the end',
      tail(60, 10),
      47,
      [[60, 10]],
      { start: 60, ids: [], total: 47, hasPreviousPage: true, hasNextPage: false },
    ],
    [
      'last before a stale cursor past the end: the last items',
      { kind: 'range', order: 'desc', start: 55, count: 5, tail: { from: 0, count: 5 } },
      47,
      [
        [55, 5],
        [42, 5],
      ],
      { start: 42, ids: ids(42, 47), total: 47, hasPreviousPage: true, hasNextPage: false },
    ],
    [
      'last before a cursor at the very end: one call',
      { kind: 'range', order: 'desc', start: 42, count: 5, tail: { from: 0, count: 5 } },
      47,
      [[42, 5]],
      { start: 42, ids: ids(42, 47), total: 47, hasPreviousPage: true, hasNextPage: false },
    ],
  ])('%s', async (_label, plan, total, expectedCalls, expected) => {
    const upstream = fakeUpstream(total);
    const slice = await sliceFromPlan(plan, upstream.loadPage, walk);
    expect(comparable(slice)).toEqual({
      ...expected,
      ...readWay(plan),
      items: undefined,
    });
    expect(upstream.calls).toEqual(expectedCalls);
  });
});

describe('slices without Content-Range', () => {
  it.each<[string, PagePlan, number, Array<[number, number]>, object]>([
    ['a short page is the last', range(40, 10), 47, [[40, 10]], { start: 40, ids: ids(40, 47), hasPreviousPage: true, hasNextPage: false }],
    [
      'a full page asks one item more',
      range(0, 10),
      47,
      [
        [0, 10],
        [10, 1],
      ],
      { start: 0, ids: ids(0, 10), hasPreviousPage: false, hasNextPage: true },
    ],
    [
      'a full page that ends the list',
      range(37, 10),
      47,
      [
        [37, 10],
        [47, 1],
      ],
      { start: 37, ids: ids(37, 47), hasPreviousPage: true, hasNextPage: false },
    ],
    ['an empty window', range(5, 0), 47, [[5, 1]], { start: 5, ids: [], hasPreviousPage: true, hasNextPage: true }],
    ['last alone on a short list', tail(0, 10), 8, [[0, 10]], { start: 0, ids: ids(0, 8), hasPreviousPage: false, hasNextPage: false }],
    [
      'last alone on a long list walks to the end',
      tail(0, 5),
      47,
      [
        [0, 5],
        [5, 10],
        [15, 10],
        [25, 10],
        [35, 10],
        [45, 10],
      ],
      { start: 42, ids: ids(42, 47), hasPreviousPage: true, hasNextPage: false },
    ],
    [
      'last: 0 alone walks to the end',
      tail(0, 0),
      12,
      [
        [0, 1],
        [1, 10],
        [11, 10],
      ],
      { start: 12, ids: [], hasPreviousPage: true, hasNextPage: false },
    ],
  ])('%s', async (_label, plan, total, expectedCalls, expected) => {
    const upstream = fakeUpstream(total, { contentRange: false });
    const slice = await sliceFromPlan(plan, upstream.loadPage, walk);
    expect(comparable(slice)).toEqual({
      ...expected,
      ...readWay(plan),
      total: null,
      items: undefined,
    });
    expect(upstream.calls).toEqual(expectedCalls);
  });

  it('stops walking when a lookup fails (the loader refuses calls over the budget)', async () => {
    const upstream = fakeUpstream(1000, { contentRange: false });
    const budgeted: LoadPage = (offset, limit) =>
      upstream.calls.length >= 3 ? Promise.reject(new Error('over budget')) : upstream.loadPage(offset, limit);
    await expect(sliceFromPlan(tail(0, 5), budgeted, walk)).rejects.toThrow('over budget');
    expect(upstream.calls).toHaveLength(3);
  });
});

describe('last alone while the list changes between its calls', () => {
  const job = (id: number) => ({ id, createdAt: new Date(Date.UTC(2025, 0, 1) + id * 1000).toISOString() }) as SwrSyncJob;
  // A list newest first (DESC) whose head changes by `change(call)` before each call is answered.
  function changingUpstream(initial: number[], change: (call: number, jobs: SwrSyncJob[]) => SwrSyncJob[]) {
    let jobs = initial.map(job);
    const calls: Array<[number, number]> = [];
    const loadPage: LoadPage = async (offset, limit) => {
      calls.push([offset, limit]);
      jobs = change(calls.length, jobs);
      return { offset, items: jobs.slice(offset, offset + limit), total: jobs.length, requestId: null };
    };
    return { calls, loadPage };
  }
  const newest = (jobs: SwrSyncJob[]) => Math.max(...jobs.map((item) => item.id));

  it('finds the tail within its margin when a push lands between the calls: two calls', async () => {
    const upstream = changingUpstream([8, 7, 6, 5, 4, 3, 2, 1], (call, jobs) => (call === 2 ? [job(9), ...jobs] : jobs));
    const slice = await sliceFromPlan(tail(0, 5), upstream.loadPage, walk);
    expect(slice.items.map((item) => item.id)).toEqual([5, 4, 3, 2, 1]);
    expect(slice).toMatchObject({ start: 4, total: 9, hasPreviousPage: true, hasNextPage: false });
    // maxLimit 10: the margin is 2 each side of the 5 (3..8 as the head's total put it).
    expect(upstream.calls).toEqual([
      [0, 5],
      [1, 9],
    ]);
  });

  it('finds the tail when a push lands before every call, or deletions at the head shorten the list', async () => {
    const pushes = changingUpstream(
      Array.from({ length: 60 }, (_, index) => 60 - index),
      (_call, jobs) => [job(newest(jobs) + 1), ...jobs],
    );
    const pushed = await sliceFromPlan(tail(0, 5), pushes.loadPage, { maxLimit: 100 });
    expect(pushed.items.map((item) => item.id)).toEqual([5, 4, 3, 2, 1]);
    expect(pushed).toMatchObject({ total: 62, hasNextPage: false });
    expect(pushes.calls).toHaveLength(2);

    const deletions = changingUpstream(
      Array.from({ length: 60 }, (_, index) => 60 - index),
      (call, jobs) => (call === 2 ? jobs.slice(4) : jobs),
    );
    const shortened = await sliceFromPlan(tail(0, 5), deletions.loadPage, { maxLimit: 100 });
    expect(shortened.items.map((item) => item.id)).toEqual([5, 4, 3, 2, 1]);
    expect(shortened).toMatchObject({ total: 56, hasNextPage: false });
    expect(deletions.calls).toHaveLength(2);
  });

  it('reads the tail again where the new total puts it when the list moved beyond the margin', async () => {
    // 30 jobs; 12 pushes land right after the head call (the margin is 2 with maxLimit 10).
    const upstream = changingUpstream(
      Array.from({ length: 30 }, (_, index) => 30 - index),
      (call, jobs) => (call === 2 ? [...Array.from({ length: 12 }, (_, index) => job(42 - index)), ...jobs] : jobs),
    );
    const slice = await sliceFromPlan(tail(0, 5), upstream.loadPage, walk);
    expect(slice.items.map((item) => item.id)).toEqual([5, 4, 3, 2, 1]);
    expect(slice).toMatchObject({ start: 37, total: 42, hasNextPage: false });
    expect(upstream.calls).toEqual([
      [0, 5],
      [23, 9],
      [35, 9],
    ]);
  });
});
