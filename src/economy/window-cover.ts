/**
 * Window coalescing, as pure functions over [offset, offset + limit) intervals of one
 * (caller, repository, order): the planner the page loader and the budget estimate share.
 */

/** `limit` items from `offset`; limit ≥ 1. */
export interface Interval {
  offset: number;
  limit: number;
}

/**
 * The upstream calls that cover `windows`, fewest first, such that every window of at most
 * `maxLimit` items lies within one call: a page is then always cut from one SWR answer, never
 * stitched from answers of different moments (SWR's list may change in between, and it may order
 * jobs of one instant differently in each answer). Windows that overlap or touch share a call
 * while their union fits in `maxLimit`; a window already inside a call made earlier in the
 * operation (`fetched`) costs nothing; windows with a gap between them are never merged
 * (bridging it would fetch items nobody asked for). A window wider than `maxLimit` is fetched as
 * consecutive calls of `maxLimit` items.
 */
export function callsFromWindows(windows: readonly Interval[], maxLimit: number, fetched: readonly Interval[] = []): Interval[] {
  const calls: Interval[] = [];
  const sorted = [...windows].sort((a, b) => a.offset - b.offset || b.limit - a.limit);
  for (const window of sorted) {
    const end = window.offset + window.limit;
    if (window.limit > maxLimit) {
      for (let offset = window.offset; offset < end; offset += maxLimit) calls.push({ offset, limit: Math.min(maxLimit, end - offset) });
      continue;
    }
    if (fetched.some((call) => covers(call, window)) || calls.some((call) => covers(call, window))) continue;
    const last = calls.at(-1);
    const lastEnd = last ? last.offset + last.limit : 0;
    if (last && window.offset <= lastEnd && Math.max(end, lastEnd) - last.offset <= maxLimit) {
      last.limit = Math.max(end, lastEnd) - last.offset;
      continue;
    }
    calls.push({ ...window });
  }
  return calls;
}

/** True when `call` holds every item of `window`. */
export function covers(call: Interval, window: Interval): boolean {
  return call.offset <= window.offset && window.offset + window.limit <= call.offset + call.limit;
}
