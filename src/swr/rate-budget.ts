import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { SharedRedis } from '../redis/shared-redis.js';

/**
 * A caller's SWR_RATE_LIMIT: a token bucket of `limit` calls, refilled at `limit` calls per
 * second. `take` spends one call, or says how long until one fits (nothing is spent then).
 */
export interface RateBudget {
  /** Resolves to null when the call may go to SWR, else to the milliseconds until it could. */
  take(callerKey: string): Promise<number | null>;
}

/** Callers whose buckets one process keeps (the least recent beyond it start full again). */
const MAX_LOCAL_BUCKETS = 100_000;

/**
 * The bucket in Redis, one hash per caller (`<prefix>rate:<token hash>`), checked and spent in one
 * script so that replicas never both spend the last call; Redis's clock, not the replicas', says
 * how much has refilled. A bucket left alone refills in a second: the key expires after two.
 * Returns -1 when admitted, else the milliseconds to wait.
 */
const TAKE_SCRIPT = `
local limit = tonumber(ARGV[1])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(bucket[1]) or limit
local at = tonumber(bucket[2]) or now
tokens = math.min(limit, tokens + math.max(0, now - at) * limit / 1000)
if tokens < 1 then
  -- Nothing is spent, nor written: the bucket goes on refilling from when it was last spent.
  return math.ceil((1 - tokens) * 1000 / limit)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], 2000)
return -1
`;

/** The budget of one process: the same bucket, in memory. */
export function createLocalRateBudget(limit: number, now: () => number = Date.now): RateBudget {
  const buckets = new LRUCache<string, { tokens: number; at: number }>({ max: MAX_LOCAL_BUCKETS, ttl: 2000 });
  return {
    take(callerKey) {
      const time = now();
      let bucket = buckets.get(callerKey) ?? { tokens: limit, at: time };
      // A clock set back: refill from now on (rather than from a moment that has not come yet).
      if (time < bucket.at) buckets.set(callerKey, (bucket = { tokens: bucket.tokens, at: time }));
      const tokens = Math.min(limit, bucket.tokens + ((time - bucket.at) * limit) / 1000);
      // A refusal spends nothing and writes nothing: the bucket refills from when it was last spent.
      if (tokens < 1) return Promise.resolve(Math.ceil(((1 - tokens) * 1000) / limit));
      buckets.set(callerKey, { tokens: tokens - 1, at: time });
      return Promise.resolve(null);
    },
  };
}

/**
 * The budget shared by every replica through Redis, with this process's own as the fallback
 * while Redis is unreachable or slow (then each replica holds a caller to the limit by itself).
 */
export function createSharedRateBudget(limit: number, redis: SharedRedis, logger: Logger): RateBudget {
  const local = createLocalRateBudget(limit);
  const commands = redis.commands as SharedRedis['commands'] & {
    swrTakeCall?: (key: string, limit: number) => Promise<number>;
  };
  if (!commands.swrTakeCall) commands.defineCommand('swrTakeCall', { numberOfKeys: 1, lua: TAKE_SCRIPT });
  return {
    async take(callerKey) {
      if (!redis.up) return local.take(callerKey);
      try {
        const wait = await commands.swrTakeCall!(redis.key('rate', callerKey), limit);
        return wait < 0 ? null : wait;
      } catch (error) {
        redis.failed(error);
        logger.debug({ err: { message: (error as Error).message } }, 'rate budget: Redis failed, this replica counts alone');
        return local.take(callerKey);
      }
    },
  };
}
