import { InvalidInputError } from '../errors.js';
import type { SwrOrder } from '../swr/types.js';
import { cursorToPosition } from './cursor.js';

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

/**
 * Which items a page holds, in positions of its order:
 * - `range`: exactly [start, start + count), known before any call; a backward range (`last`
 *   before a cursor) also keeps its `tail`, for a `before` cursor past the end of the list (stale,
 *   after the list shrank): the page before it is then the list's last items;
 * - `tail`: the last `count` items at or after `from`; where that is depends on the total, which
 *   only SWR knows (`last` without `before`).
 */
export type PagePlan =
  | { kind: 'range'; order: SwrOrder; start: number; count: number; tail?: { from: number; count: number } }
  | { kind: 'tail'; order: SwrOrder; from: number; count: number };

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
  const after = args.after == null ? null : cursorToPosition(args.after, order, 'after');
  const before = args.before == null ? null : cursorToPosition(args.before, order, 'before');
  const from = after === null ? 0 : after + 1;
  const backward = last !== null || (first === null && before !== null && after === null);
  const size = first ?? last ?? sizes.defaultPageSize;
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
