import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { GatewayError } from '../errors.js';
import type { SharedRedis } from '../redis/shared-redis.js';
import type { JobChange, WatchState } from './job-changes.js';
import {
  ACQUIRE_SCRIPT,
  messageFrom,
  RELEASE_SCRIPT,
  remoteErrorFrom,
  serialize,
  stateFrom,
  type Message,
} from './shared-watch-messages.js';
import type { Watch, WatchOptions } from './watch.js';

/**
 * How replicas share a watch through Redis. Per watch (its id: a hash of the caller's keyed token
 * hash and the repository, never the token) Redis holds
 * - `<prefix>watch:<id>:lease`: the replica that polls SWR, until the lease expires (LEASE_SHARE of
 *   WATCH_LEASE_MS after its last renewal);
 * - `<prefix>watch:<id>:state`: what the watch saw at its last poll (the newest job's key, and id,
 *   status and updatedAt of the jobs of that poll), where the next holder starts from;
 * - the channel `<prefix>watch:<id>:events`: after each poll, its changes and state, published
 *   with the state in one transaction, so subscribers on every replica get each change once and a
 *   replica that takes over starts exactly where the last holder's subscribers were.
 * Jobs in the channel are SWR's sync jobs as the caller's own token read them; only replicas with
 * a subscriber of that caller (the same token hash) listen on it.
 */

/** Part of WATCH_LEASE_MS a lease lasts without renewal; renewals and take-over attempts come every RENEW_SHARE of it. */
const LEASE_SHARE = 1 / 2;
const RENEW_SHARE = 1 / 6;
/** Changes a replica remembers having delivered, so that one seen twice (a take-over, Redis coming back) reaches subscribers once. */
const DELIVERED_MEMORY = 1024;

/** What a shared watch is built from, per watch. */
export interface SharedWatchOptions {
  /** The watch's id: no token in it. */
  id: string;
  /** A local watch starting from `state` (none: a baseline first), reporting through the hooks. */
  createWatch: (state: WatchState | undefined, hooks: Required<Pick<WatchOptions, 'onChanges' | 'onPolled' | 'onFatal'>>) => Watch;
  /** Changes for this replica's subscribers. */
  deliver: (changes: JobChange[]) => void;
  /** The watch failed for good (here or on the replica polling): its streams end with the error. */
  fail: (error: GatewayError) => void;
}

/** One watch as this replica runs it: polling (holding the lease, or alone while Redis is away) or listening. */
export interface SharedWatch {
  /** Resolves when subscribers may be served (a holder's first poll done); rejects with a fatal error. */
  readonly ready: Promise<void>;
  /** The last subscriber here left: stop polling or listening, and free the lease for another replica. */
  stop(): void;
}

/** Shares watches between replicas; one per process. */
export interface WatchSharing {
  join(options: SharedWatchOptions): SharedWatch;
  close(): void;
}

/** Options of createWatchSharing. */
export interface WatchSharingOptions {
  redis: SharedRedis;
  /** WATCH_LEASE_MS. */
  leaseMs: number;
  /** WATCH_INTERVAL_MS. */
  intervalMs: number;
  logger: Logger;
}

/**
 * Watches shared through Redis (see above): per watch, one replica holds the lease and polls SWR
 * with its own subscriber's token; the others listen on the channel and try for the lease every
 * RENEW_SHARE of WATCH_LEASE_MS, so a holder that dies (killed, not stopped) is replaced within
 * (LEASE_SHARE + RENEW_SHARE) × WATCH_LEASE_MS, from the state in Redis. While Redis is away
 * every replica polls for its own subscribers, from the last state it heard of; when it is back
 * one holds the lease again and the others listen.
 */
export function createWatchSharing(options: WatchSharingOptions): WatchSharing {
  const { redis, logger } = options;
  const instance = randomUUID();
  const leaseTtlMs = Math.max(100, Math.round(options.leaseMs * LEASE_SHARE));
  const stepMs = Math.max(50, Math.round(options.leaseMs * RENEW_SHARE));
  // A state outlives its holder long enough for a take-over, not so long that a later watch would
  // start from it (and report as new what was there when its subscribers came).
  const stateTtlMs = 2 * (options.leaseMs + options.intervalMs);
  const listeners = new Map<string, (message: Message) => void>();
  const watches = new Set<{ onRedis: (up: boolean) => void }>();

  redis.subscriber.on('message', (channel: string, text: string) => {
    const listener = listeners.get(channel);
    if (!listener) return;
    const message = messageFrom(text);
    if (message && message.from !== instance) listener(message);
  });
  const stopListening = redis.onChange((up) => {
    for (const watch of [...watches]) watch.onRedis(up);
  });

  function join(watchOptions: SharedWatchOptions): SharedWatch {
    const keys = {
      lease: redis.key('watch', watchOptions.id, 'lease'),
      state: redis.key('watch', watchOptions.id, 'state'),
      channel: redis.key('watch', watchOptions.id, 'events'),
    };
    const delivered = new LRUCache<string, true>({ max: DELIVERED_MEMORY });
    let stopped = false;
    let holding = false;
    let watch: Watch | null = null;
    // What this replica last knew the watch to have seen (its own polls, or the holder's messages).
    let shadow: WatchState | undefined;
    let timer: NodeJS.Timeout | null = null;
    let resolveReady!: () => void;
    let rejectReady!: (error: unknown) => void;
    const ready = new Promise<void>((resolve, reject) => {
      resolveReady = resolve;
      rejectReady = reject;
    });
    ready.catch(() => {});

    const deliver = (changes: JobChange[]) => {
      const fresh = changes.filter((change) => {
        const key = `${change.kind}|${change.job.id}|${change.job.status}|${change.job.updatedAt}`;
        if (delivered.has(key)) return false;
        delivered.set(key, true);
        return true;
      });
      if (fresh.length > 0 && !stopped) watchOptions.deliver(fresh);
    };

    const fail = (error: GatewayError) => {
      if (stopped) return;
      end();
      rejectReady(error);
      watchOptions.fail(error);
    };

    // Polls SWR from this replica, from the freshest state known (none: a baseline).
    function poll(state: WatchState | undefined): void {
      if (watch || stopped) return;
      const local = watchOptions.createWatch(state, {
        onChanges: deliver,
        onPolled(changes, next) {
          shadow = next;
          if (!redis.up || !holding) return;
          const message = JSON.stringify({ from: instance, changes, state: serialize(next) } satisfies Message);
          redis.commands
            .multi()
            .publish(keys.channel, message)
            .set(keys.state, JSON.stringify(serialize(next)), 'PX', stateTtlMs)
            .exec()
            .catch((error: Error) => {
              redis.failed(error);
              logger.debug({ err: { message: error.message } }, 'shared watch: a poll was not shared');
            });
        },
        onFatal: failEverywhere,
      });
      watch = local;
      local.start().then(resolveReady, (error: unknown) => {
        if (error instanceof GatewayError) failEverywhere(error);
        else rejectReady(error);
      });
    }

    // A failure no retry mends (401/403/404), seen polling: every replica's subscribers end with it.
    function failEverywhere(error: GatewayError): void {
      if (holding && redis.up) {
        const message = JSON.stringify({ from: instance, fatal: { code: error.code, message: error.message } } satisfies Message);
        redis.commands
          .multi()
          .publish(keys.channel, message)
          .del(keys.state)
          .exec()
          .catch(() => {});
      }
      fail(error);
    }

    function quiet(): void {
      watch?.stop();
      watch = null;
    }

    function schedule(): void {
      if (stopped) return;
      timer = setTimeout(() => {
        timer = null;
        void step().finally(schedule);
      }, stepMs);
      timer.unref();
    }

    // Takes or renews the lease; a holder gone (its lease expired) lets another replica take over.
    // Resolves false when Redis did not answer.
    async function step(): Promise<boolean> {
      if (stopped || !redis.up) return false;
      try {
        const held = (await redis.commands.eval(ACQUIRE_SCRIPT, 1, keys.lease, instance, String(leaseTtlMs))) === 1;
        if (stopped) return true;
        if (!held) {
          // Another replica polls (it took over while this one was slow, or polled alone while
          // Redis was away): this one listens.
          holding = false;
          quiet();
          return true;
        }
        const wasHolding = holding;
        holding = true;
        if (wasHolding || watch) return true;
        const stored = await redis.commands.get(keys.state);
        const state = (stored !== null ? stateFrom(stored) : undefined) ?? shadow;
        if (!stopped && holding) poll(state);
        return true;
      } catch (error) {
        redis.failed(error);
        logger.debug({ err: { message: (error as Error).message } }, 'shared watch: lease step failed');
        return false;
      }
    }

    const entry = {
      onRedis(up: boolean) {
        if (stopped) return;
        // Redis away: poll for this replica's own subscribers, from the last state heard of.
        if (!up) poll(shadow);
        // Back: the lease decides again who polls (a replica that polled alone listens once another holds it).
        else {
          redis.subscriber.subscribe(keys.channel).catch(() => {});
          void step();
        }
      },
    };

    function end(): void {
      stopped = true;
      watches.delete(entry);
      if (timer) clearTimeout(timer);
      timer = null;
      quiet();
      listeners.delete(keys.channel);
      if (redis.up) {
        redis.subscriber.unsubscribe(keys.channel).catch(() => {});
        // The state stays (until its TTL): a replica taking over starts from it, not from a baseline.
        if (holding) redis.commands.eval(RELEASE_SCRIPT, 1, keys.lease, instance).catch(() => {});
      }
      holding = false;
    }

    listeners.set(keys.channel, (message) => {
      if (message.fatal) {
        fail(remoteErrorFrom(message.fatal));
        return;
      }
      if (message.state) shadow = stateFrom(JSON.stringify(message.state)) ?? shadow;
      // Even while this replica polls too (it polled alone, or stalled while another took over):
      // what it has not delivered yet it would otherwise never see again; repeats are dropped.
      if (message.changes) deliver(message.changes);
    });
    watches.add(entry);

    async function begin(): Promise<void> {
      if (!redis.up) {
        poll(undefined);
        return;
      }
      let answered = false;
      try {
        await redis.subscriber.subscribe(keys.channel);
        answered = await step();
      } catch (error) {
        redis.failed(error);
        logger.debug({ err: { message: (error as Error).message } }, 'shared watch: Redis failed at the start, polling alone');
      }
      if (stopped) return;
      // Nobody known to poll for it: this replica does, until Redis answers and the lease decides.
      if (!holding && !watch && (!answered || !redis.up)) poll(undefined);
      // A listener is served as soon as it listens: the holder's polls bring it the changes.
      if (!watch) resolveReady();
    }
    void begin().finally(schedule);

    return { ready, stop: end };
  }

  return {
    join,
    close() {
      stopListening();
      listeners.clear();
      watches.clear();
    },
  };
}
