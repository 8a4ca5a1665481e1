import type { ScanPlan } from './page-plan.js';

// The windows an anchored scan reads (see sliceFromScan): where they lie, in scan coordinates,
// and which positions of SWR's list they ask for.

/** Items read on each side of where a cursor's job is expected, so that a small drift costs no extra call. */
export const DRIFT_MARGIN = 10;
/**
 * A stretch of the list in scan coordinates: `start` and `length` items along the direction of
 * the scan. Forward, a coordinate is a position in the order; backward, position p is coordinate
 * -p-1, so that the scan always moves to higher coordinates.
 */
export interface ScanWindow {
  start: number;
  length: number;
}

/**
 * The upstream window a scan reads first: around where the cursor's job was, `margin` items
 * either side of the page, plus the cursor's job and one job before it (the scan knows it has
 * found the job's place only from a job before it), fewer margin items when the page nearly
 * fills SWR_MAX_LIMIT. A list that moved by up to the margin since the cursor was issued then
 * still costs one call; a page too wide for its window with those two reads on (a second call).
 * The budget estimate asks for the window unclipped (`estimate`), so that it counts that second call.
 */
export function firstScanWindow(plan: ScanPlan, maxLimit: number, estimate = false): { offset: number; limit: number } {
  return upstreamWindowOf(firstWindowOf(plan, estimate ? Number.POSITIVE_INFINITY : maxLimit), plan);
}

/** DRIFT_MARGIN items on each side of a window `width` items wide, fewer where both would not fit within SWR_MAX_LIMIT. */
export function marginWithin(maxLimit: number, width: number): number {
  return Math.max(0, Math.min(DRIFT_MARGIN, Math.floor((maxLimit - width) / 2)));
}

export function marginFor(plan: ScanPlan, maxLimit: number): number {
  return marginWithin(maxLimit, plan.count + LEAD);
}

/** Items of a first window before the page besides the margin: the cursor's job and one before it. */
export const LEAD = 2;

// In scan coordinates the cursor's job is at from - 1 (forward) or -from - 1 (backward), and the
// page follows it: the window begins margin + 1 items before the job.
export function firstWindowOf(plan: ScanPlan, maxLimit: number): ScanWindow {
  const margin = marginFor(plan, Number.isFinite(maxLimit) ? maxLimit : plan.count + LEAD + 2 * DRIFT_MARGIN);
  const length = Math.max(1, Math.min(maxLimit, plan.count + 2 * margin + LEAD));
  if (plan.direction === 'forward') {
    // Near the list's start, what would lie before position 0 is not asked for.
    const start = plan.from - margin - LEAD;
    return start >= 0 ? { start, length } : { start: 0, length: Math.max(1, length + start) };
  }
  return { start: -plan.from - margin - LEAD, length };
}

// The positions a window covers, clamped to the list's start; null when it lies wholly before position 0.
export function upstreamWindowOf(window: ScanWindow, plan: ScanPlan): { offset: number; limit: number } {
  if (plan.direction === 'forward') return { offset: Math.max(0, window.start), limit: window.length };
  const offset = -window.start - window.length;
  return offset >= 0 ? { offset, limit: window.length } : { offset: 0, limit: window.length + offset };
}

// The same window read as far as SWR_MAX_LIMIT allows (twice as far without one): from the same place, along the scan.
export function widerWindow(window: ScanWindow, maxLimit: number): ScanWindow {
  return { start: window.start, length: Number.isFinite(maxLimit) ? maxLimit : window.length * 2 };
}

// A window that overlaps the list and reaches past position total - 1, moved back along the scan
// to end there (one wholly past the end is left as it is: reading it tells the scan so).
export function withinList(window: ScanWindow, total: number, plan: ScanPlan): ScanWindow {
  if (plan.direction === 'forward') {
    const pastEnd = window.start < total && window.start + window.length > total;
    return pastEnd ? { start: Math.max(0, total - window.length), length: window.length } : window;
  }
  const pastEnd = -window.start - window.length < total && -window.start > total;
  return pastEnd ? { start: -total, length: window.length } : window;
}
