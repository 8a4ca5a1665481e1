import { GatewayError, type ErrorCode } from '../errors.js';
import type { SwrSyncJob } from '../swr/types.js';
import type { JobChange, WatchState } from './job-changes.js';

/**
 * What replicas sharing a watch tell each other on its channel, the state kept in Redis (JSON),
 * and the lease's scripts; whatever comes from Redis is checked before use (it is never trusted to be well-formed).
 */

/** Takes a watch's lease when free, renews it when held: 1; 0 when another replica holds it. */
export const ACQUIRE_SCRIPT = `
local holder = redis.call('GET', KEYS[1])
if holder == false then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
if holder == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0`;
/** Frees the lease when this replica holds it (the state stays for the next holder). */
export const RELEASE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/** One message on a watch's channel: a poll's changes and state, or the failure that ended the watch. */
export interface Message {
  from: string;
  changes?: JobChange[];
  state?: SerializedState;
  fatal?: { code: string; message: string };
}

export type SerializedState = { newest: WatchState['newest']; known: [number, string, string][]; complete?: boolean };

export function serialize(state: WatchState): SerializedState {
  return {
    newest: state.newest,
    known: [...state.known].map(([id, seen]) => [id, seen.status, seen.updatedAt]),
    ...(state.newestComplete ? { complete: true } : {}),
  };
}

// A state from Redis, checked: what Redis holds is never trusted to be well-formed. It was written
// after a poll, so it is a baseline even when it saw no job (`newest` null: an empty list).
export function stateFrom(text: string): WatchState | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<SerializedState>;
    const newest = parsed.newest;
    if (newest !== null && (typeof newest !== 'object' || typeof newest?.instant !== 'string' || typeof newest.id !== 'number'))
      return undefined;
    if (!Array.isArray(parsed.known)) return undefined;
    const known = new Map<number, { status: string; updatedAt: string }>();
    for (const item of parsed.known) {
      if (!Array.isArray(item) || typeof item[0] !== 'number' || typeof item[1] !== 'string' || typeof item[2] !== 'string')
        return undefined;
      known.set(item[0], { status: item[1], updatedAt: item[2] });
    }
    const newestComplete = parsed.complete === true;
    return { baseline: true, newest: newest ? { instant: newest.instant, id: newest.id } : null, known, newestComplete };
  } catch {
    return undefined;
  }
}

export function messageFrom(text: string): Message | null {
  try {
    const parsed = JSON.parse(text) as Message;
    if (typeof parsed !== 'object' || parsed === null || typeof parsed.from !== 'string') return null;
    if (parsed.changes !== undefined && !(Array.isArray(parsed.changes) && parsed.changes.every(isChange))) return null;
    if (parsed.fatal !== undefined && (typeof parsed.fatal.code !== 'string' || typeof parsed.fatal.message !== 'string')) return null;
    return parsed;
  } catch {
    return null;
  }
}

function isChange(value: unknown): value is JobChange {
  const change = value as Partial<JobChange>;
  const job = change?.job as Partial<SwrSyncJob> | undefined;
  return (
    (change?.kind === 'CREATED' || change?.kind === 'UPDATED') &&
    typeof job === 'object' &&
    job !== null &&
    typeof job.id === 'number' &&
    typeof job.status === 'string' &&
    typeof job.createdAt === 'string' &&
    typeof job.updatedAt === 'string'
  );
}

/** An error a watch failed with on another replica: its code and message, as that replica's subscribers saw them. */
export class RemoteWatchError extends GatewayError {
  override name = 'RemoteWatchError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const FATAL_CODES = new Set<ErrorCode>(['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND']);

/** The error of a `fatal` message, as the polling replica's subscribers saw it (a code it may end a watch with, else UPSTREAM_ERROR). */
export function remoteErrorFrom(fatal: NonNullable<Message['fatal']>): RemoteWatchError {
  const code = fatal.code as ErrorCode;
  return new RemoteWatchError(FATAL_CODES.has(code) ? code : 'UPSTREAM_ERROR', fatal.message.slice(0, 500));
}
