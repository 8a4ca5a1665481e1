import type { SwrOrder, SwrSyncJob } from '../swr/types.js';

/**
 * The gateway's order of sync jobs: by creation time, and among jobs created in the same instant
 * by id (ascending for ASC, descending for DESC, so DESC is exactly ASC reversed). SWR orders by
 * creation time only and may return jobs of one instant in either order from one call to the
 * next; every cut the gateway makes by a cursor compares in this order, never in SWR's.
 */

/** Where a job stands in the order: its creation instant (comparable as text) and its id. */
export interface JobKey {
  /** The creation time as `YYYY-MM-DDTHH:MM:SS.fffffffffZ` (UTC, nine fraction digits): compares as text. */
  instant: string;
  id: number;
}

const SWR_UTC = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/;

/**
 * An SWR time as a fixed-width UTC instant that sorts as text, keeping SWR's microseconds (which
 * `Date` drops); a time with an offset or without a zone (UTC, as SWR documents) is converted.
 */
export function instantOf(time: string): string {
  const exact = SWR_UTC.exec(time);
  if (exact) return `${exact[1]}.${(exact[2] ?? '').padEnd(9, '0')}Z`;
  const fraction = /\.(\d+)/.exec(time)?.[1] ?? '';
  const zoned = /(?:Z|[+-]\d\d:?\d\d)$/i.test(time) ? time : `${time.replace(' ', 'T')}Z`;
  const ms = Date.parse(zoned);
  if (Number.isNaN(ms)) return '0000-00-00T00:00:00.000000000Z';
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}.${fraction.slice(0, 9).padEnd(9, '0')}Z`;
}

/** The key of an upstream job. */
export function keyOf(job: SwrSyncJob): JobKey {
  return { instant: instantOf(job.createdAt), id: job.id };
}

/** Negative when `a` comes before `b` in `order`, positive after, 0 for the same job. */
export function compareKeys(a: JobKey, b: JobKey, order: SwrOrder): number {
  const ascending = a.instant < b.instant ? -1 : a.instant > b.instant ? 1 : a.id - b.id;
  return order === 'asc' ? ascending : -ascending;
}

/** Like compareKeys, on creation instants alone: 0 for two jobs created in the same instant. */
export function compareInstants(a: string, b: string, order: SwrOrder): number {
  const ascending = a < b ? -1 : a > b ? 1 : 0;
  return order === 'asc' ? ascending : -ascending;
}
