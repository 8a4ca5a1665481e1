import { afterEach, describe, expect, it, vi } from 'vitest';
import { changesFrom, emptyWatchState } from '../../src/live/job-changes.js';
import { serialize, stateFrom } from '../../src/live/shared-watch-messages.js';
import { createSubscriberQueue } from '../../src/live/subscriber-queue.js';
import { createWatch, MAX_READ_ON_PAGES, WATCH_PAGE_SIZE } from '../../src/live/watch.js';
import { SwrHttpError } from '../../src/swr/errors.js';
import type { SwrSyncJob } from '../../src/swr/types.js';
import { swrJob } from '../support/swr-job.js';

// The parts of live updates without a network: a subscriber's queue, what a poll reports, and a
// watch polling an in-memory list (newest first) under fake timers.

const job = (id: number, status = 'running', second = id): SwrSyncJob => {
  const at = `2025-01-01T00:00:00.000000Z`.replace(
    '00:00:00',
    [Math.floor(second / 3600), Math.floor(second / 60) % 60, second % 60].map((part) => String(part).padStart(2, '0')).join(':'),
  );
  return swrJob({ id, status, repoName: 'app', remoteRegionId: 'r', createdAt: at });
};

describe('subscriber queue', () => {
  it('hands events to a waiting pull, buffers the rest in order, and ends after what is buffered', async () => {
    const queue = createSubscriberQueue<number>({ maxBuffered: 10, overflow: () => new Error('slow') });
    const pulled = queue.next();
    queue.push(1);
    queue.push(2);
    queue.push(3);
    queue.end();
    expect(queue.push(4)).toBe(false);
    expect(await pulled).toEqual({ value: 1, done: false });
    expect(await queue.next()).toEqual({ value: 2, done: false });
    expect(await queue.next()).toEqual({ value: 3, done: false });
    expect(await queue.next()).toEqual({ value: undefined, done: true });
  });

  it('drops what waits and yields the overflow error last once maxBuffered events wait', async () => {
    const ended = vi.fn();
    const queue = createSubscriberQueue<number>({ maxBuffered: 3, overflow: () => new Error('too slow'), onEnd: ended });
    for (const value of [1, 2, 3]) expect(queue.push(value)).toBe(true);
    expect(queue.push(4)).toBe(false);
    expect(queue.ended).toBe(true);
    expect(ended).toHaveBeenCalledTimes(1);
    const { value } = await queue.next();
    expect(value).toBeInstanceOf(Error);
    expect((value as Error).message).toBe('too slow');
    expect(await queue.next()).toEqual({ value: undefined, done: true });
  });

  it('gives a waiting pull the error it is ended with, and calls onEnd once however it ends', async () => {
    const ended = vi.fn();
    const queue = createSubscriberQueue<number>({ maxBuffered: 3, overflow: () => new Error('x'), onEnd: ended });
    const pulled = queue.next();
    queue.end(new Error('gone'));
    expect(((await pulled).value as Error).message).toBe('gone');
    await queue.return!();
    queue.end();
    expect(ended).toHaveBeenCalledTimes(1);
  });

  it('ends at once when its client leaves (return), dropping what was buffered', async () => {
    const queue = createSubscriberQueue<number>({ maxBuffered: 3, overflow: () => new Error('x') });
    queue.push(1);
    expect(await queue.return!()).toEqual({ value: undefined, done: true });
    expect(await queue.next()).toEqual({ value: undefined, done: true });
  });
});

describe('changesFrom', () => {
  it('reports nothing at the baseline, then CREATED oldest first and UPDATED for changed jobs only', () => {
    const baseline = changesFrom(emptyWatchState(), [job(3), job(2), job(1)]);
    expect(baseline.changes).toEqual([]);
    const next = changesFrom(baseline.state, [job(5), job(4), job(3, 'success'), job(2), job(1)]);
    expect(next.changes.map((change) => [change.kind, change.job.id])).toEqual([
      ['CREATED', 4],
      ['CREATED', 5],
      ['UPDATED', 3],
    ]);
    expect(changesFrom(next.state, [job(5), job(4), job(3, 'success')]).changes).toEqual([]);
  });

  it('does not report an older job that moves into view as newer ones are deleted', () => {
    const baseline = changesFrom(emptyWatchState(), [job(9), job(8)]);
    expect(changesFrom(baseline.state, [job(9), job(7)]).changes).toEqual([]);
  });

  it('takes a read of an empty list as the baseline: every job after it is CREATED', () => {
    const baseline = changesFrom(emptyWatchState(), []);
    expect(baseline.changes).toEqual([]);
    expect(baseline.state).toEqual({ baseline: true, newest: null, known: new Map(), newestComplete: false });
    const next = changesFrom(baseline.state, [job(1)]);
    expect(next.changes.map((change) => [change.kind, change.job.id])).toEqual([['CREATED', 1]]);
  });

  it('reports a job created in the instant of the newest seen, whatever its id, once the last poll read that whole instant', () => {
    // Jobs 5 and 6 share second 10; 4 is older, so the poll read every job of second 10.
    const baseline = changesFrom(emptyWatchState(), [job(6, 'running', 10), job(5, 'running', 10), job(4)]);
    expect(baseline.state.newestComplete).toBe(true);
    const next = changesFrom(baseline.state, [job(6, 'running', 10), job(5, 'running', 10), job(2, 'running', 10), job(4)]);
    expect(next.changes.map((change) => [change.kind, change.job.id])).toEqual([['CREATED', 2]]);
    expect(changesFrom(next.state, [job(6, 'running', 10), job(5, 'running', 10), job(2, 'running', 10), job(4)]).changes).toEqual([]);
    // A read of the whole list, all of one instant, is complete too.
    const whole = changesFrom(emptyWatchState(), [job(9, 'running', 20)], { head: true, whole: true });
    expect(changesFrom(whole.state, [job(9, 'running', 20), job(3, 'running', 20)]).changes.map((change) => change.job.id)).toEqual([3]);
  });

  it('only remembers an unknown job of the newest instant when the last poll may not have read all of that instant', () => {
    // A full page of one instant (more of it may lie beyond), or a read that did not reach the list's head.
    for (const read of [
      { head: true, whole: false },
      { head: false, whole: false },
    ]) {
      const jobs = [job(9, 'running', 20), job(8, 'running', 20)];
      const baseline = changesFrom(emptyWatchState(), read.head ? jobs : [...jobs, job(1)], read);
      expect(baseline.state.newestComplete).toBe(false);
      expect(changesFrom(baseline.state, [...jobs, job(3, 'running', 20)]).changes).toEqual([]);
    }
  });

  it('keeps whether the newest instant was read whole in the state replicas share, and reads states kept before as not', () => {
    const { state } = changesFrom(emptyWatchState(), [job(6, 'running', 10), job(4)]);
    expect(stateFrom(JSON.stringify(serialize(state)))).toEqual(state);
    const { complete, ...older } = serialize(state);
    expect(complete).toBe(true);
    expect(stateFrom(JSON.stringify(older))?.newestComplete).toBe(false);
  });

  it('orders CREATED by creation time whatever order the jobs come in', () => {
    const baseline = changesFrom(emptyWatchState(), [job(1)]);
    const next = changesFrom(baseline.state, [job(3), job(4), job(2)]);
    expect(next.changes.map((change) => change.job.id)).toEqual([2, 3, 4]);
  });
});

describe('watch', () => {
  afterEach(() => vi.useRealTimers());

  // An SWR list in memory, newest first, and the reads a watch made of it.
  function list(initial: number) {
    const jobs: SwrSyncJob[] = Array.from({ length: initial }, (_, index) => job(initial - index));
    const reads: Array<[number, number]> = [];
    let failWith: Error | null = null;
    const read = async (offset: number, limit: number) => {
      reads.push([offset, limit]);
      if (failWith) throw failWith;
      const items = jobs.slice(offset, offset + limit);
      return { offset, items, total: jobs.length, requestId: null };
    };
    return {
      jobs,
      reads,
      read,
      push: (count: number) => {
        const newest = jobs[0]?.id ?? 0;
        jobs.unshift(...Array.from({ length: count }, (_, index) => job(newest + count - index)));
      },
      fail: (error: Error | null) => (failWith = error),
    };
  }

  it('polls every interval, one read of the newest page each time, and reads nothing once stopped', async () => {
    vi.useFakeTimers();
    const swr = list(30);
    const changes: number[][] = [];
    const watch = createWatch({
      intervalMs: 1000,
      read: swr.read,
      onChanges: (batch) => changes.push(batch.map((c) => c.job.id)),
      onFatal: () => {},
    });
    await watch.start();
    expect(swr.reads).toEqual([[0, WATCH_PAGE_SIZE]]);
    await vi.advanceTimersByTimeAsync(3000);
    expect(swr.reads).toHaveLength(4);
    swr.push(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(changes).toEqual([[31, 32]]);
    watch.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(swr.reads).toHaveLength(5);
  });

  it(`reads a burst from its oldest end, ${MAX_READ_ON_PAGES} pages a poll, and reports every job once in creation order`, async () => {
    vi.useFakeTimers();
    const swr = list(5);
    const reported: number[] = [];
    const watch = createWatch({
      intervalMs: 1000,
      read: swr.read,
      onChanges: (batch) => reported.push(...batch.map((c) => c.job.id)),
      onFatal: () => {},
    });
    await watch.start();
    swr.push(WATCH_PAGE_SIZE * (MAX_READ_ON_PAGES + 3));
    await vi.advanceTimersByTimeAsync(1000);
    // The first poll reads the page, then the oldest pages of the burst: its jobs from job 5's
    // instant on (job 5 again: another job of its instant would be new too), oldest first.
    expect(reported).toEqual(Array.from({ length: WATCH_PAGE_SIZE * MAX_READ_ON_PAGES - 1 }, (_, index) => 6 + index));
    await vi.advanceTimersByTimeAsync(1000);
    expect(reported).toEqual(Array.from({ length: WATCH_PAGE_SIZE * (MAX_READ_ON_PAGES + 3) }, (_, index) => 6 + index));
    watch.stop();
  });

  it.each([5, WATCH_PAGE_SIZE - 1, WATCH_PAGE_SIZE, 3 * WATCH_PAGE_SIZE])(
    'reports a job created in the instant of the newest one seen, with a lower id, beside %i newer ones',
    async (newer) => {
      vi.useFakeTimers();
      // Jobs 6 and 5 share second 100; job 4 is older, so the first poll holds that whole instant.
      const jobs: SwrSyncJob[] = [job(6, 'running', 100), job(5, 'running', 100), job(4)];
      const read = async (offset: number, limit: number) => ({
        offset,
        items: jobs.slice(offset, offset + limit),
        total: jobs.length,
        requestId: null,
      });
      const reported: number[] = [];
      const watch = createWatch({
        intervalMs: 1000,
        read,
        onChanges: (batch) => reported.push(...batch.map((c) => c.job.id)),
        onFatal: () => {},
      });
      await watch.start();
      // Job 2 in second 100, which SWR lists after 6 and 5; then the newer ones, at the head.
      jobs.splice(2, 0, job(2, 'running', 100));
      jobs.unshift(...Array.from({ length: newer }, (_, index) => job(100 + newer - index, 'running', 200 + newer - index)));
      await vi.advanceTimersByTimeAsync(1000);
      await vi.advanceTimersByTimeAsync(1000);
      expect(reported).toEqual([2, ...Array.from({ length: newer }, (_, index) => 101 + index)]);
      watch.stop();
    },
  );

  it.each([30, 10])(
    'asks SWR for at most SWR_MAX_LIMIT (%i) jobs a read, bursts included, and still reports every job once',
    async (maxLimit) => {
      vi.useFakeTimers();
      const swr = list(5);
      const reported: number[] = [];
      const watch = createWatch({
        intervalMs: 1000,
        maxLimit,
        read: swr.read,
        onChanges: (batch) => reported.push(...batch.map((c) => c.job.id)),
        onFatal: () => {},
      });
      await watch.start();
      swr.push(150);
      for (let polls = 0; polls < 40 && reported.length < 150; polls += 1) await vi.advanceTimersByTimeAsync(1000);
      expect(reported).toEqual(Array.from({ length: 150 }, (_, index) => 6 + index));
      expect(Math.max(...swr.reads.map(([, limit]) => limit))).toBeLessThanOrEqual(maxLimit);
      watch.stop();
    },
  );

  it('reports the first jobs of an empty repository, one per poll, each as CREATED', async () => {
    vi.useFakeTimers();
    const swr = list(0);
    const reported: Array<[string, number]> = [];
    const watch = createWatch({
      intervalMs: 1000,
      read: swr.read,
      onChanges: (batch) => reported.push(...batch.map((c): [string, number] => [c.kind, c.job.id])),
      onFatal: () => {},
    });
    await watch.start();
    swr.push(1);
    await vi.advanceTimersByTimeAsync(1000);
    swr.push(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(reported).toEqual([
      ['CREATED', 1],
      ['CREATED', 2],
    ]);
    watch.stop();
  });

  it('reads a burst into an empty repository from its oldest end, every job once in creation order', async () => {
    vi.useFakeTimers();
    const swr = list(0);
    const reported: number[] = [];
    const watch = createWatch({
      intervalMs: 1000,
      read: swr.read,
      onChanges: (batch) => reported.push(...batch.map((c) => c.job.id)),
      onFatal: () => {},
    });
    await watch.start();
    swr.push(WATCH_PAGE_SIZE * 3);
    await vi.advanceTimersByTimeAsync(1000);
    expect(reported).toEqual(Array.from({ length: WATCH_PAGE_SIZE * 3 }, (_, index) => 1 + index));
    watch.stop();
  });

  it('keeps a first read that failed open, retries it after Retry-After, and takes the next successful read as the baseline', async () => {
    vi.useFakeTimers();
    const swr = list(3);
    const polls: string[] = [];
    const reported: number[] = [];
    const watch = createWatch({
      intervalMs: 1000,
      read: swr.read,
      onChanges: (batch) => reported.push(...batch.map((c) => c.job.id)),
      onFatal: () => {},
      onPoll: (outcome) => polls.push(outcome),
    });
    swr.fail(new SwrHttpError({ status: 503, errorCode: null, errorMessage: null, requestId: null }, 5000));
    await watch.start();
    expect(polls).toEqual(['UPSTREAM_ERROR']);
    swr.fail(null);
    // Retry-After 5 s: no read before it.
    await vi.advanceTimersByTimeAsync(4900);
    expect(swr.reads).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(polls).toEqual(['UPSTREAM_ERROR', 'ok']);
    // That read was the baseline: the jobs it saw are not replayed, the next new one is CREATED.
    expect(reported).toEqual([]);
    swr.push(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(reported).toEqual([4]);
    watch.stop();
  });

  it('retries other failures at the next poll (or after Retry-After) and stops for good on 401/403/404', async () => {
    vi.useFakeTimers();
    const swr = list(3);
    const fatal = vi.fn();
    const polls: string[] = [];
    const watch = createWatch({
      intervalMs: 1000,
      read: swr.read,
      onChanges: () => {},
      onFatal: fatal,
      onPoll: (outcome) => polls.push(outcome),
    });
    await watch.start();
    swr.fail(new SwrHttpError({ status: 503, errorCode: null, errorMessage: null, requestId: null }, 5000));
    await vi.advanceTimersByTimeAsync(1000);
    expect(polls).toEqual(['ok', 'UPSTREAM_ERROR']);
    // Retry-After 5 s: no read before it.
    await vi.advanceTimersByTimeAsync(4000);
    expect(polls).toHaveLength(2);
    swr.fail(new SwrHttpError({ status: 404, errorCode: null, errorMessage: null, requestId: null }, null));
    await vi.advanceTimersByTimeAsync(1000);
    expect(fatal).toHaveBeenCalledTimes(1);
    expect(fatal.mock.calls[0]![0]).toMatchObject({ code: 'NOT_FOUND' });
    const reads = swr.reads.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(swr.reads).toHaveLength(reads);
  });
});
