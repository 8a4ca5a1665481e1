import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { Client } from 'graphql-ws';
import { MAX_SOCKET_OPERATIONS } from '../../src/http/websocket.js';
import { callsFor, JOB_CHANGES, metricValue, subscribeSse, waitForCalls } from '../support/live.js';
import { startStack, useStack } from '../support/stack.js';
import { overrunSubscriber, rawSocket as openRawSocket, wsClient, wsOperation } from '../support/websocket.js';

// Live updates (and other operations) over WebSocket with the graphql-ws protocol, through the
// gateway's plugins, against the simulator on a real port.

const stack = useStack({ env: { WATCH_INTERVAL_MS: '100', CORS_ORIGINS: 'https://app.example.com' } });
const clients: Client[] = [];
const sockets: WebSocket[] = [];

function client(connectionParams?: Record<string, unknown>) {
  const created = wsClient(stack.url, connectionParams);
  clients.push(created);
  return created;
}

function rawSocket(options: { protocol?: string; headers?: Record<string, string>; url?: string } = {}) {
  const raw = openRawSocket(options.url ?? stack.url, options);
  sockets.push(raw.socket);
  return raw;
}

// A list nested `depth` deep.
function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < depth; level += 1) value = [value];
  return value;
}

afterEach(async () => {
  for (const each of clients.splice(0)) await each.dispose();
  for (const socket of sockets.splice(0)) socket.terminate();
  await vi.waitFor(() => expect(stack.app.live.subscribers).toBe(0));
});

describe('graphql-ws at /graphql', () => {
  it('delivers CREATED and UPDATED to a graphql-ws client whose connection_init carries X-Auth-Token', async () => {
    const subscription = wsOperation(client({ 'X-Auth-Token': 'token-demo' }), JOB_CHANGES, { namespace: 'demo', name: 'redis' });
    await vi.waitFor(() => expect(stack.app.live.subscribers).toBe(1));
    await waitForCalls(stack.simulator, 'redis', 0, 1);
    const [job] = stack.simulator.createJobs({ namespace: 'demo', repository: 'redis' });
    await subscription.waitForResults(1);
    stack.simulator.updateJob({ namespace: 'demo', repository: 'redis', id: job!.id, status: 'failed' });
    const results = await subscription.waitForResults(2);
    expect(results.map((result) => [result.data.syncJobChanged.kind, result.data.syncJobChanged.job.status])).toEqual([
      ['CREATED', 'WAITING'],
      ['UPDATED', 'FAILED'],
    ]);
    expect(stack.simulator.requests.every((request) => request.token === 'token-demo')).toBe(true);
  });

  it('reads Authorization: Bearer, and the same keys inside a `headers` object of the payload', async () => {
    for (const params of [{ authorization: 'Bearer token-demo' }, { headers: { 'x-auth-token': 'token-demo' } }]) {
      const query = wsOperation(client(params), '{ repository(namespace: "demo", name: "empty") { syncJobs(first: 1) { totalCount } } }');
      expect(await query.ended).toBe('complete');
      expect(query.results).toEqual([{ data: { repository: { syncJobs: { totalCount: 0 } } } }]);
    }
    expect(stack.simulator.requests.map((request) => request.token)).toEqual(['token-demo', 'token-demo']);
  });

  it('takes the token from the upgrade request headers when connection_init has none (routers propagate headers there)', async () => {
    const routed = rawSocket({ headers: { 'x-auth-token': 'token-router' } });
    await routed.init();
    routed.socket.send(
      JSON.stringify({
        id: 'q',
        type: 'subscribe',
        payload: { query: '{ repository(namespace: "demo", name: "empty") { syncJobs { totalCount } } }' },
      }),
    );
    await vi.waitFor(() => expect(routed.messages.at(-1)).toEqual({ id: 'q', type: 'complete' }));
    expect(routed.messages).toContainEqual({ id: 'q', type: 'next', payload: { data: { repository: { syncJobs: { totalCount: 0 } } } } });
    expect(stack.simulator.requests.map((request) => request.token)).toEqual(['token-router']);
  });

  it('refuses every operation of a connection without a token with UNAUTHENTICATED, and calls SWR for none', async () => {
    const anonymous = client();
    const subscription = wsOperation(anonymous, JOB_CHANGES, { namespace: 'demo', name: 'redis' });
    const query = wsOperation(anonymous, '{ repository(namespace: "demo", name: "redis") { syncJobs(first: 1) { totalCount } } }');
    expect(await subscription.ended).toBe('complete');
    expect(subscription.results[0]!.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED' });
    expect(await query.ended).toBe('complete');
    expect(query.results[0]!.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED' });
    expect(stack.simulator.requests).toEqual([]);
  });

  it('shares one watch between SSE and WebSocket subscribers of one caller and repository', async () => {
    const ws = wsOperation(client({ 'X-Auth-Token': 'token-demo' }), JOB_CHANGES, { namespace: 'demo', name: 'nginx' });
    const sse = await subscribeSse(stack.url, JOB_CHANGES, { variables: { namespace: 'demo', name: 'nginx' } });
    await vi.waitFor(() => expect(stack.app.live.subscribers).toBe(2));
    expect(stack.app.live.watches).toBe(1);
    await waitForCalls(stack.simulator, 'nginx', callsFor(stack.simulator, 'nginx'), 1);
    const [job] = stack.simulator.createJobs({ namespace: 'demo', repository: 'nginx' });
    const [fromWs] = await ws.waitForResults(1);
    const [fromSse] = await sse.waitForResults(1);
    expect(fromWs).toEqual(fromSse);
    expect(fromWs!.data.syncJobChanged.job.id).toBe(String(job!.id));
    sse.close();
  });

  it("applies the gateway's limits and codes: parse, validation, depth, input depth and the upstream budget", async () => {
    const caller = client({ 'X-Auth-Token': 'token-demo' });
    const cases: Array<[string, Record<string, unknown> | undefined, string]> = [
      ['{ repository(', undefined, 'GRAPHQL_PARSE_FAILED'],
      ['subscription { nope }', undefined, 'GRAPHQL_VALIDATION_FAILED'],
      ['query Q($v: Int) { __typename }', { v: nested(80) }, 'OPERATION_TOO_EXPENSIVE'],
      [
        '{ repositories(refs: [' +
          Array.from({ length: 30 }, (_, index) => `{ namespace: "demo", name: "r${index}" }`).join(' ') +
          ']) { syncJobs(first: 100) { totalCount } a: syncJobs(first: 10, order: ASC) { totalCount } } }',
        undefined,
        'OPERATION_TOO_EXPENSIVE',
      ],
    ];
    for (const [query, variables, code] of cases) {
      const operation = wsOperation(caller, query, variables);
      await operation.ended;
      const errors = operation.errors ?? operation.results[0]?.errors;
      expect(errors?.[0]?.extensions?.code, query.slice(0, 40)).toBe(code);
      expect(errors?.[0]?.extensions).not.toHaveProperty('http');
    }
    expect(stack.simulator.requests).toEqual([]);
    const metrics = await (await fetch(stack.url.replace('/graphql', '/metrics'))).text();
    expect(metrics).toMatch(/swr_gateway_graphql_errors_total\{code="GRAPHQL_PARSE_FAILED"\} [1-9]/);
  });

  it('serves 1,000 subscribers (the default limits allow them) on ten sockets with one watch, each getting the event', async () => {
    const operations = Array.from({ length: 10 }, () => client({ 'X-Auth-Token': 'token-demo' })).flatMap((socket) =>
      Array.from({ length: 100 }, () => wsOperation(socket, JOB_CHANGES, { namespace: 'demo', name: 'team/api' })),
    );
    await vi.waitFor(() => expect(stack.app.live.subscribers).toBe(1000), { timeout: 20_000 });
    expect(stack.app.live.watches).toBe(1);
    await waitForCalls(stack.simulator, 'team/api', callsFor(stack.simulator, 'team/api'), 1);
    const [job] = stack.simulator.createJobs({ namespace: 'demo', repository: 'team/api' });
    for (const operation of operations) {
      const [event] = await operation.waitForResults(1);
      expect(event!.data.syncJobChanged.job.id).toBe(String(job!.id));
    }
  });

  it(`refuses more than ${MAX_SOCKET_OPERATIONS} operations at once on one socket`, async () => {
    const socket = client({ 'X-Auth-Token': 'token-demo' });
    const admitted = Array.from({ length: MAX_SOCKET_OPERATIONS }, () =>
      wsOperation(socket, JOB_CHANGES, { namespace: 'demo', name: 'redis' }),
    );
    await vi.waitFor(() => expect(stack.app.live.subscribers).toBe(MAX_SOCKET_OPERATIONS));
    const refused = wsOperation(socket, JOB_CHANGES, { namespace: 'demo', name: 'redis' });
    expect(await refused.ended).toBe('error');
    expect(refused.errors?.[0]?.extensions).toEqual({ code: 'OPERATION_TOO_EXPENSIVE', limit: 'MAX_SOCKET_OPERATIONS' });
    admitted[0]!.stop();
    await vi.waitFor(() => expect(stack.app.live.subscribers).toBe(MAX_SOCKET_OPERATIONS - 1));
    const again = wsOperation(socket, JOB_CHANGES, { namespace: 'demo', name: 'redis' });
    await vi.waitFor(() => expect(stack.app.live.subscribers).toBe(MAX_SOCKET_OPERATIONS));
    again.stop();
  });

  it('drops a subscriber that stops reading (SUBSCRIBER_TOO_SLOW) while the others of its watch get every event', async () => {
    const fast = wsOperation(client({ 'X-Auth-Token': 'token-demo' }), JOB_CHANGES, { namespace: 'demo', name: 'nginx' });
    let burst: Array<{ id: number }> = [];
    const messages = await overrunSubscriber(stack.url, { namespace: 'demo', name: 'nginx' }, async () => {
      await vi.waitFor(() => expect(stack.app.live.subscribers).toBe(2));
      await waitForCalls(stack.simulator, 'nginx', callsFor(stack.simulator, 'nginx'), 1);
      burst = stack.simulator.createJobs({ namespace: 'demo', repository: 'nginx', count: 900 });
      const results = await fast.waitForResults(burst.length);
      expect(results.map((result) => result.data.syncJobChanged.job.id)).toEqual(burst.map((job) => String(job.id)));
      // The slow one is dropped while the fast one goes on.
      await vi.waitFor(() => expect(stack.app.live.subscribers).toBe(1), { timeout: 20_000 });
    });
    expect(messages.at(-2).payload.errors[0].extensions).toEqual({ code: 'SUBSCRIBER_TOO_SLOW' });
    expect(messages.filter((message) => message.type === 'next').length).toBeLessThan(burst.length);
    fast.stop();
  });

  it('counts a graphql-ws subscriber in the live gauges, and takes it out when its socket is cut', async () => {
    const gauges = async () => [
      await metricValue(stack.url, 'swr_gateway_live_watches'),
      await metricValue(stack.url, 'swr_gateway_live_subscribers'),
    ];
    expect(await gauges()).toEqual([0, 0]);
    const ws = rawSocket();
    await ws.init({ 'X-Auth-Token': 'token-demo' });
    ws.socket.send(
      JSON.stringify({ id: 'live', type: 'subscribe', payload: { query: JOB_CHANGES, variables: { namespace: 'demo', name: 'redis' } } }),
    );
    const sse = await subscribeSse(stack.url, JOB_CHANGES, { variables: { namespace: 'demo', name: 'redis' } });
    await vi.waitFor(async () => expect(await gauges()).toEqual([1, 2]));
    await waitForCalls(stack.simulator, 'redis', callsFor(stack.simulator, 'redis'), 1);
    const [job] = stack.simulator.createJobs({ namespace: 'demo', repository: 'redis' });
    await vi.waitFor(() => expect(ws.messages.filter((message) => message.type === 'next')).toHaveLength(1));
    const [event] = await sse.waitForResults(1);
    expect(event!.data.syncJobChanged.job.id).toBe(String(job!.id));
    // Cut without `complete`: the subscriber goes with its socket, the watch stays for the other.
    ws.socket.terminate();
    await vi.waitFor(async () => expect(await gauges()).toEqual([1, 1]));
    sse.close();
    await vi.waitFor(async () => expect(await gauges()).toEqual([0, 0]));
  });

  it('refuses upgrades to other paths (404), without graphql-transport-ws (4406) and from origins not in CORS_ORIGINS (403)', async () => {
    const elsewhere = rawSocket({ url: stack.url.replace('/graphql', '/other') });
    expect(await elsewhere.failed).toBe(404);
    const noProtocol = rawSocket({ protocol: '' });
    expect((await noProtocol.closed).code).toBe(4406);
    const foreign = rawSocket({ headers: { origin: 'https://evil.example.com' } });
    expect(await foreign.failed).toBe(403);
    const listed = rawSocket({ headers: { origin: 'https://app.example.com' } });
    await listed.opened;
  });

  it('closes a socket that sends a message over MAX_BODY_BYTES with 1009', async () => {
    const big = rawSocket();
    await big.opened;
    big.socket.send('x'.repeat(stack.config.maxBodyBytes + 1));
    expect((await big.closed).code).toBe(1009);
  });
});

describe('graphql-ws shutdown', () => {
  it('completes open subscriptions, then closes sockets with 1001', async () => {
    const closing = await startStack({ env: { WATCH_INTERVAL_MS: '100' } });
    const socket = wsClient(closing.url, { 'X-Auth-Token': 'token-demo' });
    const closedWith = new Promise<number>((resolve) => socket.on('closed', (event) => resolve((event as { code: number }).code)));
    const subscription = wsOperation(socket, JOB_CHANGES, { namespace: 'demo', name: 'redis' });
    await vi.waitFor(() => expect(closing.app.live.subscribers).toBe(1));
    await closing.app.shutdown(5000);
    expect(await subscription.ended).toBe('complete');
    expect(await closedWith).toBe(1001);
    expect(closing.app.http.webSockets?.open).toBe(0);
    await socket.dispose();
    await closing.simulator.close();
  });
});
