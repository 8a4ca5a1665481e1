import type { GatewayError } from '../errors.js';
import { sliceFromScan } from '../paging/anchored-scan.js';
import { compareKeys, keyOf, type JobKey } from '../paging/job-order.js';
import type { ScanPlan } from '../paging/page-plan.js';
import type { LoadPage } from '../paging/page-slice.js';
import { SwrHttpError } from '../swr/errors.js';
import type { SwrSyncJob } from '../swr/types.js';
import { changesFrom, emptyWatchState, type JobChange, type WatchState } from './job-changes.js';
import type { TraceParent } from '../observability/tracing-types.js';

/** Jobs one poll reads: SWR's newest page, order DESC. */
export const WATCH_PAGE_SIZE = 20;
/** Pages one poll may read on when more jobs were created since the last than a page holds; the rest waits for the next poll. */
export const MAX_READ_ON_PAGES = 5;
/**
 * Most events one poll reports: a CREATED for each job it read, and an UPDATED for each job of
 * the previous poll (which read as many at most).
 */
export const MAX_EVENTS_PER_POLL = 2 * WATCH_PAGE_SIZE * (1 + MAX_READ_ON_PAGES);

/** Upstream statuses that end a watch's streams (with their coded error): retrying cannot help. */
const FATAL_STATUSES = new Set([401, 403, 404]);
/** A key older than any job's: where the burst after a baseline of an empty list starts (every job is newer). */
const BEFORE_ANY_ID = Number.MIN_SAFE_INTEGER;
const BEFORE_ANY_JOB: JobKey = { instant: '', id: BEFORE_ANY_ID };

/** Options of createWatch. */
export interface WatchOptions {
  /**
   * Reads `limit` jobs from `offset`, order DESC, with the watch's token (aborted by `signal` when
   * the watch stops; `trace`: its poll's span).
   */
  read: (offset: number, limit: number, signal: AbortSignal, trace?: TraceParent) => Promise<Awaited<ReturnType<LoadPage>>>;
  /** WATCH_INTERVAL_MS. */
  intervalMs: number;
  /** Every poll's changes, in the order subscribers should see them. */
  onChanges: (changes: JobChange[]) => void;
  /** A failure no retry can mend (401/403/404): the watch has stopped. */
  onFatal: (error: GatewayError) => void;
  /** Each poll's outcome, for metrics: `ok`, or the error code of a failure retried next time. */
  onPoll?: (outcome: string) => void;
  /** The state to start from (a watch taken over elsewhere). @default nothing seen */
  state?: WatchState;
  /** Runs each poll (OpenTelemetry: in a span of its own, which the poll's reads are given). @default as it is */
  around?: (poll: (trace: TraceParent) => Promise<void>) => Promise<void>;
  /** After every poll that read SWR: its changes (maybe none) and the state it leaves (to share them). */
  onPolled?: (changes: JobChange[], state: WatchState) => void;
  /** SWR_MAX_LIMIT: the widest window a read asks SWR for (a poll's page, a burst read's scan with its margins). @default 100 */
  maxLimit?: number;
}

/** One repository's watch for one caller: it polls while it runs. */
export interface Watch {
  /**
   * Runs the first poll (the baseline, which reports nothing); resolves when it is done, rejects
   * with a fatal error. Another failure resolves too: the watch retries (after SWR's Retry-After
   * when that is later than the interval) and its first successful read is the baseline.
   */
  start(): Promise<void>;
  /** Stops polling; a poll in flight is aborted and no SWR call follows. */
  stop(): void;
  readonly state: WatchState;
}

/**
 * A watch: every `intervalMs` it reads SWR's newest page, compares it with what it saw (see
 * changesFrom) and reports the changes. When the whole page is new, more jobs may have been
 * created since the last poll than it holds (a burst): the watch then reads the burst from its
 * oldest end, the jobs just newer than the newest it saw, with the stable-cursor scan (so jobs
 * created or deleted meanwhile neither hide nor repeat one), up to MAX_READ_ON_PAGES pages a
 * poll, and reports them oldest first; what it has not read yet it reads at the next poll, so
 * CREATED events come in the order the jobs were created and none is lost. A failure other than
 * 401/403/404 (5xx, timeouts, 429) is retried at the next poll, or after SWR's Retry-After when
 * that is later; 401/403/404 stop the watch (`onFatal`).
 */
export function createWatch(options: WatchOptions): Watch {
  let state = options.state ?? emptyWatchState();
  const maxLimit = options.maxLimit ?? 100;
  // A poll's page: WATCH_PAGE_SIZE jobs, fewer only when SWR_MAX_LIMIT is lower.
  const pageSize = Math.min(WATCH_PAGE_SIZE, maxLimit);
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let inFlight: AbortController | null = null;
  // SWR's total at the last poll, and where the newest job seen was in the list then: the jobs
  // created since push it down by as many (a guess the scan starts from, and corrects).
  let lastTotal: number | null = null;
  let newestAt = 0;

  const poll = options.around ? () => options.around!(readAndReport) : () => readAndReport(undefined);

  async function readAndReport(trace: TraceParent | undefined): Promise<void> {
    const controller = new AbortController();
    inFlight = controller;
    // Every read of this poll: aborted when the watch stops, part of the poll's span.
    const load: LoadPage = (offset, limit) => options.read(offset, limit, controller.signal, trace);
    try {
      const page = await load(0, pageSize);
      // When the last read held every job of the newest instant, a job of that instant it did not
      // know is new too, whatever its id: the poll has seen them all only once it reaches past that
      // instant, so the burst (if any) is read from the instant's start, not from the newest job.
      const seen =
        state.newest === null ? BEFORE_ANY_JOB : state.newestComplete ? { instant: state.newest.instant, id: BEFORE_ANY_ID } : state.newest;
      const burst = state.baseline && page.items.length === pageSize && allNew(page.items, seen);
      const { jobs, head } = burst ? await readBurst(page, seen, load) : { jobs: page.items, head: true };
      const whole = !burst && (page.items.length < pageSize || (page.total !== null && page.total <= page.items.length));
      const next = changesFrom(state, jobs, { head, whole });
      if (!burst) newestAt = 0;
      lastTotal = page.total;
      state = next.state;
      options.onPoll?.('ok');
      if (!stopped) options.onPolled?.(next.changes, state);
      if (next.changes.length > 0 && !stopped) options.onChanges(next.changes);
    } finally {
      if (inFlight === controller) inFlight = null;
    }
  }

  // The oldest jobs of a burst (newest first, as SWR lists them): pages of the jobs just newer
  // than `seen`, each read after the last, until they reach the newest page (then the whole
  // burst is read, and the newest page with it: `head`) or MAX_READ_ON_PAGES were read.
  async function readBurst(
    page: Awaited<ReturnType<LoadPage>>,
    seen: JobKey,
    load: LoadPage,
  ): Promise<{ jobs: SwrSyncJob[]; head: boolean }> {
    const newestIds = new Set(page.items.map((job) => job.id));
    let read: SwrSyncJob[] = [];
    let anchor = seen;
    let position = newestAt + (page.total !== null && lastTotal !== null ? Math.max(0, page.total - lastTotal) : pageSize);
    for (let pages = 0; pages < MAX_READ_ON_PAGES; pages += 1) {
      const newer = await readNewer(anchor, position, page.total, load);
      if (newer.items.length === 0) break;
      read = [...newer.items, ...read];
      if (!newer.hasPreviousPage || newer.items.some((job) => newestIds.has(job.id))) {
        newestAt = 0;
        return { jobs: dedupe([...page.items, ...read]), head: true };
      }
      anchor = keyOf(newer.items[0]!);
      position = Math.max(0, position - newer.items.length);
    }
    newestAt = position;
    return { jobs: read, head: false };
  }

  // The pageSize jobs just newer than `job` (before it, order DESC), cut by the job
  // wherever it is now (about `position`).
  function readNewer(job: JobKey, position: number, total: number | null, load: LoadPage) {
    const plan: ScanPlan = {
      kind: 'scan',
      order: 'desc',
      direction: 'backward',
      anchor: { ...job, position, total, shownBefore: null, shownAfter: null },
      bound: null,
      count: pageSize,
      from: position,
    };
    return sliceFromScan(plan, load, maxLimit);
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = null;
      void tick();
    }, delayMs);
  }

  async function tick(): Promise<void> {
    if (stopped) return;
    try {
      await poll();
      schedule(options.intervalMs);
    } catch (error) {
      if (stopped) return;
      if (isFatal(error)) {
        stopped = true;
        options.onPoll?.(error.code);
        options.onFatal(error);
        return;
      }
      retryLater(error);
    }
  }

  // A failure a retry may mend (5xx, timeouts, 429): counted, and retried at the next poll, or
  // after SWR's Retry-After when that is later.
  function retryLater(error: unknown): void {
    options.onPoll?.((error as Partial<GatewayError>).code ?? 'ERROR');
    const retryAfterMs = error instanceof SwrHttpError ? (error.retryAfterMs ?? 0) : 0;
    schedule(Math.max(options.intervalMs, retryAfterMs));
  }

  return {
    async start() {
      try {
        await poll();
      } catch (error) {
        if (isFatal(error)) {
          stopped = true;
          throw error;
        }
        // Not fatal: the streams stay open and the first read that succeeds is the baseline. (Jobs
        // created before it are not reported: SWR's creation times come from SWR's clock, which
        // ours cannot tell apart from the subscribe time closely enough to replay none.)
        if (!stopped) retryLater(error);
        return;
      }
      schedule(options.intervalMs);
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      inFlight?.abort();
    },
    get state() {
      return state;
    },
  };
}

// True when every job is newer than `newest`.
function allNew(jobs: readonly SwrSyncJob[], newest: JobKey): boolean {
  return jobs.length > 0 && jobs.every((job) => compareKeys(keyOf(job), newest, 'desc') < 0);
}

// A failure that ends the watch's streams with its coded error (401/403/404).
function isFatal(error: unknown): error is SwrHttpError {
  return error instanceof SwrHttpError && FATAL_STATUSES.has(error.upstream.status ?? 0);
}

function dedupe(jobs: SwrSyncJob[]): SwrSyncJob[] {
  const seen = new Set<number>();
  return jobs.filter((job) => !seen.has(job.id) && seen.add(job.id));
}
