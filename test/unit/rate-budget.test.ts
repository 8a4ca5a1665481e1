import { describe, expect, it } from 'vitest';
import { RateBudgetSpentError, SwrHttpError } from '../../src/swr/errors.js';
import { createLocalRateBudget, type RateBudget } from '../../src/swr/rate-budget.js';

// SWR_RATE_LIMIT in one process: a token bucket per caller of `limit` calls, refilled at `limit`
// per second, read against an injected clock (nothing here waits for real time).

function clocked(limit: number, start = 1_000_000) {
  let now = start;
  const budget = createLocalRateBudget(limit, () => now);
  return {
    budget,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** The answers of `count` takes in a row, at the same instant. */
async function takes(budget: RateBudget, caller: string, count: number): Promise<Array<number | null>> {
  const answers: Array<number | null> = [];
  for (let index = 0; index < count; index += 1) answers.push(await budget.take(caller));
  return answers;
}

describe('the local rate budget', () => {
  it('admits `limit` calls at once, then says how many milliseconds until the next one fits', async () => {
    const { budget } = clocked(3);
    expect(await takes(budget, 'alice', 5)).toEqual([null, null, null, 334, 334]);
  });

  it.each([1, 2, 3, 7, 10, 1000])('with a limit of %i, admits the next call exactly when the wait it gave has passed', async (limit) => {
    const early = clocked(limit);
    await takes(early.budget, 'alice', limit);
    const wait = await early.budget.take('alice');
    expect(wait).toBe(Math.ceil(1000 / limit));
    early.advance(wait! - 1);
    // A millisecond early is too early (a refusal spends nothing: it only says how long is left).
    const left = await early.budget.take('alice');
    expect(left).not.toBeNull();
    expect(left).toBeGreaterThanOrEqual(1);

    const onTime = clocked(limit);
    await takes(onTime.budget, 'alice', limit + 1);
    onTime.advance(wait!);
    expect(await onTime.budget.take('alice')).toBeNull();
  });

  it('refills at `limit` calls per second: half a second gives half the bucket', async () => {
    const { budget, advance } = clocked(4);
    expect(await takes(budget, 'alice', 5)).toEqual([null, null, null, null, 250]);
    advance(500);
    expect(await takes(budget, 'alice', 3)).toEqual([null, null, 250]);
    advance(1000);
    expect(await takes(budget, 'alice', 5)).toEqual([null, null, null, null, 250]);
  });

  it('never holds more than `limit` calls, however long the caller was idle', async () => {
    const { budget, advance } = clocked(3);
    expect(await takes(budget, 'alice', 1)).toEqual([null]);
    advance(1_500);
    expect(await takes(budget, 'alice', 4)).toEqual([null, null, null, 334]);
  });

  it('spends nothing on a refusal: refused takes do not push the next admission back', async () => {
    // Steps of a quarter call, exact in binary: the arithmetic is the bucket's, not rounding.
    const { budget, advance } = clocked(1);
    await takes(budget, 'alice', 1);
    const waits: Array<number | null> = [];
    for (let index = 0; index < 4; index += 1) {
      waits.push(await budget.take('alice'));
      advance(250);
    }
    expect(waits).toEqual([1000, 750, 500, 250]);
    expect(await budget.take('alice')).toBeNull();
    expect(await budget.take('alice')).toBe(1000);
  });

  it('keeps callers apart: one spent bucket leaves every other caller its whole budget', async () => {
    const { budget, advance } = clocked(3);
    expect(await takes(budget, 'alice', 4)).toEqual([null, null, null, 334]);
    expect(await takes(budget, 'bob', 4)).toEqual([null, null, null, 334]);
    expect(await takes(budget, 'carol', 1)).toEqual([null]);
    advance(334);
    // Alice and Bob each got one call back; Carol still has two of her own.
    expect(await takes(budget, 'alice', 2)).toEqual([null, expect.any(Number)]);
    expect(await takes(budget, 'carol', 3)).toEqual([null, null, null]);
  });

  it('does not refill when the clock goes back, and does not count the lost time either', async () => {
    const { budget, advance } = clocked(1);
    expect(await takes(budget, 'alice', 2)).toEqual([null, 1000]);
    advance(-5_000);
    expect(await budget.take('alice')).toBe(1000);
    advance(1000);
    expect(await budget.take('alice')).toBeNull();
  });
});

describe('what a caller is told when the budget or SWR says wait', () => {
  it('gives a spent budget UPSTREAM_RATE_LIMITED, retryable, with retryAfter in whole seconds (at least 1)', () => {
    expect(new RateBudgetSpentError(3, 334).extensions).toEqual({
      code: 'UPSTREAM_RATE_LIMITED',
      retryable: true,
      retryAfter: 1,
      limit: 'SWR_RATE_LIMIT',
    });
    expect(new RateBudgetSpentError(1, 1000).extensions).toMatchObject({ retryAfter: 1 });
    expect(new RateBudgetSpentError(1, 1001).extensions).toMatchObject({ retryAfter: 2 });
    expect(new RateBudgetSpentError(3, 0).extensions).toMatchObject({ retryAfter: 1 });
    expect(new RateBudgetSpentError(3, 334).message).toContain('SWR_RATE_LIMIT');
  });

  const upstream = (status: number, errorCode: string | null = null) => ({ status, errorCode, errorMessage: null, requestId: 'req-1' });

  it.each([
    { label: 'Retry-After: 7', retryAfterMs: 7000, seconds: 7 },
    { label: 'a Retry-After 1.5 s away (an HTTP date)', retryAfterMs: 1500, seconds: 2 },
    { label: 'Retry-After: 0', retryAfterMs: 0, seconds: 1 },
    { label: 'no Retry-After', retryAfterMs: null, seconds: 1 },
  ])("gives SWR's 429 with $label retryAfter $seconds", ({ retryAfterMs, seconds }) => {
    const error = new SwrHttpError(upstream(429), retryAfterMs);
    expect(error.code).toBe('UPSTREAM_RATE_LIMITED');
    expect(error.extensions).toMatchObject({ code: 'UPSTREAM_RATE_LIMITED', retryable: true, retryAfter: seconds });
  });

  it.each([429, 403, 400])("reads API Gateway's APIG.0308 (HTTP %i) as UPSTREAM_RATE_LIMITED", (status) => {
    const error = new SwrHttpError(upstream(status, 'APIG.0308'));
    expect(error.code).toBe('UPSTREAM_RATE_LIMITED');
    expect(error.extensions).toMatchObject({
      code: 'UPSTREAM_RATE_LIMITED',
      retryable: true,
      retryAfter: 1,
      upstream: { errorCode: 'APIG.0308' },
    });
  });

  it('gives no retryAfter to failures that are not rate limits', () => {
    expect(new SwrHttpError(upstream(403, 'SVCSTG.SWR.4030000')).extensions).not.toHaveProperty('retryAfter');
    expect(new SwrHttpError(upstream(503), 5000).extensions).not.toHaveProperty('retryAfter');
  });
});
