import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** A command that has not answered in this long fails (the caller then works without Redis). */
export const REDIS_COMMAND_TIMEOUT_MS = 1000;
/** Longest wait between two reconnection attempts. */
const MAX_RECONNECT_DELAY_MS = 2000;
/** While Redis is held down after a command timed out: how often it is probed (PING). */
const PROBE_INTERVAL_MS = 500;

/** Options of createSharedRedis. */
export interface SharedRedisOptions {
  /** REDIS_URL (it may hold a password: never logged). */
  url: string;
  /** REDIS_PREFIX: of every key and channel. */
  prefix: string;
  logger: Logger;
}

/** The Redis the replicas share, and whether it is reachable now. */
export interface SharedRedis {
  /** Commands (GET, SET, EVAL, PUBLISH). While Redis is down they fail at once (nothing is queued). */
  readonly commands: Redis;
  /** Subscriptions: a connection of its own, as Redis requires. */
  readonly subscriber: Redis;
  /** True while both connections are ready and no command has timed out since the last successful probe. */
  readonly up: boolean;
  /**
   * Reports a failed command. A timeout means Redis hangs (SIGSTOP, a partition without a reset):
   * the connections stay open, so Redis is held down until a PING answers again, and every
   * caller goes on without it at once instead of waiting a timeout each.
   */
  failed(error: unknown): void;
  /** A key (or channel) of this deployment: the prefix, then the parts. */
  key(...parts: string[]): string;
  /** Called with each change of `up`; returns the function that stops listening. */
  onChange(listener: (up: boolean) => void): () => void;
  /** Closes both connections. */
  close(): Promise<void>;
}

/**
 * Two ioredis connections (commands, subscriptions) that reconnect for ever, with backoff, and
 * never queue a command while Redis is away: a request must not wait for Redis, it goes on
 * without it (no cache, local watches, local rate budget). Each episode is logged once: one
 * warning when Redis goes away, one line when it is back.
 */
export function createSharedRedis(options: SharedRedisOptions): SharedRedis {
  // Loaded here, not imported: a gateway without REDIS_URL does not carry ioredis (about 12 MB).
  const { Redis } = createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
  const connect = (name: string) =>
    new Redis(options.url, {
      connectionName: `swr-gateway-${name}`,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
      connectTimeout: 2000,
      // Every watch subscribes its channel again itself when Redis is back (onChange): channels of
      // watches that ended meanwhile must not come back.
      autoResubscribe: false,
      retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 5), MAX_RECONNECT_DELAY_MS),
    });
  const commands = connect('commands');
  const subscriber = connect('subscriber');
  const listeners = new Set<(up: boolean) => void>();
  let up = false;
  let everUp = false;
  let closing = false;
  let held: NodeJS.Timeout | null = null;

  const update = () => {
    if (closing) return;
    const now = commands.status === 'ready' && subscriber.status === 'ready' && held === null;
    if (now === up) return;
    up = now;
    if (now) {
      if (everUp) options.logger.info('Redis is reachable again: replicas share caches, watches and rate budgets again');
      else options.logger.info('connected to Redis: replicas share caches, watches and rate budgets');
      everUp = true;
    } else {
      options.logger.warn(
        'Redis is unreachable: this replica serves alone (no shared cache, its own watches and rate budget) until it is back',
      );
    }
    for (const listener of listeners) listener(now);
  };
  for (const connection of [commands, subscriber]) {
    connection.on('ready', update);
    connection.on('close', update);
    connection.on('end', update);
    // Errors come with each failed attempt; the episode is logged by `update`, at debug the details.
    connection.on('error', (error: Error) => options.logger.debug({ err: { message: error.message } }, 'Redis connection error'));
  }
  // Not up at start: one warning if the first connection does not come soon.
  const startup = setTimeout(() => {
    if (!up && !everUp) options.logger.warn('Redis is unreachable at start-up: this replica serves alone until it can connect');
  }, 3000);
  startup.unref();

  // Held down: PING until Redis answers within the command timeout, then up again.
  const hold = () => {
    if (held !== null || closing) return;
    held = setInterval(() => {
      commands.ping().then(
        () => {
          if (held === null) return;
          clearInterval(held);
          held = null;
          update();
        },
        () => {},
      );
    }, PROBE_INTERVAL_MS);
    held.unref();
    update();
  };

  return {
    commands,
    subscriber,
    get up() {
      return up;
    },
    failed(error) {
      if (/timed? ?out/i.test((error as Error | undefined)?.message ?? '')) hold();
    },
    key: (...parts) => `${options.prefix}${parts.join(':')}`,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      closing = true;
      clearTimeout(startup);
      if (held !== null) clearInterval(held);
      listeners.clear();
      await Promise.allSettled([commands.quit(), subscriber.quit()]);
      commands.disconnect();
      subscriber.disconnect();
    },
  };
}
