import { InvalidInputError } from '../errors.js';
import type { SwrOrder } from '../swr/types.js';
import { cursorFrom, type CursorAnchor, type SyncJobCursor } from './cursor.js';

/** The connection arguments of `Repository.syncJobs`, order already translated. */
export interface PagingArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
  order: SwrOrder;
}

/** Page sizes from the configuration. */
export interface PageSizeOptions {
  /** Used when neither `first` nor `last` is given. */
  defaultPageSize: number;
  /** Largest `first` / `last` accepted. */
  maxPageSize: number;
}

/** A job a cursor names, and where it was then. */
export interface ScanAnchor extends CursorAnchor {
  position: number;
}

/**
 * Which items a page holds:
 * - `range`: exactly positions [start, start + count), known before any call (no cursor, or v1
 *   cursors, which are positions); a backward range (`last` before a cursor) also keeps its
 *   `tail`, for a `before` cursor past the end of the list (stale, after the list shrank): the
 *   page before it is then the list's last items;
 * - `tail`: the last `count` items at or after position `from`, or strictly after the job
 *   `after` names; where the tail is depends on the total, which only SWR knows (`last` without
 *   `before`);
 * - `scan`: cut by the jobs v2 cursors name, wherever SWR has moved them since: `count` items
 *   strictly after `anchor` (forward) or strictly before it (backward), not past `bound`; `from`
 *   is where the scan expects to begin (forward: the position after the anchor; backward: the
 *   anchor's position, the page ending just before it). See anchored-scan.ts.
 */
export type PagePlan =
  | { kind: 'range'; order: SwrOrder; start: number; count: number; tail?: { from: number; count: number } }
  | { kind: 'tail'; order: SwrOrder; from: number; count: number; after?: ScanAnchor }
  | ScanPlan;

/** A page cut by the jobs cursors name (see PagePlan). */
export interface ScanPlan {
  kind: 'scan';
  order: SwrOrder;
  direction: 'forward' | 'backward';
  anchor: ScanAnchor | null;
  bound: ScanAnchor | null;
  count: number;
  from: number;
}

/**
 * Turns connection arguments into a page plan, refusing anything invalid with BAD_USER_INPUT
 * before any upstream call. Cursors narrow the list to (after, before); `first` takes from the
 * front of that range, `last` from its back. With neither, a DEFAULT_PAGE_SIZE page is taken from
 * the front, or from the back when only `before` is given (the page just before the cursor).
 */
export function pagePlanFromArgs(args: PagingArgs, sizes: PageSizeOptions): PagePlan {
  const { order } = args;
  const first = pageSizeFrom(args.first, 'first', sizes.maxPageSize);
  const last = pageSizeFrom(args.last, 'last', sizes.maxPageSize);
  if (first !== null && last !== null) {
    throw new InvalidInputError('Give either `first` or `last`, not both');
  }
  const afterCursor = args.after == null ? null : cursorFrom(args.after, order, 'after');
  const beforeCursor = args.before == null ? null : cursorFrom(args.before, order, 'before');
  const backward = last !== null || (first === null && beforeCursor !== null && afterCursor === null);
  const size = first ?? last ?? sizes.defaultPageSize;
  // Cut by the jobs the cursors name when every cursor given names one (a v1 cursor is a bare
  // position: then the page is positions, as before stable cursors).
  const cursors = [afterCursor, beforeCursor].filter((cursor) => cursor !== null);
  if (cursors.length > 0 && cursors.every((cursor) => cursor.anchor !== null)) {
    const afterAnchor = anchorOf(afterCursor);
    const beforeAnchor = anchorOf(beforeCursor);
    if (!backward)
      return {
        kind: 'scan',
        order,
        direction: 'forward',
        anchor: afterAnchor,
        bound: beforeAnchor,
        count: size,
        from: afterAnchor ? afterAnchor.position + 1 : 0,
      };
    if (beforeAnchor)
      return {
        kind: 'scan',
        order,
        direction: 'backward',
        anchor: beforeAnchor,
        bound: afterAnchor,
        count: size,
        from: beforeAnchor.position,
      };
    return { kind: 'tail', order, from: afterAnchor!.position + 1, count: size, after: afterAnchor! };
  }
  const after = afterCursor?.position ?? null;
  const before = beforeCursor?.position ?? null;
  const from = after === null ? 0 : after + 1;
  if (!backward) {
    const end = before === null ? from + size : Math.min(from + size, before);
    return { kind: 'range', order, start: from, count: Math.max(0, end - from) };
  }
  if (before === null) return { kind: 'tail', order, from, count: size };
  const start = Math.max(from, before - size);
  return { kind: 'range', order, start, count: Math.max(0, before - start), tail: { from, count: size } };
}

// null when absent; otherwise an integer 0..max.
function pageSizeFrom(value: number | null | undefined, argument: string, max: number): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new InvalidInputError(`\`${argument}\` must be an integer from 0 to ${max}, received ${value}`);
  }
  return value;
}

function anchorOf(cursor: SyncJobCursor | null): ScanAnchor | null {
  return cursor?.anchor ? { ...cursor.anchor, position: cursor.position } : null;
}
