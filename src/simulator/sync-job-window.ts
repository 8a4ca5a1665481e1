import type { SwrSyncJob } from '../swr/types.js';
import type { SyncJobFilter } from './filter-param.js';

/** One answer's worth of jobs, and the total the `Content-Range` header reports. */
export interface SyncJobWindow {
  items: SwrSyncJob[];
  total: number;
}

/**
 * Use to answer a filter: sort by creation time (ties by id, in the same direction, so `desc` is
 * exactly `asc` reversed and paging never skips or repeats a job), then slice [offset, offset+limit).
 */
export function windowFromJobs(jobs: readonly SwrSyncJob[], filter: SyncJobFilter): SyncJobWindow {
  const sorted = [...jobs].sort(compareJobsAscending);
  if (filter.order === 'desc') sorted.reverse();
  return { items: sorted.slice(filter.offset, filter.offset + filter.limit), total: sorted.length };
}

/** Use to write the `Content-Range` header: `{offset}-{count}/{total}`, count being items returned. */
export function contentRangeFromWindow(offset: number, window: SyncJobWindow): string {
  return `${offset}-${window.items.length}/${window.total}`;
}

/** Ascending by createdAt, then by id. */
function compareJobsAscending(a: SwrSyncJob, b: SwrSyncJob): number {
  const byTime = compareCreatedAt(a.createdAt, b.createdAt);
  return byTime !== 0 ? byTime : a.id - b.id;
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
