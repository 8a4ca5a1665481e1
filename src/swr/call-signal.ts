import { setMaxListeners } from 'node:events';
import { SwrTimeoutError } from './errors.js';

/** Stops a call's exchange in flight with the reason it was aborted. */
type AbortExchange = (reason: unknown) => void;

/**
 * The calls of one request, cancelled together when its caller goes away. The group listens to
 * the request's signal once; each call joins and leaves a set, which costs far less per call than
 * an AbortController, or a listener on an AbortSignal, of its own.
 */
export class CallGroup {
  #aborted = false;
  #reason: unknown = undefined;
  readonly #calls = new Set<CallSignal>();
  #controller: AbortController | null = null;

  /** A group cancelled with `signal` (listened to once; an aborted one cancels the group at once). */
  static of(signal: AbortSignal): CallGroup {
    const group = new CallGroup();
    if (signal.aborted) group.cancel(signal.reason);
    else signal.addEventListener('abort', () => group.cancel(signal.reason), { once: true });
    return group;
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  /**
   * An AbortSignal of the group, made on first use, for waits that take one (a connection slot):
   * each call of the group waiting listens to it, at most SWR_CONCURRENCY at once, so Node's
   * listener warning (at 10) is off for it.
   */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      setMaxListeners(0, this.#controller.signal);
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Aborts every call of the group in flight, and every later one as it starts. */
  cancel(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    for (const call of this.#calls) call.cancel(reason);
    this.#calls.clear();
    this.#controller?.abort(reason);
  }

  /** @internal A call of the group starts (false: the group is cancelled already). */
  join(call: CallSignal): boolean {
    if (this.#aborted) return false;
    this.#calls.add(call);
    return true;
  }

  /** @internal A call of the group is over. */
  leave(call: CallSignal): void {
    this.#calls.delete(call);
  }
}

/** What cancels a call: an AbortSignal (one listener per call), or the call group of its request. */
export type CallCanceller = AbortSignal | CallGroup;

/**
 * The abort state of one call: its deadline (one timer) and its caller going away. No
 * AbortController is made unless a wait asks for a signal (`signal`: a retry's backoff, a second
 * slot); the exchange in flight is stopped through the function it registers (`onAbort`).
 */
export class CallSignal {
  timedOut = false;
  cancelled = false;
  #reason: unknown = undefined;
  #aborted = false;
  #exchange: AbortExchange | null = null;
  #controller: AbortController | null = null;
  readonly #timer: ReturnType<typeof setTimeout>;
  readonly #canceller: CallCanceller | undefined;
  #onSignalAbort: (() => void) | null = null;

  constructor(timeoutMs: number, canceller: CallCanceller | undefined) {
    this.#canceller = canceller;
    this.#timer = setTimeout(() => {
      this.timedOut = true;
      this.#abort(new SwrTimeoutError(timeoutMs));
    }, timeoutMs);
    if (canceller instanceof CallGroup) {
      if (!canceller.join(this)) this.cancel(canceller.reason);
    } else if (canceller) {
      if (canceller.aborted) this.cancel(canceller.reason);
      else {
        this.#onSignalAbort = () => this.cancel(canceller.reason);
        canceller.addEventListener('abort', this.#onSignalAbort, { once: true });
      }
    }
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  /** Why the call was aborted: the SwrTimeoutError of its deadline, or the caller's reason. */
  get reason(): unknown {
    return this.#reason;
  }

  /** An AbortSignal aborted with the call, made on first use. */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** The caller went away. */
  cancel(reason: unknown): void {
    if (this.#aborted) return;
    this.cancelled = true;
    this.#abort(reason);
  }

  /** Registers how to stop the exchange in flight (null when it is over); called at once when already aborted. */
  onAbort(exchange: AbortExchange | null): void {
    this.#exchange = exchange;
    if (exchange && this.#aborted) exchange(this.#reason);
  }

  /** The call is over: no timer or listener is left behind. */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#exchange = null;
    if (this.#canceller instanceof CallGroup) this.#canceller.leave(this);
    else if (this.#onSignalAbort) this.#canceller?.removeEventListener('abort', this.#onSignalAbort);
  }

  #abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#exchange?.(reason);
    this.#controller?.abort(reason);
  }
}

/** The abort state of one call with a deadline of `timeoutMs` from now, cancelled by `canceller`. */
export function createCallSignal(timeoutMs: number, canceller: CallCanceller | undefined): CallSignal {
  return new CallSignal(timeoutMs, canceller);
}
