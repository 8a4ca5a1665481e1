import { OperationTooExpensiveError } from '../errors.js';
import type { SyncJobPage } from '../swr/client.js';
import type { SwrSyncJob } from '../swr/types.js';
import { compareToAnchor } from './cursor.js';
import { compareInstants, compareKeys, keyOf, type JobKey } from './job-order.js';
import type { ScanAnchor, ScanPlan } from './page-plan.js';
import type { LoadPage, PageSlice } from './page-slice.js';
import { firstWindowOf, LEAD, marginFor, upstreamWindowOf, widerWindow, withinList, type ScanWindow } from './scan-windows.js';

/** Upstream calls one page may take to find its cursor's job again (then OPERATION_TOO_EXPENSIVE). */
export const MAX_SCAN_CALLS = 6;

interface Entry {
  job: SwrSyncJob;
  key: JobKey;
  /** Scan coordinate, as far as this answer of SWR's tells. */
  at: number;
}

/** One answer of SWR's, seen along the scan. */
interface ScanView {
  /** In scan order (the gateway's order, reversed for a backward scan), ties by id. */
  entries: Entry[];
  /** Nothing lies before this stretch in the scan's direction. */
  atStart: boolean;
  /** Nothing lies after it. */
  atEnd: boolean;
  total: number | null;
}

function viewOf(page: SyncJobPage, limit: number, plan: ScanPlan): ScanView {
  const forward = plan.direction === 'forward';
  const reachesEnd = page.items.length < limit || (page.total !== null && page.offset + page.items.length >= page.total);
  const sign = forward ? 1 : -1;
  const sorted = page.items.map((job) => ({ job, key: keyOf(job) })).sort((a, b) => sign * compareKeys(a.key, b.key, plan.order));
  const first = forward ? page.offset : -(page.offset + page.items.length);
  return {
    entries: sorted.map((entry, index) => ({ ...entry, at: first + index })),
    atStart: forward ? page.offset === 0 : reachesEnd,
    atEnd: forward ? reachesEnd : page.offset === 0,
    total: page.total,
  };
}

const positionOf = (at: number, plan: ScanPlan) => (plan.direction === 'forward' ? at : -at - 1);
const coordinateOf = (position: number, plan: ScanPlan) => (plan.direction === 'forward' ? position : -position - 1);

/**
 * A page cut by the jobs its cursors name, wherever SWR has moved them since the cursors were
 * issued: the `count` jobs strictly after the anchor (forward) or strictly before it (backward),
 * as the anchor cuts them (compareToAnchor), in the gateway's order (creation time, ties by id),
 * and not past the bound.
 *
 * The scan reads SWR's list in windows, sorted into the gateway's order. A window is used only
 * where it is certain: SWR orders by creation time but may put jobs of one instant in either
 * order, so the jobs sharing the instant of a window's far edge may have siblings just outside
 * it; they are read again with the next window, which starts where they do. Likewise the
 * anchor's place is taken from a window only when the window begins before the anchor's instant
 * (or at the list's start) and reaches past it (or to the list's end); otherwise the scan looks
 * further: first where SWR's change in total since the cursor suggests, then by doubling strides,
 * then by halving the gap. A job deleted since keeps its place by creation time and id. Within
 * the margin a page costs one call; it costs at most MAX_SCAN_CALLS, each charged to the budget.
 */
export async function sliceFromScan(plan: ScanPlan, loadPage: LoadPage, maxLimit: number): Promise<PageSlice> {
  const forward = plan.direction === 'forward';
  const sign = forward ? 1 : -1;
  const compareTimes = (a: string, b: string) => sign * compareInstants(a, b, plan.order);
  // Whether a job comes after the cursor's job `c` along the scan, and whether it comes before
  // the bound's job `b`: both by the cursor's own cut (compareToAnchor), the one `after: c` and
  // `before: c` share, so that no job is on both sides of a cursor or on neither. Within the
  // cursor's instant that cut need not follow ids (a tie SWR served beyond the client's page
  // stands on the far side of the walk that issued the cursor), so neither is monotone there.
  const beyond = (key: JobKey, c: ScanAnchor) => sign * compareToAnchor(key, c, plan.order) > 0;
  const precedes = (key: JobKey, b: ScanAnchor) => sign * compareToAnchor(key, b, plan.order) < 0;
  const margin = marginFor(plan, maxLimit);
  const { anchor, bound } = plan;
  let window = firstWindowOf(plan, maxLimit);
  const collected: Entry[] = [];
  const seen = new Set<number>();
  let found = anchor === null;
  // Something lies before the page (in scan direction): the anchor's side, or more of the list.
  let somethingBefore = false;
  // Something lies after the page: set when the scan stops.
  let more: boolean;
  // Scan coordinates between which the anchor's place lies, as far as windows read so far show.
  let low: number | null = null;
  let high: number | null = null;
  // Forward, the windows that look for the anchor's place past the first are SWR_MAX_LIMIT wide:
  // the same calls see further. (Backward, a window is clipped at the list's start, so they keep the first's width.)
  const searchLength = forward && Number.isFinite(maxLimit) ? Math.max(window.length, maxLimit) : window.length;
  let stride = searchLength;
  let drifted = false;
  let total: number | null = null;

  for (let calls = 1; ; calls += 1) {
    if (calls > MAX_SCAN_CALLS) {
      throw new OperationTooExpensiveError(
        `The list changed too much since this cursor was issued to find its place within ${MAX_SCAN_CALLS} upstream calls; ` +
          'start again from the first page',
        'MAX_CURSOR_SEARCH_CALLS',
      );
    }
    const upstream = upstreamWindowOf(window, plan);
    // A window wholly before position 0 (a backward scan past the list's start) holds nothing.
    const view: ScanView =
      upstream.limit > 0
        ? viewOf(await loadPage(upstream.offset, upstream.limit), upstream.limit, plan)
        : { entries: [], atStart: false, atEnd: true, total };
    total = view.total;
    const { entries } = view;

    if (!found && anchor) {
      const startsAfter =
        entries.length === 0 ? !view.atStart && !view.atEnd : !view.atStart && compareTimes(entries[0]!.key.instant, anchor.instant) >= 0;
      const endsBefore = !view.atEnd && !entries.some((entry) => compareTimes(entry.key.instant, anchor.instant) > 0);
      if (startsAfter || (entries.length === 0 && view.atEnd && !view.atStart)) {
        // The anchor's place is before this window (the list shrank in front of it, or the window is past the end).
        high = window.start;
        window = nextSearchWindow(view, anchor, 'back');
        continue;
      }
      if (endsBefore && reachesInto(entries, anchor.instant) && window.length < maxLimit) {
        // The cursor's instant runs on past this window (SWR's times may be coarse: many jobs can
        // share one), and its place among those ties needs them all: read the window wider.
        window = widerWindow(window, maxLimit);
        continue;
      }
      if (endsBefore) {
        // The whole window comes before the anchor's place (jobs were added in front of it).
        low = entries.length > 0 ? certainEndOf(entries, view, compareTimes) + entries[0]!.at : window.start + window.length;
        window = nextSearchWindow(view, anchor, 'on');
        continue;
      }
      found = true;
    }

    const certain = certainEndOf(entries, view, compareTimes);
    if (certain === entries.length && !view.atEnd && entries.length > 0 && reachesInto(entries, entries[0]!.key.instant)) {
      // A window of one instant that may go on beyond it: which of its ties come first is known
      // only once they are all read. Read it wider; one already SWR_MAX_LIMIT wide but partly
      // past the list's end is moved back to end there, to hold as many of them as it can.
      const wider = window.length < maxLimit ? widerWindow(window, maxLimit) : total !== null ? withinList(window, total, plan) : window;
      if (wider.start !== window.start || wider.length !== window.length) {
        window = wider;
        continue;
      }
    }
    let boundReached = false;
    let firstTaken = -1;
    for (let index = 0; index < certain; index += 1) {
      const entry = entries[index]!;
      if (anchor && !beyond(entry.key, anchor)) {
        somethingBefore = true;
        continue;
      }
      if (bound && !precedes(entry.key, bound)) {
        boundReached = true;
        // The bound's instant may hold jobs before it after one that is not: look at them all.
        if (compareTimes(entry.key.instant, bound.instant) === 0) continue;
        break;
      }
      if (seen.has(entry.job.id)) continue;
      if (collected.length === 0) firstTaken = index;
      seen.add(entry.job.id);
      collected.push(entry);
    }
    // Jobs before the page's first: skipped in this window, or before the window itself.
    if (firstTaken > 0 || (firstTaken === 0 && !view.atStart) || (collected.length === 0 && !view.atStart)) somethingBefore = true;
    if (boundReached || view.atEnd || collected.length >= plan.count) {
      more = boundReached || collected.length > plan.count || certain < entries.length || !view.atEnd;
      break;
    }
    // Read on from the first job whose instant this window could not settle.
    window = { start: entries.length > 0 ? entries[0]!.at + Math.max(certain, 1) : window.start + window.length, length: window.length };
  }

  const page = collected.slice(0, plan.count);
  const walk = anchor ? { anchor, direction: plan.direction } : undefined;
  if (forward) {
    return {
      start: page.length > 0 ? positionOf(page[0]!.at, plan) : plan.from,
      items: page.map((entry) => entry.job),
      total,
      hasPreviousPage: somethingBefore,
      hasNextPage: more,
      ...(walk ? { walk } : {}),
    };
  }
  const ordered = page.reverse();
  return {
    start: ordered.length > 0 ? positionOf(ordered[0]!.at, plan) : Math.max(0, plan.from - plan.count),
    items: ordered.map((entry) => entry.job),
    total,
    hasPreviousPage: more,
    hasNextPage: somethingBefore,
    direction: 'backward',
    ...(walk ? { walk } : {}),
  };

  // Where to look next for the anchor's place: halfway between what is known, else where SWR's
  // change in total suggests (once), else a doubling stride away.
  function nextSearchWindow(seenView: ScanView, target: ScanAnchor, way: 'back' | 'on'): ScanWindow {
    // Never narrower than the window read last (it may have been widened for its instant's ties).
    const length = Math.max(searchLength, window.length);
    if (low !== null && high !== null) {
      // Once one window spans the gap, read it from the last job known to lie before the
      // anchor's place (low - 1) past the first known after it (high): that window settles it.
      if (high - low + LEAD <= length) return { start: low - 1, length };
      return { start: Math.floor((low + high) / 2) - margin, length };
    }
    if (!drifted && target.total !== null && seenView.total !== null && seenView.total !== target.total) {
      drifted = true;
      const guess = coordinateOf(target.position + (seenView.total - target.total), plan) - margin;
      if ((way === 'on' && guess > window.start) || (way === 'back' && guess < window.start)) return { start: guess, length };
    }
    // Forward from what is known to lie before the anchor: next to it, then ever further.
    const step = stride;
    stride *= 2;
    if (way === 'on') return { start: (low ?? window.start + window.length) + step - length, length };
    const start = window.start - step;
    return { start: plan.direction === 'forward' ? Math.max(0, start) : start, length };
  }
}

// Whether the last of a window's entries is of `instant` (the window may end inside its ties).
function reachesInto(entries: Entry[], instant: string): boolean {
  return entries.length > 0 && entries.at(-1)!.key.instant === instant;
}

// How many of a window's entries are certain: all at the scan's end, else those before the
// instant of its last entry (jobs of that instant may have siblings beyond the window). A window
// of one instant only is taken whole (a tie group larger than SWR_MAX_LIMIT is not resolved).
function certainEndOf(entries: Entry[], view: ScanView, compareTimes: (a: string, b: string) => number): number {
  if (view.atEnd || entries.length === 0) return entries.length;
  const lastInstant = entries.at(-1)!.key.instant;
  const index = entries.findIndex((entry) => compareTimes(entry.key.instant, lastInstant) === 0);
  return index > 0 ? index : entries.length;
}
