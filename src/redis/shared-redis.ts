import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** A command that has not answered in this long fails (the caller then works without Redis). */
export const REDIS_COMMAND_TIMEOUT_MS = 1000;
/** Longest wait between two reconnection attempts. */
const MAX_RECONNECT_DELAY_MS = 2000;

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
  /** True while both connections are ready. */
  readonly up: boolean;
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
  const connect = (name: string) =>
    new Redis(options.url, {
      connectionName: `swr-gateway-${name}`,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
      connectTimeout: 2000,
      retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 5), MAX_RECONNECT_DELAY_MS),
    });
  const commands = connect('commands');
  const subscriber = connect('subscriber');
  const listeners = new Set<(up: boolean) => void>();
  let up = false;
  let everUp = false;

  const update = () => {
    const now = commands.status === 'ready' && subscriber.status === 'ready';
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

  return {
    commands,
    subscriber,
    get up() {
      return up;
    },
    key: (...parts) => `${options.prefix}${parts.join(':')}`,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      clearTimeout(startup);
      listeners.clear();
      await Promise.allSettled([commands.quit(), subscriber.quit()]);
      commands.disconnect();
      subscriber.disconnect();
    },
  };
}
