import type { SwrSyncJob } from '../swr/types.js';
import type { SyncJobFilter } from './filter-param.js';

/** One answer's worth of jobs, and the total the `Content-Range` header reports. */
export interface SyncJobWindow {
  items: SwrSyncJob[];
  total: number;
}

/**
 * How the simulator orders jobs created in the same instant. SWR documents an order by creation
 * time only: `id` (the default) makes ties stable, by id in the direction of the order (`desc`
 * is exactly `asc` reversed); `ascending` by ascending id in both orders (a server sorting by
 * `created_at DESC, id ASC`, or by insertion); `shuffled` puts them in a new random order on
 * every answer, as a real SWR may (which the gateway's cursors must survive).
 */
export type TieOrder = 'id' | 'ascending' | 'shuffled';
export const TIE_ORDERS: readonly TieOrder[] = ['id', 'ascending', 'shuffled'];

/** Use to answer a filter: sort by creation time, ties as TieOrder says, then slice [offset, offset+limit). */
export function windowFromJobs(jobs: readonly SwrSyncJob[], filter: SyncJobFilter, tieOrder: TieOrder = 'id'): SyncJobWindow {
  const ranks = tieOrder === 'shuffled' ? new Map(jobs.map((job) => [job.id, Math.random()])) : null;
  const byTime = filter.order === 'desc' ? -1 : 1;
  const tieSign = tieOrder === 'ascending' ? 1 : byTime;
  const sorted = [...jobs].sort(
    (a, b) =>
      byTime * compareCreatedAt(a.createdAt, b.createdAt) || (ranks ? ranks.get(a.id)! - ranks.get(b.id)! : tieSign * (a.id - b.id)),
  );
  return { items: sorted.slice(filter.offset, filter.offset + filter.limit), total: sorted.length };
}

/** Use to write the `Content-Range` header: `{offset}-{count}/{total}`, count being items returned. */
export function contentRangeFromWindow(offset: number, window: SyncJobWindow): string {
  return `${offset}-${window.items.length}/${window.total}`;
}

/**
 * Compares two SWR timestamps at full precision. `Date` keeps milliseconds only and SWR sends
 * microseconds; plain string comparison breaks once fraction lengths differ ('.5Z' vs '.518144Z').
 * So: whole seconds through Date.parse (handles offsets), the fraction compared as padded digits.
 */
function compareCreatedAt(a: string, b: string): number {
  const ka = timestampKey(a);
  const kb = timestampKey(b);
  if (ka.seconds !== kb.seconds) return ka.seconds < kb.seconds ? -1 : 1;
  return ka.fraction < kb.fraction ? -1 : ka.fraction > kb.fraction ? 1 : 0;
}

/** Splits a timestamp into epoch seconds and a 9-digit fraction; unparseable text sorts first. */
function timestampKey(timestamp: string): { seconds: number; fraction: string } {
  const match = /^([^.]*?)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$/i.exec(timestamp);
  const whole = match?.[1] ?? timestamp;
  const zone = match?.[3] ?? '';
  const ms = Date.parse(`${whole}${zone}`);
  const fraction = (match?.[2] ?? '').slice(0, 9).padEnd(9, '0');
  return { seconds: Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : Math.floor(ms / 1000), fraction };
}
