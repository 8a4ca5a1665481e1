import type { Logger } from 'pino';
import type { Caller } from '../auth/caller.js';
import { OperationTooExpensiveError, ShuttingDownError, SubscriberTooSlowError, type GatewayError } from '../errors.js';
import type { RepositoryKey } from '../model/repository-key.js';
import type { SwrClient } from '../swr/client.js';
import type { JobChange } from './job-changes.js';
import { createSubscriberQueue, type SubscriberQueue } from './subscriber-queue.js';
import { createHash } from 'node:crypto';
import type { WatchSharing } from './shared-watch.js';
import type { WatchState } from './job-changes.js';
import { createWatch, MAX_EVENTS_PER_POLL, type WatchOptions } from './watch.js';
import type { TraceParent } from '../observability/tracing-types.js';

/**
 * Events one subscriber may have waiting for its client before it is dropped (SUBSCRIBER_TOO_SLOW):
 * two polls' worth at most, so a client that reads keeps up with any burst. (Subscribers of a
 * watch share each event object; a buffer holds references.)
 */
export const MAX_BUFFERED_EVENTS = 2 * MAX_EVENTS_PER_POLL;

/** Options of createLiveHub. */
export interface LiveHubOptions {
  client: SwrClient;
  /** WATCH_INTERVAL_MS. */
  intervalMs: number;
  /** SWR_MAX_LIMIT: the widest window a watch's read asks for. @default 100 */
  maxLimit?: number;
  /** MAX_WATCHES: watches (caller × repository) of the process. */
  maxWatches: number;
  /** MAX_SUBSCRIPTIONS: subscribers of the process. */
  maxSubscriptions: number;
  /** MAX_WATCHES_PER_CALLER: watches of one caller (token) in the process. */
  maxWatchesPerCaller: number;
  /** MAX_SUBSCRIPTIONS_PER_CALLER: subscribers of one caller (token) in the process. */
  maxSubscriptionsPerCaller: number;
  logger: Logger;
  /** Counts for /metrics. */
  onEvent?: (kind: JobChange['kind'], subscribers: number) => void;
  onPoll?: (outcome: string) => void;
  /** Runs each poll of a repository's watch (OpenTelemetry: in a span). @default as it is */
  tracePoll?: (repository: { namespace: string; name: string }, poll: (trace: TraceParent) => Promise<void>) => Promise<void>;
  /** With Redis: watches shared by the replicas (one polls, all deliver). @default each process polls for its own subscribers */
  sharing?: WatchSharing;
}

/** Live updates of the process: its watches and their subscribers. */
export interface LiveHub {
  /**
   * Subscribes a caller to a repository's job changes. A new watch takes its baseline first (so
   * an unknown repository or a refused token fails here, with its code); the stream then carries
   * every change the watch sees until the client leaves, the watch fails for good (its error is
   * the stream's last value), or the hub closes.
   */
  subscribe(caller: Caller, repository: RepositoryKey, signal?: AbortSignal): Promise<AsyncIterableIterator<JobChange | Error>>;
  readonly watches: number;
  readonly subscribers: number;
  /** Ends every stream cleanly and stops every watch (graceful shutdown). */
  close(): void;
}

interface WatchEntry {
  /** The keyed token hash of the caller it polls for. */
  callerKey: string;
  subscribers: Set<SubscriberQueue<JobChange>>;
  ready: Promise<void>;
  /** Stops the watch (here; a shared one goes on on another replica with subscribers). */
  stop: () => void;
}

/**
 * One watch per (caller, repository), however many subscribers share it: a dashboard open in
 * ten tabs costs SWR one call per interval. Watches are keyed by the caller's token hash, never
 * the token, and poll with the token of the caller they serve; no caller's events ever reach
 * another's subscriber. A watch stops as soon as its last subscriber leaves.
 *
 * Besides the process's limits, each caller has its own (per keyed token hash), so no one token
 * (a runaway client, a leaked one) can take every watch or subscription of the process.
 */
export function createLiveHub(options: LiveHubOptions): LiveHub {
  const entries = new Map<string, WatchEntry>();
  let subscribers = 0;
  let closed = false;
  // Per caller (keyed token hash): its watches and subscribers in this process; no entry at zero.
  const usage = new Map<string, { watches: number; subscribers: number }>();
  const usageOf = (callerKey: string) => usage.get(callerKey) ?? { watches: 0, subscribers: 0 };
  const count = (callerKey: string, what: 'watches' | 'subscribers', by: 1 | -1) => {
    const counts = usage.get(callerKey) ?? (by > 0 ? { watches: 0, subscribers: 0 } : null);
    if (!counts) return; // (after close(): nothing left to count down)
    counts[what] += by;
    if (counts.watches === 0 && counts.subscribers === 0) usage.delete(callerKey);
    else usage.set(callerKey, counts);
  };
  // Forgets a watch (once, and only if it is still the one under its key).
  const forget = (key: string, entry: WatchEntry) => {
    if (entries.get(key) !== entry) return;
    entries.delete(key);
    count(entry.callerKey, 'watches', -1);
  };

  function entryFor(key: string, caller: Caller, repository: RepositoryKey): WatchEntry {
    const known = entries.get(key);
    if (known) return known;
    if (entries.size >= options.maxWatches) {
      throw new OperationTooExpensiveError(
        `This gateway watches ${options.maxWatches} repositories already (MAX_WATCHES); try again later`,
        'MAX_WATCHES',
      );
    }
    if (usageOf(caller.tokenHash).watches >= options.maxWatchesPerCaller) {
      throw new OperationTooExpensiveError(
        `This token has ${options.maxWatchesPerCaller} repositories watched already (MAX_WATCHES_PER_CALLER); end a subscription first`,
        'MAX_WATCHES_PER_CALLER',
      );
    }
    const set = new Set<SubscriberQueue<JobChange>>();
    const deliver = (changes: JobChange[]) => {
      for (const change of changes) {
        if (set.size > 0) options.onEvent?.(change.kind, set.size);
        for (const subscriber of set) subscriber.push(change);
      }
    };
    const fail = (error: GatewayError) => {
      forget(key, entry);
      for (const subscriber of [...set]) subscriber.end(error);
    };
    const localWatch = (state: WatchState | undefined, hooks: Pick<WatchOptions, 'onChanges' | 'onFatal' | 'onPolled'>) =>
      createWatch({
        intervalMs: options.intervalMs,
        ...(options.maxLimit !== undefined ? { maxLimit: options.maxLimit } : {}),
        read: (offset, limit, signal, trace) =>
          options.client.listSyncJobs({
            token: caller.token,
            callerKey: caller.tokenHash,
            namespace: repository.namespace,
            repository: repository.name,
            order: 'desc',
            offset,
            limit,
            signal,
            ...(trace !== undefined ? { trace } : {}),
          }),
        ...hooks,
        ...(state ? { state } : {}),
        ...(options.tracePoll ? { around: (poll: (trace: TraceParent) => Promise<void>) => options.tracePoll!(repository, poll) } : {}),
        ...(options.onPoll ? { onPoll: options.onPoll } : {}),
      });
    let entry: WatchEntry;
    if (options.sharing) {
      const shared = options.sharing.join({
        // The watch's name across replicas: a hash of the keyed token hash and the repository.
        id: createHash('sha256').update(key).digest('base64url'),
        createWatch: localWatch,
        deliver,
        fail,
      });
      entry = { callerKey: caller.tokenHash, subscribers: set, ready: shared.ready, stop: () => shared.stop() };
    } else {
      const watch = localWatch(undefined, { onChanges: deliver, onFatal: fail });
      entry = { callerKey: caller.tokenHash, subscribers: set, ready: watch.start(), stop: () => watch.stop() };
    }
    // A baseline that fails for good fails every subscriber waiting for it; the watch is gone.
    entry.ready.catch(() => forget(key, entry));
    entries.set(key, entry);
    count(caller.tokenHash, 'watches', 1);
    return entry;
  }

  return {
    async subscribe(caller, repository, signal) {
      if (closed) throw new ShuttingDownError('This gateway is shutting down; subscribe again (to another replica)');
      if (subscribers >= options.maxSubscriptions) {
        throw new OperationTooExpensiveError(
          `This gateway serves ${options.maxSubscriptions} subscriptions already (MAX_SUBSCRIPTIONS); try again later`,
          'MAX_SUBSCRIPTIONS',
        );
      }
      if (usageOf(caller.tokenHash).subscribers >= options.maxSubscriptionsPerCaller) {
        throw new OperationTooExpensiveError(
          `This token has ${options.maxSubscriptionsPerCaller} subscriptions open already (MAX_SUBSCRIPTIONS_PER_CALLER); end one first`,
          'MAX_SUBSCRIPTIONS_PER_CALLER',
        );
      }
      const key = `${caller.tokenHash}|${repository.namespace}|${repository.name}`;
      const entry = entryFor(key, caller, repository);
      subscribers += 1;
      count(caller.tokenHash, 'subscribers', 1);
      // The subscriber belongs to its watch from now on, while it waits for the baseline too: one
      // that leaves meanwhile (React StrictMode's mount, unmount, mount) never stops the watch under
      // another still waiting, and close() ends a waiting one as well.
      const queue = createSubscriberQueue<JobChange>({
        maxBuffered: MAX_BUFFERED_EVENTS,
        overflow: () =>
          new SubscriberTooSlowError(`This subscription fell ${MAX_BUFFERED_EVENTS} events behind and was ended; subscribe again`),
        onEnd: () => {
          subscribers -= 1;
          count(caller.tokenHash, 'subscribers', -1);
          entry.subscribers.delete(queue);
          if (entry.subscribers.size === 0 && entries.get(key) === entry) {
            entry.stop();
            forget(key, entry);
          }
        },
      });
      entry.subscribers.add(queue);
      signal?.addEventListener('abort', () => void queue.return!(), { once: true });
      try {
        await entry.ready;
      } catch (error) {
        void queue.return!();
        throw error;
      }
      if (closed || signal?.aborted) queue.end();
      return queue;
    },
    get watches() {
      return entries.size;
    },
    get subscribers() {
      return subscribers;
    },
    close() {
      closed = true;
      options.sharing?.close();
      for (const entry of [...entries.values()]) {
        entry.stop();
        for (const subscriber of [...entry.subscribers]) subscriber.end();
      }
      entries.clear();
      usage.clear();
      options.logger.debug('live updates: every stream ended');
    },
  };
}
