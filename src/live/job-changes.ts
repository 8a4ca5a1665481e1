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
  /**
   * The last poll read every job of the newest job's instant (it read the head of the list, and
   * the list ended or went on to an older instant within what it read): a job of that instant
   * it did not know is then new, whatever its id. False when unknown (as in states kept before it existed).
   */
  newestComplete?: boolean;
}

/** What one poll read: whether it holds the list's newest jobs, and whether it holds the whole list. */
export interface PollRead {
  head: boolean;
  whole: boolean;
}

/** The state of a watch that has polled nothing yet (no baseline). */
export function emptyWatchState(): WatchState {
  return { baseline: false, newest: null, known: new Map() };
}

/**
 * What changed between the state of the last poll and the jobs read now (newest first), and the
 * state to keep. A job newer than any seen is CREATED, and so is one of the newest seen job's
 * instant that the last poll did not know when it read every job of that instant (a tie created
 * after it, whatever its id); a job known from the last poll whose status or updatedAt differs
 * is UPDATED; a job older than that but not known (one that moved into view as newer ones were
 * deleted) is only remembered. The first successful read (no baseline yet) is the baseline: it
 * reports nothing, so jobs that existed at subscribe time are not replayed; when it saw an empty
 * list, every job read after it is CREATED. CREATED events come oldest first (by creation time,
 * ties by id), then the UPDATED ones, newest first, whatever order `jobs` came in.
 */
export function changesFrom(
  state: WatchState,
  jobs: readonly SwrSyncJob[],
  read: PollRead = { head: true, whole: false },
): { changes: JobChange[]; state: WatchState } {
  const created: JobChange[] = [];
  const updated: JobChange[] = [];
  const known = new Map<number, { status: string; updatedAt: string }>();
  let newest = state.newest;
  const tieOfNewest = state.newestComplete === true && state.newest !== null ? state.newest.instant : null;
  const newestFirst = jobs.map((job) => ({ job, key: keyOf(job) })).sort((a, b) => compareKeys(a.key, b.key, 'desc'));
  for (const { job, key } of newestFirst) {
    const before = state.known.get(job.id);
    if (state.baseline) {
      if (before) {
        if (before.status !== job.status || before.updatedAt !== job.updatedAt) updated.push({ kind: 'UPDATED', job });
      } else if (state.newest === null || compareKeys(key, state.newest, 'desc') < 0 || key.instant === tieOfNewest) {
        created.push({ kind: 'CREATED', job });
      }
    }
    known.set(job.id, { status: job.status, updatedAt: job.updatedAt });
    if (newest === null || compareKeys(key, newest, 'desc') < 0) newest = key;
  }
  const newestInstant = newest?.instant;
  const newestComplete = read.head && (read.whole || newestFirst.some(({ key }) => key.instant !== newestInstant));
  return { changes: [...created.reverse(), ...updated], state: { baseline: true, newest, known, newestComplete } };
}
