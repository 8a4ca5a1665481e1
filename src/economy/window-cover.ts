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
 * The upstream calls that cover `windows`, fewest first: windows that overlap or touch are merged
 * into one run; a run is fetched as consecutive calls of at most `maxLimit` items (one call when
 * it fits). Parts of a run already covered by `fetched` (calls made earlier in the operation) are
 * trimmed from its ends, and a run covered whole costs nothing. Windows with a gap between them are
 * never merged: bridging it would fetch items nobody asked for.
 */
export function callsFromWindows(windows: readonly Interval[], maxLimit: number, fetched: readonly Interval[] = []): Interval[] {
  const calls: Interval[] = [];
  for (const run of runsFromWindows(windows)) {
    const [start, end] = trimCovered(run.offset, run.offset + run.limit, fetched);
    for (let offset = start; offset < end; offset += maxLimit) {
      calls.push({ offset, limit: Math.min(maxLimit, end - offset) });
    }
  }
  return calls;
}

/** Windows merged where they overlap or touch, in offset order. */
export function runsFromWindows(windows: readonly Interval[]): Interval[] {
  const sorted = [...windows].sort((a, b) => a.offset - b.offset);
  const runs: Interval[] = [];
  for (const window of sorted) {
    const last = runs.at(-1);
    if (last && window.offset <= last.offset + last.limit) {
      last.limit = Math.max(last.limit, window.offset + window.limit - last.offset);
    } else {
      runs.push({ ...window });
    }
  }
  return runs;
}

// Shrinks [start, end) while an already fetched interval covers its first or last item.
function trimCovered(start: number, end: number, fetched: readonly Interval[]): [number, number] {
  let [from, to] = [start, end];
  for (let moved = true; moved && from < to;) {
    moved = false;
    for (const call of fetched) {
      const callEnd = call.offset + call.limit;
      if (call.offset <= from && from < callEnd) {
        from = Math.min(callEnd, to);
        moved = true;
      }
      if (from < to && call.offset < to && to <= callEnd) {
        to = Math.max(call.offset, from);
        moved = true;
      }
    }
  }
  return [from, Math.max(from, to)];
}
