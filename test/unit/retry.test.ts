import { describe, expect, it, vi } from 'vitest';
import { SwrBadResponseError, SwrHttpError, SwrTimeoutError, SwrUnavailableError } from '../../src/swr/errors.js';
import { isRetryableFailure, retryAfterMsFromHeader, retryDelayMs, sleep } from '../../src/swr/retry.js';

const http = (status: number, retryAfterMs: number | null = null) =>
  new SwrHttpError({ status, errorCode: null, errorMessage: null, requestId: null }, retryAfterMs);
const policy = { retries: 2, baseDelayMs: 100, maxDelayMs: 5000, random: () => 1 - Number.EPSILON };

describe('which failures are retried', () => {
  it.each([
    ['HTTP 429', http(429), true],
    ['HTTP 502', http(502), true],
    ['HTTP 503', http(503), true],
    ['HTTP 504', http(504), true],
    ['a refused or reset connection', new SwrUnavailableError('connection reset'), true],
    ['HTTP 500', http(500), true],
    ['HTTP 400', http(400), false],
    ['HTTP 401', http(401), false],
    ['HTTP 403', http(403), false],
    ['HTTP 404', http(404), false],
    ['a missed deadline', new SwrTimeoutError(10), false],
    ['a malformed body', new SwrBadResponseError('x', null), false],
    ['anything else', new Error('x'), false],
  ])('%s → %s', (_label, error, retryable) => {
    expect(isRetryableFailure(error)).toBe(retryable);
  });
});

describe('backoff', () => {
  it('doubles the jitter ceiling per retry', () => {
    expect([0, 1, 2, 3].map((retry) => retryDelayMs(retry, http(503), policy, 60_000))).toEqual([99, 199, 399, 799]);
  });

  it('draws full jitter from zero', () => {
    expect(retryDelayMs(2, http(503), { ...policy, random: () => 0 }, 60_000)).toBe(0);
  });

  it('never waits longer than the maximum', () => {
    expect(retryDelayMs(10, http(503), policy, 60_000)).toBe(4999);
  });

  it('honours Retry-After instead of the backoff', () => {
    expect(retryDelayMs(0, http(429, 2000), policy, 60_000)).toBe(2000);
  });

  it.each([
    ['the backoff reaches the deadline', http(503), 50],
    ['Retry-After reaches the deadline', http(429, 3000), 2000],
    ['Retry-After is beyond the maximum', http(429, 60_000), 120_000],
  ])('gives up when %s', (_label, error, remainingMs) => {
    expect(retryDelayMs(0, error, policy, remainingMs)).toBeNull();
  });
});

describe('Retry-After', () => {
  it.each([
    ['delay-seconds', '3', 3000],
    ['zero', '0', 0],
    ['a fraction of seconds (read as seconds, not as a date)', '1.5', 1500],
    ['an HTTP date', 'Sat, 28 Nov 2026 10:00:05 GMT', 5000],
    ['a past date', 'Sat, 28 Nov 2026 09:00:00 GMT', 0],
    ['missing', undefined, null],
    ['junk', 'soon', null],
  ])('reads %s', (_label, header, ms) => {
    expect(retryAfterMsFromHeader(header, Date.parse('Sat, 28 Nov 2026 10:00:00 GMT'))).toBe(ms);
  });
});

describe('sleep', () => {
  it('ends early when its signal aborts, with no time passing', async () => {
    vi.useFakeTimers();
    try {
      const controller = new AbortController();
      const pending = sleep(10_000, controller.signal);
      controller.abort(new Error('gone'));
      await expect(pending).rejects.toThrow('gone');
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('resolves once its time has passed', async () => {
    vi.useFakeTimers();
    try {
      let done = false;
      const pending = sleep(10_000, new AbortController().signal).then(() => (done = true));
      await vi.advanceTimersByTimeAsync(9_999);
      expect(done).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await pending;
      expect(done).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
