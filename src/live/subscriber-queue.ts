/**
 * What one subscriber is sent: events pushed by its watch, pulled by the transport (SSE or
 * graphql-ws) as fast as its client reads. The buffer between is bounded: a subscriber whose
 * client stops reading never holds back its watch or the other subscribers; once `maxBuffered`
 * events wait, they are dropped and it is ended with `overflow()`'s error instead.
 *
 * A stream ended with an error yields that error as its last value (the resolver turns it into
 * the coded GraphQL error of a last event): both transports then deliver it the same way, as a
 * result, before the stream completes.
 */
export interface SubscriberQueue<T> extends AsyncIterableIterator<T | Error> {
  /** Adds an event; false when the subscriber has ended (by its client, an error, or overflow). */
  push(value: T): boolean;
  /** Ends the stream after what is buffered: with an error, yielded last, or cleanly. */
  end(error?: Error): void;
  /** True once nothing more may be pushed. */
  readonly ended: boolean;
}

/** Options of createSubscriberQueue. */
export interface SubscriberQueueOptions {
  /** Events waiting for the client at most; one more ends the subscriber. */
  maxBuffered: number;
  /** The error a subscriber that fell `maxBuffered` events behind is ended with. */
  overflow: () => Error;
  /** Called once, as soon as the stream ends, however it ends (its client left, an error, end()). */
  onEnd?: () => void;
}

type State = 'open' | 'draining' | 'failed' | 'done';

/** Creates the queue of one subscriber. */
export function createSubscriberQueue<T>(options: SubscriberQueueOptions): SubscriberQueue<T> {
  const buffered: T[] = [];
  let state: State = 'open';
  let pendingError: Error | null = null;
  // A pull waiting for the next event.
  let waiting: ((result: IteratorResult<T | Error>) => void) | null = null;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    options.onEnd?.();
  };
  const done = (): IteratorResult<T | Error> => ({ value: undefined, done: true });
  const take = () => {
    const pull = waiting;
    waiting = null;
    return pull;
  };

  const queue: SubscriberQueue<T> = {
    push(value) {
      if (state !== 'open') return false;
      const pull = take();
      if (pull) {
        pull({ value, done: false });
        return true;
      }
      if (buffered.length >= options.maxBuffered) {
        // What waits is stale by now: the client learns it fell behind instead.
        buffered.length = 0;
        queue.end(options.overflow());
        return false;
      }
      buffered.push(value);
      return true;
    },
    end(error) {
      if (state !== 'open') return;
      finish();
      if (error) {
        state = 'failed';
        pendingError = error;
      } else {
        state = buffered.length > 0 ? 'draining' : 'done';
      }
      // A pull waits only while nothing is buffered: it gets the error, or the end.
      const pull = take();
      if (pull) void queue.next().then(pull);
    },
    get ended() {
      return state !== 'open';
    },
    next() {
      if (buffered.length > 0) {
        const value = buffered.shift()!;
        if (state === 'draining' && buffered.length === 0) state = 'done';
        return Promise.resolve({ value, done: false });
      }
      if (state === 'failed') {
        state = 'done';
        const error = pendingError!;
        pendingError = null;
        return Promise.resolve({ value: error, done: false });
      }
      if (state !== 'open') return Promise.resolve(done());
      return new Promise((resolve) => (waiting = resolve));
    },
    return() {
      buffered.length = 0;
      state = 'done';
      pendingError = null;
      take()?.(done());
      finish();
      return Promise.resolve(done());
    },
    throw(error?: unknown) {
      queue.end(error instanceof Error ? error : new Error('the subscription was ended'));
      return queue.next();
    },
    [Symbol.asyncIterator]() {
      return queue;
    },
  };
  return queue;
}
