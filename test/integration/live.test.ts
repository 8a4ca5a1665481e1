import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDemoData, createTenantData } from '../../src/simulator/index.js';
import { WATCH_PAGE_SIZE } from '../../src/live/watch.js';
import {
  callsFor,
  JOB_CHANGES,
  metricValue,
  subscribeSse,
  subscribeSseRaw,
  waitForCalls,
  type RawSseSubscription,
  type SseSubscription,
} from '../support/live.js';
import { startStack, useStack } from '../support/stack.js';
import { bigEventSubscription } from '../support/websocket.js';

// Live updates over GraphQL over SSE, against the simulator on a real port: what the watches
// read is counted on the simulator, changes are made with its change controls.

const INTERVAL_MS = 100;
const tenants = {
  tenants: [
    ...createDemoData().tenants.map((tenant) => ({ ...tenant, tokens: ['token-demo', 'token-demo-2'] })),
    createTenantData({
      domainId: 'other-domain',
      domainName: 'other',
      tokens: ['token-other'],
      namespaces: { demo: { nginx: 5 } },
      idBase: 900_000,
    }),
  ],
};
const stack = useStack({ data: tenants, env: { WATCH_INTERVAL_MS: String(INTERVAL_MS) } });
const open: SseSubscription[] = [];
const rawOpen: RawSseSubscription[] = [];

async function subscribe(name: string, token: string | null = 'token-demo', namespace = 'demo') {
  const subscription = await subscribeSse(stack.url, JOB_CHANGES, { variables: { namespace, name }, token });
  open.push(subscription);
  return subscription;
}

// The subscription is live once its watch has read its baseline: wait for the call after it.
async function subscribed(name: string, token?: string) {
  const before = callsFor(stack.simulator, name);
  const subscription = await subscribe(name, token);
  expect(subscription.status).toBe(200);
  expect(subscription.contentType).toMatch(/^text\/event-stream/);
  await waitForCalls(stack.simulator, name, before, 1);
  return subscription;
}

afterEach(async () => {
  for (const subscription of open.splice(0)) subscription.close();
  for (const subscription of rawOpen.splice(0)) subscription.close();
  await vi.waitFor(() => expect(stack.app.live.subscribers).toBe(0));
});

describe('Subscription.syncJobChanged over SSE', () => {
  it('sends CREATED for a new job and UPDATED when its status changes, at the next poll, and replays nothing', async () => {
    const subscription = await subscribed('redis');
    // Several polls of an unchanged list: nothing (the jobs of subscribe time are not replayed).
    await waitForCalls(stack.simulator, 'redis', callsFor(stack.simulator, 'redis'), 3);
    expect(subscription.results).toEqual([]);

    const [job] = stack.simulator.createJobs({ namespace: 'demo', repository: 'redis' });
    const atCreation = callsFor(stack.simulator, 'redis');
    const [created] = await subscription.waitForResults(1);
    // Within about one interval: at most the poll in flight and the next one.
    expect(callsFor(stack.simulator, 'redis') - atCreation).toBeLessThanOrEqual(2);
    expect(created).toEqual({
      data: { syncJobChanged: { kind: 'CREATED', job: { id: String(job!.id), status: 'WAITING', updatedAt: expect.any(String) } } },
    });

    stack.simulator.updateJob({ namespace: 'demo', repository: 'redis', id: job!.id, status: 'success' });
    const results = await subscription.waitForResults(2);
    expect(results[1]!.data.syncJobChanged).toMatchObject({ kind: 'UPDATED', job: { id: String(job!.id), status: 'SUCCESS' } });
    // An unchanged job is not reported again.
    await waitForCalls(stack.simulator, 'redis', callsFor(stack.simulator, 'redis'), 3);
    expect(subscription.results).toHaveLength(2);
  });

  it('reports the first jobs of an empty repository as CREATED, one per poll', async () => {
    const subscription = await subscribed('empty');
    const [first] = stack.simulator.createJobs({ namespace: 'demo', repository: 'empty' });
    await waitForCalls(stack.simulator, 'empty', callsFor(stack.simulator, 'empty'), 2);
    const [second] = stack.simulator.createJobs({ namespace: 'demo', repository: 'empty' });
    await waitForCalls(stack.simulator, 'empty', callsFor(stack.simulator, 'empty'), 2);
    expect(subscription.results.map((result) => [result.data.syncJobChanged.kind, result.data.syncJobChanged.job.id])).toEqual([
      ['CREATED', String(first!.id)],
      ['CREATED', String(second!.id)],
    ]);
  });

  it('reports a change of updatedAt alone as UPDATED', async () => {
    const subscription = await subscribed('team/api');
    const [job] = stack.simulator.createJobs({ namespace: 'demo', repository: 'team/api', status: 'running' });
    await subscription.waitForResults(1);
    const updated = stack.simulator.updateJob({ namespace: 'demo', repository: 'team/api', id: job!.id });
    const results = await subscription.waitForResults(2);
    expect(results[1]!.data.syncJobChanged).toEqual({
      kind: 'UPDATED',
      job: { id: String(job!.id), status: 'RUNNING', updatedAt: expect.any(String) },
    });
    expect(Date.parse(results[1]!.data.syncJobChanged.job.updatedAt)).toBe(Date.parse(updated.updatedAt));
  });

  it('serves N subscribers of one caller and repository with one watch: one SWR call per interval', async () => {
    const first = await subscribed('nginx');
    const others = await Promise.all([1, 2, 3, 4].map(() => subscribe('nginx')));
    await vi.waitFor(() => expect(stack.app.live.subscribers).toBe(5));
    expect(stack.app.live.watches).toBe(1);
    const from = callsFor(stack.simulator, 'nginx');
    await waitForCalls(stack.simulator, 'nginx', from, 5);
    // One watch, one call at a time: never a call per subscriber.
    expect(stack.simulator.maxInFlight).toBe(1);
    const [job] = stack.simulator.createJobs({ namespace: 'demo', repository: 'nginx' });
    for (const subscription of [first, ...others]) {
      const [event] = await subscription.waitForResults(1);
      expect(event!.data.syncJobChanged).toMatchObject({ kind: 'CREATED', job: { id: String(job!.id) } });
    }
    expect(stack.app.live.watches).toBe(1);
  });

  it('gives two callers of one repository a watch each, each polling with its own token', async () => {
    await subscribed('redis', 'token-demo');
    await subscribed('redis', 'token-demo-2');
    expect(stack.app.live.watches).toBe(2);
    const from = stack.simulator.requests.length;
    await vi.waitFor(() => {
      const tokens = stack.simulator.requests.slice(from).map((request) => request.token);
      expect(new Set(tokens)).toEqual(new Set(['token-demo', 'token-demo-2']));
    });
  });

  it('never sends one caller the events of another', async () => {
    const demo = await subscribed('nginx', 'token-demo');
    const other = await subscribed('nginx', 'token-other');
    const [otherJob] = stack.simulator.createJobs({ namespace: 'demo', repository: 'nginx', tenant: 'other' });
    const [event] = await other.waitForResults(1);
    expect(event!.data.syncJobChanged.job.id).toBe(String(otherJob!.id));
    const [demoJob] = stack.simulator.createJobs({ namespace: 'demo', repository: 'nginx', tenant: 'demo-tenant' });
    await demo.waitForResults(1);
    await waitForCalls(stack.simulator, 'nginx', callsFor(stack.simulator, 'nginx'), 4);
    expect(demo.results.map((result) => result.data.syncJobChanged.job.id)).toEqual([String(demoJob!.id)]);
    expect(other.results.map((result) => result.data.syncJobChanged.job.id)).toEqual([String(otherJob!.id)]);
  });

  it('stops polling when the last subscriber leaves', async () => {
    const leaving = await subscribed('team/api');
    const clock = await subscribed('redis');
    leaving.close();
    await vi.waitFor(() => expect(stack.app.live.watches).toBe(1));
    const calls = callsFor(stack.simulator, 'team/api');
    // The other watch goes on polling; this one's repository sees no call any more.
    await waitForCalls(stack.simulator, 'redis', callsFor(stack.simulator, 'redis'), 5);
    expect(callsFor(stack.simulator, 'team/api')).toBe(calls);
    expect(clock.completed).toBe(false);
  });

  it('refuses a missing, a malformed or a refused token, and bad names, with codes (no SWR call for the first three)', async () => {
    for (const [token, name] of [
      [null, 'redis'],
      ['t'.repeat(33 * 1024), 'redis'],
      ['token-demo', 'Bad--Name'],
    ] as const) {
      const subscription = await subscribe(name, token);
      // The stream answers 200 and carries the coded error (Yoga would answer a result without data 500).
      expect(subscription.status).toBe(200);
      expect(await subscription.ended).toBe('complete');
      expect(subscription.results).toHaveLength(1);
      expect(subscription.results[0]!.errors?.[0]?.extensions?.code).toBe(token === 'token-demo' ? 'BAD_USER_INPUT' : 'UNAUTHENTICATED');
      expect(subscription.results[0]!.data).toBeUndefined();
    }
    expect(stack.simulator.requests).toEqual([]);
    const refused = await subscribe('redis', 'token-unknown');
    expect(await refused.ended).toBe('complete');
    expect(refused.results[0]!.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', upstream: { status: 401 } });
    const missing = await subscribe('no-such-repo');
    expect(missing.status).toBe(200);
    expect(await missing.ended).toBe('complete');
    expect(missing.results[0]!.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(stack.app.live.watches).toBe(0);
  });

  it.each(['application/graphql-response+json', 'application/json'])(
    'answers a subscription refused as it starts, asked for as %s, 200 with its coded error',
    async (accept) => {
      for (const [token, name, code] of [
        [null, 'redis', 'UNAUTHENTICATED'],
        ['token-demo', 'Bad--Name', 'BAD_USER_INPUT'],
        ['token-demo', 'no-such-repo', 'NOT_FOUND'],
      ] as const) {
        const response = await fetch(stack.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept, ...(token === null ? {} : { 'x-auth-token': token }) },
          body: JSON.stringify({ query: JOB_CHANGES, variables: { namespace: 'demo', name } }),
        });
        expect(response.status, `${name}: ${code}`).toBe(200);
        const body = (await response.json()) as { data?: unknown; errors: Array<{ path?: string[]; extensions: { code: string } }> };
        expect(body.data).toBeUndefined();
        expect(body.errors[0]).toMatchObject({ path: ['syncJobChanged'], extensions: { code } });
        expect(Object.keys(body.errors[0]!.extensions)).not.toContain('http');
      }
    },
  );

  it('keeps the stream open through an outage of several intervals and reports what changed meanwhile', async () => {
    const subscription = await subscribed('redis');
    stack.simulator.addFault({ repository: 'redis', status: 503 });
    const from = callsFor(stack.simulator, 'redis');
    const [job] = stack.simulator.createJobs({ namespace: 'demo', repository: 'redis' });
    await waitForCalls(stack.simulator, 'redis', from, 4);
    expect(subscription.results).toEqual([]);
    expect(subscription.completed).toBe(false);
    stack.simulator.clearFaults();
    const [event] = await subscription.waitForResults(1);
    expect(event!.data.syncJobChanged).toMatchObject({ kind: 'CREATED', job: { id: String(job!.id) } });
    const metrics = await (await fetch(stack.url.replace('/graphql', '/metrics'))).text();
    expect(metrics).toMatch(/swr_gateway_live_polls_total\{outcome="UPSTREAM_ERROR"\} [1-9]/);
  });

  it.each([
    [401, 'UNAUTHENTICATED'],
    [403, 'FORBIDDEN'],
  ])('ends a running stream with the coded error when SWR starts answering %i', async (status, code) => {
    const subscription = await subscribed('redis');
    stack.simulator.addFault({ repository: 'redis', status });
    expect(await subscription.ended).toBe('complete');
    expect(subscription.results.at(-1)?.errors?.[0]?.extensions).toMatchObject({ code, upstream: { status } });
    await vi.waitFor(() => expect(stack.app.live.watches).toBe(0));
    // No SWR call once the watch has stopped.
    const calls = callsFor(stack.simulator, 'redis');
    await new Promise((resolve) => setTimeout(resolve, 3 * INTERVAL_MS));
    expect(callsFor(stack.simulator, 'redis')).toBe(calls);
  });

  it('ends the stream with the coded error when SWR starts refusing (404)', async () => {
    const subscription = await subscribed('team/api');
    stack.simulator.addFault({ repository: 'team/api', status: 404 });
    expect(await subscription.ended).toBe('complete');
    expect(subscription.results.at(-1)?.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    await vi.waitFor(() => expect(stack.app.live.watches).toBe(0));
  });

  it('reports every job of a burst larger than a page (and than one poll reads on), oldest first, each once', async () => {
    const subscription = await subscribed('nginx');
    const burst = stack.simulator.createJobs({ namespace: 'demo', repository: 'nginx', count: WATCH_PAGE_SIZE * 8 });
    const results = await subscription.waitForResults(burst.length);
    await waitForCalls(stack.simulator, 'nginx', callsFor(stack.simulator, 'nginx'), 3);
    expect(results.map((result) => result.data.syncJobChanged.kind)).toEqual(burst.map(() => 'CREATED'));
    expect(results.map((result) => result.data.syncJobChanged.job.id)).toEqual(burst.map((job) => String(job.id)));
  });
  it('drops an SSE subscriber whose client stops reading (SUBSCRIBER_TOO_SLOW) while another of its watch gets every event', async () => {
    const fast = await subscribed('nginx');
    // Large events (tens of KB each): a few hundred fill the socket buffers of a client that stops reading, then its queue.
    const slow = subscribeSseRaw(stack.url, bigEventSubscription('demo', 'nginx'), { paused: true });
    rawOpen.push(slow);
    expect(await slow.status).toBe(200);
    await vi.waitFor(() => expect(stack.app.live.subscribers).toBe(2));
    expect(stack.app.live.watches).toBe(1);
    const burst = stack.simulator.createJobs({ namespace: 'demo', repository: 'nginx', count: 900 });
    const results = await fast.waitForResults(burst.length, 30_000);
    expect(results.map((result) => result.data.syncJobChanged.job.id)).toEqual(burst.map((job) => String(job.id)));
    // The slow one is dropped while the fast one goes on.
    await vi.waitFor(() => expect(stack.app.live.subscribers).toBe(1), { timeout: 20_000 });
    expect(fast.completed).toBe(false);
    slow.resume();
    expect(await slow.ended).toBe('complete');
    expect(slow.results.at(-1)?.errors?.[0]?.extensions).toEqual({ code: 'SUBSCRIBER_TOO_SLOW' });
    // What it got before is the start of the burst, in order; the rest was dropped, not sent late.
    const got = slow.results.slice(0, -1).map((result) => result.data.syncJobChanged.j0.id);
    expect(got.length).toBeLessThan(burst.length);
    expect(got).toEqual(burst.slice(0, got.length).map((job) => String(job.id)));
  }, 60_000);

  it('sends a keep-alive comment (`:`) on an idle stream, beyond the one that opens it', async () => {
    // Yoga pings every 12 s, and every 300 ms under NODE_ENV=test (vitest's): either fits this wait.
    const idle = subscribeSseRaw(stack.url, JOB_CHANGES, { variables: { namespace: 'demo', name: 'empty' } });
    rawOpen.push(idle);
    expect(await idle.status).toBe(200);
    await vi.waitFor(() => expect(idle.comments).toBeGreaterThanOrEqual(2), { timeout: 15_000, interval: 20 });
    expect(idle.results).toEqual([]);
    expect(stack.app.live.subscribers).toBe(1);
  });
});

describe('live-update metrics', () => {
  it('counts watches and subscribers now (back to 0 when the streams close) and every event delivered, by kind', async () => {
    const measured = await startStack({ data: tenants, env: { WATCH_INTERVAL_MS: String(INTERVAL_MS) } });
    const metric = (sample: string) => metricValue(measured.url, sample);
    const gauges = async () => [await metric('swr_gateway_live_watches'), await metric('swr_gateway_live_subscribers')];
    const events = async () => [
      await metric('swr_gateway_live_events_total{kind="CREATED"}'),
      await metric('swr_gateway_live_events_total{kind="UPDATED"}'),
    ];
    const sub = async (token: string) => {
      const before = callsFor(measured.simulator, 'redis');
      const subscription = await subscribeSse(measured.url, JOB_CHANGES, { variables: { namespace: 'demo', name: 'redis' }, token });
      await waitForCalls(measured.simulator, 'redis', before, 1);
      return subscription;
    };
    try {
      expect(await gauges()).toEqual([0, 0]);
      const first = await sub('token-demo');
      expect(await gauges()).toEqual([1, 1]);
      // A second subscriber of the same caller shares the watch.
      const second = await sub('token-demo');
      await vi.waitFor(async () => expect(await gauges()).toEqual([1, 2]));
      expect(await events()).toEqual([0, 0]);

      // One change of a watch with two subscribers: an event on each stream, so two.
      const [job] = measured.simulator.createJobs({ namespace: 'demo', repository: 'redis' });
      await first.waitForResults(1);
      await second.waitForResults(1);
      expect(await events()).toEqual([2, 0]);
      second.close();
      await vi.waitFor(async () => expect(await gauges()).toEqual([1, 1]));
      measured.simulator.updateJob({ namespace: 'demo', repository: 'redis', id: job!.id, status: 'success' });
      await first.waitForResults(2);
      expect(await events()).toEqual([2, 1]);

      // Another caller: a watch of its own; a job both see is an event for each.
      const other = await sub('token-demo-2');
      expect(await gauges()).toEqual([2, 2]);
      const [next] = measured.simulator.createJobs({ namespace: 'demo', repository: 'redis' });
      for (const subscription of [first, other]) {
        const results = await subscription.waitForResults(subscription === first ? 3 : 1);
        expect(results.at(-1)!.data.syncJobChanged).toMatchObject({ kind: 'CREATED', job: { id: String(next!.id) } });
      }
      // Nothing more for a few polls: the counts stay.
      await waitForCalls(measured.simulator, 'redis', callsFor(measured.simulator, 'redis'), 4);
      expect(await events()).toEqual([4, 1]);
      expect([first.results.length, other.results.length]).toEqual([3, 1]);

      first.close();
      await vi.waitFor(async () => expect(await gauges()).toEqual([1, 1]));
      other.close();
      await vi.waitFor(async () => expect(await gauges()).toEqual([0, 0]));
      expect([measured.app.live.watches, measured.app.live.subscribers]).toEqual([0, 0]);
      expect(await events()).toEqual([4, 1]);
    } finally {
      await measured.close();
    }
  });
});

describe('live-update retries', () => {
  // One try per call (SWR_RETRIES=0): each failure the simulator sends reaches the watch at once.
  const retrying = () => startStack({ env: { WATCH_INTERVAL_MS: String(INTERVAL_MS), SWR_RETRIES: '0' } });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  // The calls for a repository the simulator answered with `status`.
  const answered = (simulator: typeof stack.simulator, repository: string, status: number) =>
    simulator.requests.filter((request) => request.repository === repository && request.status === status).length;

  it('keeps the stream open when the first read fails, retries it after Retry-After, and reports from the next baseline', async () => {
    const retry = await retrying();
    try {
      retry.simulator.addFault({ repository: 'redis', status: 503, retryAfter: '1', times: 1 });
      const subscription = await subscribeSse(retry.url, JOB_CHANGES, { variables: { namespace: 'demo', name: 'redis' } });
      expect(subscription.status).toBe(200);
      await vi.waitFor(() => expect(answered(retry.simulator, 'redis', 503)).toBe(1));
      // Retry-After 1 s, not the 100 ms interval: no call for a good part of it.
      await sleep(600);
      expect(callsFor(retry.simulator, 'redis')).toBe(1);
      await waitForCalls(retry.simulator, 'redis', 1, 1);
      expect(subscription.completed).toBe(false);
      const [job] = retry.simulator.createJobs({ namespace: 'demo', repository: 'redis' });
      const [event] = await subscription.waitForResults(1);
      expect(event!.data.syncJobChanged).toMatchObject({ kind: 'CREATED', job: { id: String(job!.id) } });
      subscription.close();
      await vi.waitFor(() => expect(retry.app.live.subscribers).toBe(0));
    } finally {
      await retry.close();
    }
  });

  it('retries a 429 after its Retry-After and keeps the stream open', async () => {
    const retry = await retrying();
    try {
      const subscription = await subscribeSse(retry.url, JOB_CHANGES, { variables: { namespace: 'demo', name: 'nginx' } });
      await waitForCalls(retry.simulator, 'nginx', 0, 2);
      retry.simulator.addFault({ repository: 'nginx', status: 429, retryAfter: '1', times: 1 });
      await vi.waitFor(() => expect(answered(retry.simulator, 'nginx', 429)).toBe(1));
      const calls = callsFor(retry.simulator, 'nginx');
      await sleep(600);
      expect(callsFor(retry.simulator, 'nginx')).toBe(calls);
      const [job] = retry.simulator.createJobs({ namespace: 'demo', repository: 'nginx' });
      const [event] = await subscription.waitForResults(1);
      expect(event!.data.syncJobChanged).toMatchObject({ kind: 'CREATED', job: { id: String(job!.id) } });
      expect(subscription.completed).toBe(false);
      const metrics = await (await fetch(retry.url.replace('/graphql', '/metrics'))).text();
      expect(metrics).toMatch(/swr_gateway_live_polls_total\{outcome="UPSTREAM_RATE_LIMITED"\} 1\b/);
      subscription.close();
      await vi.waitFor(() => expect(retry.app.live.subscribers).toBe(0));
    } finally {
      await retry.close();
    }
  });
  it('retries a watch read past SWR_TIMEOUT_MS at the next interval, keeps the stream open, reports jobs created meanwhile', async () => {
    const timing = await startStack({ env: { WATCH_INTERVAL_MS: String(INTERVAL_MS), SWR_TIMEOUT_MS: '300', SWR_RETRIES: '0' } });
    try {
      const subscription = await subscribeSse(timing.url, JOB_CHANGES, { variables: { namespace: 'demo', name: 'redis' } });
      expect(subscription.status).toBe(200);
      await waitForCalls(timing.simulator, 'redis', 0, 2);
      const from = callsFor(timing.simulator, 'redis');
      // The next read is never answered: the gateway gives up on it after SWR_TIMEOUT_MS.
      timing.simulator.addFault({ repository: 'redis', hang: true, times: 1 });
      await waitForCalls(timing.simulator, 'redis', from, 1);
      const hung = timing.simulator.requests.filter((request) => request.repository === 'redis')[from]!;
      const [job] = timing.simulator.createJobs({ namespace: 'demo', repository: 'redis' });
      await vi.waitFor(() => expect(hung.aborted).toBe(true));
      // Tried again at the next interval: answered, and the job created meanwhile is reported, once.
      const [event] = await subscription.waitForResults(1);
      expect(event!.data.syncJobChanged).toMatchObject({ kind: 'CREATED', job: { id: String(job!.id) } });
      await waitForCalls(timing.simulator, 'redis', callsFor(timing.simulator, 'redis'), 3);
      expect(subscription.results).toHaveLength(1);
      expect(subscription.completed).toBe(false);
      expect(await metricValue(timing.url, 'swr_gateway_live_polls_total{outcome="UPSTREAM_TIMEOUT"}')).toBe(1);
      subscription.close();
      await vi.waitFor(() => expect(timing.app.live.subscribers).toBe(0));
    } finally {
      await timing.close();
    }
  });

  it('keeps the stream open when the first read times out, and takes the baseline at the next interval', async () => {
    const timing = await startStack({ env: { WATCH_INTERVAL_MS: String(INTERVAL_MS), SWR_TIMEOUT_MS: '300', SWR_RETRIES: '0' } });
    try {
      timing.simulator.addFault({ repository: 'redis', hang: true, times: 1 });
      const subscription = await subscribeSse(timing.url, JOB_CHANGES, { variables: { namespace: 'demo', name: 'redis' } });
      expect(subscription.status).toBe(200);
      // The timed-out read, then the retry (the baseline).
      await waitForCalls(timing.simulator, 'redis', 0, 2);
      expect(timing.simulator.requests[0]!.aborted).toBe(true);
      expect(subscription.completed).toBe(false);
      const [job] = timing.simulator.createJobs({ namespace: 'demo', repository: 'redis' });
      const [event] = await subscription.waitForResults(1);
      expect(event!.data.syncJobChanged).toMatchObject({ kind: 'CREATED', job: { id: String(job!.id) } });
      expect(subscription.results).toHaveLength(1);
      expect(await metricValue(timing.url, 'swr_gateway_live_polls_total{outcome="UPSTREAM_TIMEOUT"}')).toBe(1);
      subscription.close();
      await vi.waitFor(() => expect(timing.app.live.subscribers).toBe(0));
    } finally {
      await timing.close();
    }
  });
});

describe('live-update limits and shutdown', () => {
  // A subscription refused by `limit`: completed at once, its only result the coded refusal.
  async function expectRefused(subscription: SseSubscription, limit: string): Promise<void> {
    expect(await subscription.ended).toBe('complete');
    expect(subscription.results[0]!.errors?.[0]?.extensions).toMatchObject({ code: 'OPERATION_TOO_EXPENSIVE', limit });
  }

  it('refuses watches past MAX_WATCHES and subscribers past MAX_SUBSCRIPTIONS, then admits again once one leaves', async () => {
    const limited = await startStack({ env: { WATCH_INTERVAL_MS: '100', MAX_WATCHES: '2', MAX_SUBSCRIPTIONS: '3' } });
    try {
      const sub = (name: string) => subscribeSse(limited.url, JOB_CHANGES, { variables: { namespace: 'demo', name } });
      const a = await sub('nginx');
      const b = await sub('redis');
      await vi.waitFor(() => expect(limited.app.live.subscribers).toBe(2));
      const third = await sub('team/api');
      await expectRefused(third, 'MAX_WATCHES');
      const c = await sub('nginx');
      await vi.waitFor(() => expect(limited.app.live.subscribers).toBe(3));
      const fourth = await sub('redis');
      await expectRefused(fourth, 'MAX_SUBSCRIPTIONS');
      b.close();
      await vi.waitFor(() => expect(limited.app.live.watches).toBe(1));
      const again = await sub('team/api');
      await vi.waitFor(() => expect(limited.app.live.watches).toBe(2));
      for (const subscription of [a, c, again]) subscription.close();
    } finally {
      await limited.close();
    }
  });

  it('refuses one token past MAX_WATCHES_PER_CALLER and MAX_SUBSCRIPTIONS_PER_CALLER while another token still subscribes', async () => {
    const limited = await startStack({ env: { WATCH_INTERVAL_MS: '100', MAX_WATCHES_PER_CALLER: '2', MAX_SUBSCRIPTIONS_PER_CALLER: '3' } });
    try {
      const sub = (name: string, token: string) =>
        subscribeSse(limited.url, JOB_CHANGES, { variables: { namespace: 'demo', name }, token });
      // A watch whose baseline fails is gone, and no longer counts against its caller.
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const missing = await sub('no-such-repository', 'token-a');
        expect(await missing.ended).toBe('complete');
        expect(missing.results[0]!.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      }
      const a = [await sub('nginx', 'token-a'), await sub('redis', 'token-a')];
      await vi.waitFor(() => expect(limited.app.live.subscribers).toBe(2));
      const thirdWatch = await sub('team/api', 'token-a');
      await expectRefused(thirdWatch, 'MAX_WATCHES_PER_CALLER');
      // Another token is not held back by the first one's watches.
      const b = await sub('team/api', 'token-b');
      await vi.waitFor(() => expect(limited.app.live.watches).toBe(3));
      a.push(await sub('nginx', 'token-a'));
      await vi.waitFor(() => expect(limited.app.live.subscribers).toBe(4));
      const fourth = await sub('redis', 'token-a');
      await expectRefused(fourth, 'MAX_SUBSCRIPTIONS_PER_CALLER');
      const second = await sub('redis', 'token-b');
      await vi.waitFor(() => expect(limited.app.live.subscribers).toBe(5));
      expect(await metricValue(limited.url, 'swr_gateway_operations_refused_total{limit="MAX_WATCHES_PER_CALLER"}')).toBe(1);
      expect(await metricValue(limited.url, 'swr_gateway_operations_refused_total{limit="MAX_SUBSCRIPTIONS_PER_CALLER"}')).toBe(1);
      // Once one of its streams (here the only one on redis, so its watch too) ends, the token is admitted again.
      a[1]!.close();
      await vi.waitFor(() => expect(limited.app.live.subscribers).toBe(4));
      const again = await sub('team/api', 'token-a');
      await vi.waitFor(() => expect(limited.app.live.subscribers).toBe(5));
      expect(again.completed).toBe(false);
      for (const subscription of [a[0]!, a[2]!, b, second, again]) subscription.close();
      await vi.waitFor(() => expect(limited.app.live.watches).toBe(0));
    } finally {
      await limited.close();
    }
  });

  it('keeps the watch for a subscriber still waiting for its baseline when another leaves (StrictMode mount, unmount, mount)', async () => {
    const strict = await startStack({ env: { WATCH_INTERVAL_MS: String(INTERVAL_MS) } });
    const gauge = async (name: string) => {
      const metrics = await (await fetch(strict.url.replace('/graphql', '/metrics'))).text();
      return Number(new RegExp(`^swr_gateway_live_${name} (\\d+)$`, 'm').exec(metrics)?.[1]);
    };
    try {
      // The baseline takes a while: both subscribers wait for it, and the first leaves meanwhile.
      strict.simulator.addFault({ repository: 'redis', latencyMs: 500, times: 1 });
      const leaving = new AbortController();
      const first = subscribeSse(strict.url, JOB_CHANGES, { variables: { namespace: 'demo', name: 'redis' }, signal: leaving.signal });
      first.catch(() => {});
      const second = subscribeSse(strict.url, JOB_CHANGES, { variables: { namespace: 'demo', name: 'redis' } });
      await vi.waitFor(() => expect(strict.app.live.subscribers).toBe(2));
      expect(strict.app.live.watches).toBe(1);
      expect(strict.simulator.inFlight).toBe(1);
      leaving.abort();
      await vi.waitFor(() => expect(strict.app.live.subscribers).toBe(1));
      const staying = await second;
      expect(staying.status).toBe(200);
      // The watch goes on polling for the one left.
      await waitForCalls(strict.simulator, 'redis', callsFor(strict.simulator, 'redis'), 2);
      expect(strict.app.live.watches).toBe(1);
      expect(strict.app.live.subscribers).toBe(1);
      expect([await gauge('watches'), await gauge('subscribers')]).toEqual([1, 1]);
      const [job] = strict.simulator.createJobs({ namespace: 'demo', repository: 'redis' });
      const [event] = await staying.waitForResults(1);
      expect(event!.data.syncJobChanged).toMatchObject({ kind: 'CREATED', job: { id: String(job!.id) } });
      // Shutdown ends it like any other stream.
      const shutdown = strict.app.shutdown(5000, 1000);
      expect(await staying.ended).toBe('complete');
      expect([strict.app.live.watches, strict.app.live.subscribers]).toEqual([0, 0]);
      await shutdown;
    } finally {
      await strict.simulator.close();
    }
  });

  it('completes open streams on shutdown and refuses new ones while it drains', async () => {
    const closing = await startStack({ env: { WATCH_INTERVAL_MS: '100' } });
    const subscriptions = await Promise.all(
      ['nginx', 'redis', 'nginx'].map((name) => subscribeSse(closing.url, JOB_CHANGES, { variables: { namespace: 'demo', name } })),
    );
    await vi.waitFor(() => expect(closing.app.live.subscribers).toBe(3));
    const shutdown = closing.app.shutdown(5000, 1000);
    for (const subscription of subscriptions) expect(await subscription.ended).toBe('complete');
    // While it drains, the listener still answers: a new subscription is told to go elsewhere.
    const late = await subscribeSse(closing.url, JOB_CHANGES, { variables: { namespace: 'demo', name: 'redis' } });
    expect(await late.ended).toBe('complete');
    expect(late.results[0]!.errors?.[0]?.extensions).toMatchObject({ code: 'SHUTTING_DOWN', retryable: true });
    expect(closing.app.live.watches).toBe(0);
    await shutdown;
    await closing.simulator.close();
  });
});
