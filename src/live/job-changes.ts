import { compareKeys, keyOf, type JobKey } from '../paging/job-order.js';
import type { SwrSyncJob } from '../swr/types.js';

/** What a watch tells its subscribers about one job. */
export interface JobChange {
  kind: 'CREATED' | 'UPDATED';
  job: SwrSyncJob;
}

/** What a watch remembers between polls: the newest job it has seen, and how the jobs it can still see looked. */
export interface WatchState {
  /**
   * True once a read succeeded (the baseline). A read of an empty list is a baseline too: from
   * then on every job is new. Distinct from `newest === null`, which only says no job was seen.
   */
  baseline: boolean;
  /** The newest job seen; null while none was (no baseline yet, or only empty lists). */
  newest: JobKey | null;
  /** id → status and updatedAt, for the jobs of the last poll. */
  known: Map<number, { status: string; updatedAt: string }>;
}

/** The state of a watch that has polled nothing yet (no baseline). */
export function emptyWatchState(): WatchState {
  return { baseline: false, newest: null, known: new Map() };
}

/**
 * What changed between the state of the last poll and the jobs read now (newest first), and the
 * state to keep. A job newer than any seen is CREATED; a job known from the last poll whose
 * status or updatedAt differs is UPDATED; a job older than the newest seen but not known (one
 * that moved into view as newer ones were deleted) is only remembered. The first successful read
 * (no baseline yet) is the baseline: it reports nothing, so jobs that existed at subscribe time
 * are not replayed; when it saw an empty list, every job read after it is CREATED. CREATED
 * events come oldest first (by creation time, ties by id), then the UPDATED ones, newest first,
 * whatever order `jobs` came in.
 */
export function changesFrom(state: WatchState, jobs: readonly SwrSyncJob[]): { changes: JobChange[]; state: WatchState } {
  const created: JobChange[] = [];
  const updated: JobChange[] = [];
  const known = new Map<number, { status: string; updatedAt: string }>();
  let newest = state.newest;
  const newestFirst = jobs.map((job) => ({ job, key: keyOf(job) })).sort((a, b) => compareKeys(a.key, b.key, 'desc'));
  for (const { job, key } of newestFirst) {
    const before = state.known.get(job.id);
    if (state.baseline) {
      if (before) {
        if (before.status !== job.status || before.updatedAt !== job.updatedAt) updated.push({ kind: 'UPDATED', job });
      } else if (state.newest === null || compareKeys(key, state.newest, 'desc') < 0) {
        created.push({ kind: 'CREATED', job });
      }
    }
    known.set(job.id, { status: job.status, updatedAt: job.updatedAt });
    if (newest === null || compareKeys(key, newest, 'desc') < 0) newest = key;
  }
  return { changes: [...created.reverse(), ...updated], state: { baseline: true, newest, known } };
}
