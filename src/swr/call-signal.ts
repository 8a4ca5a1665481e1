import { SwrTimeoutError } from './errors.js';

/** The abort signal of one call: the deadline and the caller, without a timer or listener left behind. */
export interface CallSignal {
  signal: AbortSignal;
  timedOut: boolean;
  cancelled: boolean;
  dispose(): void;
}

// One controller and one timer per call (AbortSignal.timeout plus AbortSignal.any per call cost
// measurably more on the hot path); aborted by the deadline or by the caller going away.
export function createCallSignal(timeoutMs: number, callerSignal: AbortSignal | undefined): CallSignal {
  const controller = new AbortController();
  const onCallerAbort = () => {
    state.cancelled = true;
    controller.abort(callerSignal?.reason);
  };
  const timer = setTimeout(() => {
    state.timedOut = true;
    controller.abort(new SwrTimeoutError(timeoutMs));
  }, timeoutMs);
  const state: CallSignal = {
    signal: controller.signal,
    timedOut: false,
    cancelled: false,
    dispose() {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    },
  };
  if (callerSignal?.aborted) onCallerAbort();
  else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  return state;
}
