import type { SyncJobPage } from '../swr/client.js';
import type { SwrSyncJob } from '../swr/types.js';
import { sliceFromScan } from './anchored-scan.js';
import { marginWithin } from './scan-windows.js';
import { compareToAnchor } from './cursor.js';
import { compareKeys, keyOf, type JobKey } from './job-order.js';
import type { PagePlan, ScanAnchor } from './page-plan.js';

/** Fetches `limit` items from `offset` (through the per-request loader). */
export type LoadPage = (offset: number, limit: number) => Promise<SyncJobPage>;

/** The items of one page and what lies around it. */
export interface PageSlice {
  /** Position of the first item in its order (for a page cut by a cursor's job: where it is now, as far as SWR's answer tells). */
  start: number;
  items: SwrSyncJob[];
  /** From Content-Range; null when SWR did not report it. */
  total: number | null;
  hasPreviousPage: boolean;
  hasNextPage: boolean;
  /** For a page cut by a cursor's job: that job and the way the walk goes, whose shown ties the page's cursors carry on. */
  walk?: { anchor: ScanAnchor; direction: 'forward' | 'backward' };
  /**
   * The way the page was read: `backward` for a page of `last` (read from its end), whose
   * cursors put the jobs of an instant SWR served beyond the page before them, not after.
   * @default 'forward'
   */
  direction?: 'forward' | 'backward';
  /** The items' keys (their place in the gateway's order), aligned with `items`, where already worked out. */
  keys?: readonly JobKey[];
}

/** Times `last` alone reads its tail again when SWR's total moved by more than the margin between its calls. */
const MAX_TAIL_REREADS = 2;

/** Options of sliceFromPlan. */
export interface SliceOptions {
  /**
   * SWR_MAX_LIMIT: the widest window a page reads (a page cut by a cursor's job reads margins
   * around it within it), and the page size used to walk a list whose total SWR does not report
   * (`last` alone). The walk is bounded by the operation's upstream-call budget, which the loader
   * enforces.
   */
  maxLimit: number;
}

/**
 * Fetches what a page plan needs. A range costs one call of exactly its window (a window of 0
 * items asks for 1, to learn the total and whether anything follows). `last` alone first asks for
 * the head of the range: when the total shows the list ends within it, that call is the answer;
 * otherwise a second call fetches the tail with DRIFT_MARGIN items on each side (within
 * SWR_MAX_LIMIT), whose own total says where the tail is now (read again, up to MAX_TAIL_REREADS
 * times, only when the list moved by more than the margin in between). Where SWR sends no Content-Range, one more item
 * is asked for to learn whether the page is the last.
 */
export async function sliceFromPlan(plan: PagePlan, loadPage: LoadPage, options: SliceOptions): Promise<PageSlice> {
  if (plan.kind === 'scan') return sliceFromScan(plan, loadPage, options.maxLimit);
  const slice = inGatewayOrder(await positionalSlice(plan, loadPage, options), plan.order);
  return plan.kind === 'tail' || plan.tail ? { ...slice, direction: 'backward' } : slice;
}

// SWR's window as it came, but jobs of one instant put in the gateway's order (by id).
function inGatewayOrder(slice: PageSlice, order: PagePlan['order']): PageSlice {
  const keys = slice.items.map(keyOf);
  if (keys.every((key, index) => index === 0 || compareKeys(keys[index - 1]!, key, order) < 0)) return { ...slice, keys };
  const sorted = slice.items.map((job, index) => ({ job, key: keys[index]! })).sort((a, b) => compareKeys(a.key, b.key, order));
  return { ...slice, items: sorted.map((entry) => entry.job), keys: sorted.map((entry) => entry.key) };
}

// A page of positions (no cursor, or v1 cursors), or the list's tail.
async function positionalSlice(plan: Exclude<PagePlan, { kind: 'scan' }>, loadPage: LoadPage, options: SliceOptions): Promise<PageSlice> {
  if (plan.kind === 'tail' && plan.after) {
    // The list's last items, but none at or before the job `after` names, wherever it is now
    // (cut as `first` after it cuts).
    const { after, ...tail } = plan;
    const slice = await positionalSlice(tail, loadPage, options);
    const items = slice.items.filter((job) => compareToAnchor(keyOf(job), after, plan.order) > 0);
    const dropped = slice.items.length - items.length;
    return { ...slice, items, start: slice.start + dropped, hasPreviousPage: slice.hasPreviousPage || dropped > 0 };
  }
  if (plan.kind === 'range') {
    const slice = await sliceFromRange(plan.start, plan.count, loadPage);
    // `last` before a cursor past the end: the items before it are the list's last ones.
    const { tail } = plan;
    if (tail && slice.total !== null && plan.start + plan.count > slice.total && slice.total > tail.from) {
      const start = Math.max(tail.from, slice.total - tail.count);
      if (start < plan.start) return sliceFromRange(start, slice.total - start, loadPage);
    }
    return slice;
  }
  const limit = Math.max(plan.count, 1);
  const head = await loadPage(plan.from, limit);
  if (head.total !== null) {
    let end = Math.max(plan.from, head.total);
    let start = Math.max(plan.from, end - plan.count);
    if (start === end || end - plan.from <= head.items.length) {
      return sliceFromPage(start, end - start, head, limit, loadPage);
    }
    // The tail where the head's total puts it, read with a margin on each side: a list that
    // changed by up to the margin by then (pushes, deletions) still has its tail in the window,
    // which its own total locates. Past the margin, the tail is read again where it is now.
    const margin = marginWithin(options.maxLimit, plan.count);
    for (let read = 0; ; read += 1) {
      const offset = Math.max(plan.from, start - margin);
      const windowLimit = Math.max(1, end - offset + margin);
      const page = await loadPage(offset, windowLimit);
      if (page.total === null) return sliceFromPage(start, end - start, page, windowLimit, loadPage);
      const nowEnd = Math.max(plan.from, page.total);
      const nowStart = Math.max(plan.from, nowEnd - plan.count);
      const holdsTail = nowStart >= offset && nowEnd <= offset + page.items.length;
      if (holdsTail) return sliceFromPage(nowStart, nowEnd - nowStart, page, windowLimit, loadPage);
      if (read === MAX_TAIL_REREADS) return sliceFromPage(start, end - start, page, windowLimit, loadPage);
      end = nowEnd;
      start = nowStart;
    }
  }
  if (head.items.length < limit) {
    const count = Math.min(plan.count, head.items.length);
    const start = plan.from + head.items.length - count;
    return sliceFromPage(start, count, head, limit, loadPage);
  }
  return sliceFromWalk(plan.from, plan.count, head, loadPage, options);
}

// One call of exactly the window.
async function sliceFromRange(start: number, count: number, loadPage: LoadPage): Promise<PageSlice> {
  const limit = Math.max(count, 1);
  return sliceFromPage(start, count, await loadPage(start, limit), limit, loadPage);
}

/**
 * Cuts [start, start + count) out of `page` (fetched at page.offset with `limit`) and works out
 * the page info, asking for one more item only when SWR gave no total and a full page.
 */
async function sliceFromPage(start: number, count: number, page: SyncJobPage, limit: number, loadPage: LoadPage): Promise<PageSlice> {
  const skip = start - page.offset;
  const items = page.items.slice(skip, skip + count);
  const total = page.total;
  const end = start + items.length;
  let hasNextPage: boolean;
  if (total !== null) hasNextPage = end < total;
  else if (page.items.length > skip + items.length) hasNextPage = true;
  else if (page.items.length < limit) hasNextPage = false;
  else hasNextPage = (await loadPage(end, 1)).items.length > 0;
  const hasPreviousPage = start > 0 && (total === null || total > 0);
  return { start, items, total, hasPreviousPage, hasNextPage };
}

// No total and a full head: walk forwards until a short page, keeping the last `count` items.
async function sliceFromWalk(
  from: number,
  count: number,
  head: SyncJobPage,
  loadPage: LoadPage,
  options: SliceOptions,
): Promise<PageSlice> {
  const keepLast = (items: SwrSyncJob[]): SwrSyncJob[] => (count === 0 ? [] : items.slice(-count));
  let items = keepLast(head.items);
  let end = from + head.items.length;
  for (;;) {
    const page = await loadPage(end, options.maxLimit);
    // Consecutive answers may each put a job of one instant on their side of the boundary: once only.
    const kept = new Set(items.map((job) => job.id));
    items = keepLast(items.concat(page.items.filter((job) => !kept.has(job.id))));
    end += page.items.length;
    if (page.items.length < options.maxLimit) break;
  }
  const start = end - items.length;
  return { start, items, total: null, hasPreviousPage: start > 0, hasNextPage: false };
}
