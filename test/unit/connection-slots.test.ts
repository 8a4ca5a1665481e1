import { afterEach, describe, expect, it, vi } from 'vitest';
import { createConnectionSlots } from '../../src/swr/connection-slots.js';
import { CallerGoneError, SwrOverloadedError, SwrTimeoutError } from '../../src/swr/errors.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('SWR connection slots', () => {
  it('grants free slots at once and queued ones in arrival order', async () => {
    const slots = createConnectionSlots({ slots: 2, queueTimeoutMs: 1000 });
    const first = await slots.acquire();
    const second = await slots.acquire();
    const granted: string[] = [];
    const third = slots.acquire().then((release) => (granted.push('third'), release));
    const fourth = slots.acquire().then((release) => (granted.push('fourth'), release));
    expect({ inUse: slots.inUse, waiting: slots.waiting }).toEqual({ inUse: 2, waiting: 2 });
    second();
    (await third)();
    first();
    (await fourth)();
    expect(granted).toEqual(['third', 'fourth']);
    expect({ inUse: slots.inUse, waiting: slots.waiting }).toEqual({ inUse: 0, waiting: 0 });
  });

  it('frees a slot once, however often its release is called', async () => {
    const slots = createConnectionSlots({ slots: 1, queueTimeoutMs: 1000 });
    const release = await slots.acquire();
    release();
    release();
    expect(slots.inUse).toBe(0);
    const again = await slots.acquire();
    const waiting = slots.acquire();
    release();
    expect(slots.waiting).toBe(1);
    again();
    (await waiting)();
    expect(slots.inUse).toBe(0);
  });

  it('refuses a call that waited SWR_QUEUE_TIMEOUT_MS with UPSTREAM_OVERLOADED, and the next waiter still gets the slot', async () => {
    vi.useFakeTimers();
    const slots = createConnectionSlots({ slots: 1, queueTimeoutMs: 500 });
    const held = await slots.acquire();
    const late = slots.acquire();
    const later = slots.acquire();
    vi.advanceTimersByTime(499);
    expect(slots.waiting).toBe(2);
    vi.advanceTimersByTime(1);
    await expect(late).rejects.toBeInstanceOf(SwrOverloadedError);
    await expect(later).rejects.toMatchObject({ code: 'UPSTREAM_OVERLOADED', retryable: true });
    const last = slots.acquire();
    held();
    (await last)();
    expect({ inUse: slots.inUse, waiting: slots.waiting }).toEqual({ inUse: 0, waiting: 0 });
  });

  it('refuses at once when maxWaiting calls wait already', async () => {
    const slots = createConnectionSlots({ slots: 1, queueTimeoutMs: 10_000, maxWaiting: 2 });
    const held = await slots.acquire();
    const waiting = [slots.acquire(), slots.acquire()];
    await expect(slots.acquire()).rejects.toThrow('2 SWR calls are already waiting for a connection');
    held();
    (await waiting[0]!)();
    (await waiting[1]!)();
    expect(slots.inUse).toBe(0);
  });

  it('leaves the queue when the caller goes away, or with the deadline’s own error', async () => {
    const slots = createConnectionSlots({ slots: 1, queueTimeoutMs: 10_000 });
    const held = await slots.acquire();
    const caller = new AbortController();
    const gone = slots.acquire(caller.signal);
    caller.abort();
    await expect(gone).rejects.toBeInstanceOf(CallerGoneError);
    const deadline = new AbortController();
    const timedOut = slots.acquire(deadline.signal);
    deadline.abort(new SwrTimeoutError(100));
    await expect(timedOut).rejects.toBeInstanceOf(SwrTimeoutError);
    expect(slots.waiting).toBe(0);
    held();
    expect(slots.inUse).toBe(0);
  });

  it('keeps its queue bounded by the live waiters when callers keep leaving', async () => {
    const slots = createConnectionSlots({ slots: 1, queueTimeoutMs: 10_000 });
    const held = await slots.acquire();
    for (let index = 0; index < 5000; index += 1) {
      const caller = new AbortController();
      const waiting = slots.acquire(caller.signal);
      caller.abort();
      await waiting.catch(() => {});
    }
    expect(slots.waiting).toBe(0);
    const next = slots.acquire();
    held();
    (await next)();
    expect(slots.inUse).toBe(0);
  });
});
