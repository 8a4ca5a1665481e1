import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { SWR_TIMEOUT_MS: '10000' } });
});
afterAll(() => stack.close());

const waitFor = async (condition: () => boolean, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return condition();
};

describe('cancellation', () => {
  it('aborts the upstream calls of an operation whose caller went away', async () => {
    stack.simulator.addFault({ hang: true });
    const controller = new AbortController();
    const pending = fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': 't' },
      body: JSON.stringify({ query: `{ a: repository(namespace: "demo", name: "nginx") { syncJobs { totalCount } } b: repository(namespace: "demo", name: "redis") { syncJobs { totalCount } } }` }),
      signal: controller.signal,
    });
    expect(await waitFor(() => stack.simulator.requests.length === 2, 5000)).toBe(true);
    controller.abort();
    await expect(pending).rejects.toThrow();
    // The gateway closes its upstream requests long before SWR_TIMEOUT_MS would have.
    expect(await waitFor(() => stack.simulator.requests.every((request) => request.aborted), 3000)).toBe(true);
    stack.simulator.clearFaults();
  });
});
