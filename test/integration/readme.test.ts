import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { subscribeSse } from '../support/live.js';
import { startStack, type Stack } from '../support/stack.js';

// Every ```graphql block of the README must work verbatim in demo mode: queries answer, and
// subscriptions deliver an event once the demo repository changes (the demo's own activity runs
// in `npm start`, test/integration/main.test.ts; here the test makes the change).
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1]!);
const examples = blocks.filter((block) => !/^\s*subscription\b/.test(block));
const subscriptions = blocks.filter((block) => /^\s*subscription\b/.test(block));

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { WATCH_INTERVAL_MS: '100' } });
});
afterAll(() => stack.close());

describe('README examples', () => {
  it('has example queries and a subscription', () => {
    expect(examples.length).toBeGreaterThanOrEqual(4);
    expect(subscriptions.length).toBeGreaterThanOrEqual(1);
  });

  it.each(examples.map((query, index) => [index + 1, query]))('example %i answers without errors in demo mode', async (_index, query) => {
    const response = await stack.query(query, { token: 'any-token' });
    expect(response.errors).toBeUndefined();
    const text = JSON.stringify(response.data);
    expect(text).not.toContain('null}');
    expect(text).toMatch(/"id":"\d+"/);
  });

  it.each(subscriptions.map((query, index) => [index + 1, query]))(
    'subscription %i delivers events in demo mode',
    async (_index, query) => {
      const subscription = await subscribeSse(stack.url, query, { token: 'any-token' });
      await vi.waitFor(() => expect(stack.app.live.subscribers).toBe(1));
      await vi.waitFor(() => expect(stack.simulator.requests.length).toBeGreaterThan(0));
      const name = /name: "([^"]+)"/.exec(query)![1]!;
      stack.simulator.createJobs({ namespace: 'demo', repository: name });
      const [event] = await subscription.waitForResults(1);
      expect(event!.errors).toBeUndefined();
      expect(JSON.stringify(event!.data)).toMatch(/"kind":"CREATED".*"id":"\d+"/);
      subscription.close();
      await vi.waitFor(() => expect(stack.app.live.subscribers).toBe(0));
    },
  );

  it('has curl examples that work in demo mode as written', async () => {
    const curls = [...readme.matchAll(/curl -s http:\/\/localhost:4000\/graphql ((?:-H '[^']+' )+)\\?\n?\s*-d '(\{"query".*\})'/g)];
    expect(curls.length).toBeGreaterThanOrEqual(2);
    for (const [, headerFlags, payload] of curls) {
      const headers = Object.fromEntries(
        [...headerFlags!.matchAll(/-H '([^:]+): ([^']+)'/g)].map(([, name, value]) => [name!.toLowerCase(), value!]),
      );
      const { query } = JSON.parse(payload!) as { query: string };
      const response = await stack.query(query, { headers });
      expect(response.errors).toBeUndefined();
      expect(JSON.stringify(response.data)).toMatch(/"totalCount":47/);
      if (headers['x-debug-upstream'] === '1') {
        expect(response.extensions).toMatchObject({ upstream: { calls: 1, coalesced: 2 } });
      }
    }
  });
});
