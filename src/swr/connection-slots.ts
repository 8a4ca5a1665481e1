import { GatewayError } from '../errors.js';
import { CallGroup, type CallCanceller } from './call-signal.js';
import { CallerGoneError, SwrOverloadedError } from './errors.js';

/** Options of createConnectionSlots. */
export interface ConnectionSlotsOptions {
  /** Calls in flight at once: the undici pool's connections (SWR_CONNECTIONS). */
  slots: number;
  /** Longest wait for a free slot (SWR_QUEUE_TIMEOUT_MS). */
  queueTimeoutMs: number;
  /** Most calls waiting at once; one more is refused at once. @default 10000 */
  maxWaiting?: number;
}

/** Frees a slot taken by acquire; calling it twice frees it once. */
export type ReleaseSlot = () => void;

/** The process's SWR connections as slots a call takes for one try. */
export interface ConnectionSlots {
  /**
   * Resolves when a slot is free, to the function that frees it. Rejects with
   * SwrOverloadedError after `queueTimeoutMs` or when `maxWaiting` calls wait already, and with
   * CallerGoneError (or the signal's reason, when it is a GatewayError: a deadline) if `signal` aborts first.
   */
  acquire(signal?: CallCanceller): Promise<ReleaseSlot>;
  /** Slots taken now. */
  readonly inUse: number;
  /** Calls waiting now. */
  readonly waiting: number;
}

interface Waiter {
  /** False once it left the queue (timed out, aborted); handOn then skips it. */
  live: boolean;
  grant(release: ReleaseSlot): void;
}

/**
 * Why the pool is ours and not only undici's: undici queues a request when every connection is
 * busy, and that wait would count against the call's SWR_TIMEOUT_MS deadline, so a healthy SWR
 * under load would read as UPSTREAM_TIMEOUT. Calls wait here instead, bounded in time and number,
 * and the deadline starts once a connection is theirs; with as many slots as undici has
 * connections, undici never queues. A slot frees in arrival order (FIFO).
 */
export function createConnectionSlots(options: ConnectionSlotsOptions): ConnectionSlots {
  const maxWaiting = options.maxWaiting ?? 10_000;
  let inUse = 0;
  // FIFO without shifting: waiters in arrival order, `head` the next to serve; ones that left are skipped.
  let queue: Waiter[] = [];
  let head = 0;
  let waiting = 0;

  const releaseOnce = (): ReleaseSlot => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      handOn();
    };
  };
  // A freed slot goes to the next live waiter, or back to the pool.
  const handOn = () => {
    while (head < queue.length) {
      const next = queue[head]!;
      head += 1;
      if (next.live) {
        next.live = false;
        waiting -= 1;
        compact();
        next.grant(releaseOnce());
        return;
      }
    }
    compact();
    inUse -= 1;
  };
  // Drops served entries once they are most of the array: amortised O(1) per waiter.
  const compact = () => {
    if (head === queue.length) {
      queue = [];
      head = 0;
    } else if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
  };

  return {
    acquire(signal) {
      if (signal?.aborted) return Promise.reject(reasonOf(signal));
      if (inUse < options.slots) {
        inUse += 1;
        return Promise.resolve(releaseOnce());
      }
      if (waiting >= maxWaiting) {
        return Promise.reject(new SwrOverloadedError(`${waiting} SWR calls are already waiting for a connection; try again shortly`));
      }
      // A call group's AbortSignal is made only for a call that has to wait.
      const abortSignal = signal instanceof CallGroup ? signal.signal : signal;
      return new Promise<ReleaseSlot>((resolve, reject) => {
        const leave = (error: Error) => {
          if (!waiter.live) return;
          waiter.live = false;
          waiting -= 1;
          // Waiters that left stay in the array until served past; when no slot frees for long,
          // they are swept so the array stays bounded by the live ones.
          if (queue.length - head > 2 * waiting + 1024) {
            queue = queue.slice(head).filter((candidate) => candidate.live);
            head = 0;
          }
          cleanup();
          reject(error);
        };
        const onAbort = () => leave(reasonOf(abortSignal!));
        const timer = setTimeout(
          () =>
            leave(
              new SwrOverloadedError(
                `every SWR connection stayed busy for ${options.queueTimeoutMs} ms (SWR_QUEUE_TIMEOUT_MS); try again shortly`,
              ),
            ),
          options.queueTimeoutMs,
        );
        const cleanup = () => {
          clearTimeout(timer);
          abortSignal?.removeEventListener('abort', onAbort);
        };
        const waiter: Waiter = {
          live: true,
          grant(release) {
            cleanup();
            resolve(release);
          },
        };
        abortSignal?.addEventListener('abort', onAbort, { once: true });
        queue.push(waiter);
        waiting += 1;
      });
    },
    get inUse() {
      return inUse;
    },
    get waiting() {
      return waiting;
    },
  };
}

// An abort while waiting: the reason when it is one of our errors (a deadline), else the caller left.
function reasonOf(signal: CallCanceller): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof GatewayError) return reason;
  return new CallerGoneError('The caller went away while its SWR call waited for a connection');
}
