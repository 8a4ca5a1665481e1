import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { startStack, type Stack } from '../support/stack.js';
import { wsClient, wsOperation } from '../support/websocket.js';

const NGINX = `query NginxPage { repository(namespace: "demo", name: "nginx") { syncJobs(first: 2) { totalCount } } }`;

describe('health and readiness', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it('answers /healthz and /readyz while serving', async () => {
    const base = stack.url.replace('/graphql', '');
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);
  });
});

describe('graceful shutdown', () => {
  it('says it is not ready, stops accepting, and finishes every operation in flight', async () => {
    const stack = await startStack();
    const origin = stack.url.replace('/graphql', '');
    try {
      stack.simulator.addFault({ latencyMs: 700 });
      const inFlight = Array.from({ length: 5 }, () => stack.query(NGINX));
      await vi.waitFor(() => expect(stack.simulator.inFlight).toBe(5));

      const stopped = stack.app.shutdown(5000, 300);
      const readiness = await fetch(`${origin}/readyz`);
      expect([readiness.status, await readiness.json()]).toEqual([503, { status: 'shutting down' }]);
      expect(readiness.headers.get('connection')).toBe('close');
      // Once SHUTDOWN_DRAIN_MS is over, the listener closes.
      await vi.waitFor(() => expect(fetch(`${origin}/healthz`)).rejects.toThrow());

      const responses = await Promise.all(inFlight);
      expect(responses.map((response) => response.data?.repository?.syncJobs?.totalCount)).toEqual([47, 47, 47, 47, 47]);
      await stopped;
    } finally {
      await stack.simulator.close();
    }
  });

  it('closes what is still in flight when the grace period is over', async () => {
    const stack = await startStack();
    try {
      stack.simulator.addFault({ hang: true });
      const pending = stack.query(NGINX).catch((error: unknown) => error);
      await vi.waitFor(() => expect(stack.simulator.inFlight).toBe(1));
      // SWR hangs for ever: only the end of the grace period ends this shutdown (and the test).
      await stack.app.shutdown(300);
      expect(await pending).toBeInstanceOf(Error);
    } finally {
      await stack.simulator.close();
    }
  });
});

describe('metrics', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it('exposes operations, upstream calls, retries, economy and refusals in Prometheus format', async () => {
    await stack.query(NGINX, { token: 'secret-metrics-token' });
    await stack.query(
      'query Twice { a: repository(namespace: "demo", name: "nginx") { syncJobs(first: 5) { totalCount } } ' +
        'b: repository(namespace: "demo", name: "nginx") { syncJobs(first: 10) { totalCount } } ' +
        'c: repository(namespace: "demo", name: "nginx") { syncJobs(first: 5) { totalCount } } }',
    );
    stack.simulator.addFault({ status: 503, times: 1 });
    await stack.query(`query Retried { repository(namespace: "demo", name: "redis") { syncJobs(first: 1) { totalCount } } }`);
    stack.simulator.addFault({ repository: 'empty', status: 404 });
    await stack.query(`query Missing { repository(namespace: "demo", name: "empty") { syncJobs { totalCount } } }`);
    stack.simulator.clearFaults();
    const many = Array.from(
      { length: 51 },
      (_, index) => `a${index}: repository(namespace: "demo", name: "r${index}") { syncJobs { totalCount } }`,
    );
    await stack.query(`query TooMuch { ${many.join(' ')} }`);

    const response = await fetch(stack.url.replace('/graphql', '/metrics'));
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    const value = (series: string) => {
      const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    expect(value('swr_gateway_graphql_operations_total{operation="NginxPage",outcome="ok"}')).toBe(1);
    expect(value('swr_gateway_graphql_operations_total{operation="Missing",outcome="partial"}')).toBe(1);
    expect(value('swr_gateway_graphql_operations_total{operation="TooMuch",outcome="error"}')).toBe(1);
    expect(value('swr_gateway_graphql_errors_total{code="NOT_FOUND"}')).toBe(1);
    expect(value('swr_gateway_operations_refused_total{limit="MAX_UPSTREAM_CALLS"}')).toBe(1);
    expect(value('swr_gateway_upstream_calls_total{status_class="2xx"}')).toBe(3);
    expect(value('swr_gateway_upstream_calls_total{status_class="5xx"}')).toBe(1);
    expect(value('swr_gateway_upstream_calls_total{status_class="4xx"}')).toBe(1);
    expect(value('swr_gateway_upstream_retries_total')).toBe(1);
    expect(value('swr_gateway_lookups_deduplicated_total')).toBe(1);
    expect(value('swr_gateway_lookups_coalesced_total')).toBe(2);
    expect(value('swr_gateway_graphql_operation_duration_seconds_count{operation="NginxPage",outcome="ok"}')).toBe(1);
    expect(value('swr_gateway_upstream_call_duration_seconds_count{status_class="2xx"}')).toBe(3);
    expect(value('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(text).not.toContain('secret-metrics-token');
  });
});

describe('logs', () => {
  it('writes one JSON line per operation and debug lines per upstream call, with no trace of the token', async () => {
    const token = 'MIIlogs-known-token-a1b2c3d4e5f6g7h8';
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const stack = await startStack({ logger: createLogger('debug', sink), inMemory: true });
    try {
      await stack.query(NGINX, { token, headers: { 'x-request-id': 'req-logs-1' } });
      await stack.query(NGINX, { token: null, headers: { authorization: `Bearer ${token}` } });
      stack.simulator.addFault({ status: 401, times: 1 });
      await stack.query(NGINX, { token });
      stack.simulator.addFault({ status: 503, times: 3 });
      await stack.query(NGINX, { token });
      await stack.query(`{ repository(namespace: "demo", name: "nginx") { syncJobs(first: 1, last: 1) { totalCount } } }`, { token });
      await stack.query('{ broken', { token });
    } finally {
      await stack.close();
    }
    const entries = lines.map((line) => JSON.parse(line) as Record<string, any>);
    const operations = entries.filter((entry) => entry.msg === 'graphql operation');
    expect(operations).toHaveLength(6);
    expect(operations[0]).toMatchObject({ level: 30, requestId: 'req-logs-1', operation: 'NginxPage', outcome: 'ok', upstreamCalls: 1 });
    expect(operations.map((entry) => entry.outcome)).toEqual(['ok', 'ok', 'partial', 'partial', 'partial', 'error']);
    const calls = entries.filter((entry) => entry.msg === 'SWR call');
    expect(calls.length).toBe(6);
    expect(calls[0]).toMatchObject({
      level: 20,
      requestId: 'req-logs-1',
      filter: 'limit::2|offset::0|order::desc',
      status: 200,
      attempt: 1,
    });
    // Not the token, nor any long piece of it.
    const all = lines.join('\n');
    expect(all).not.toContain(token);
    expect(all).not.toContain(token.slice(3, 20));
  });
});

describe('request ids', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  const post = (headers: Record<string, string>) =>
    fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: '{ __typename }' }),
    });

  it('echoes an incoming X-Request-Id', async () => {
    expect((await post({ 'x-request-id': 'abc-123' })).headers.get('x-request-id')).toBe('abc-123');
  });

  it.each([
    ['none', {}],
    ['an unsafe one', { 'x-request-id': 'a b"c' }],
    ['an overlong one', { 'x-request-id': 'x'.repeat(200) }],
  ])('makes one up when it gets %s', async (_label, headers) => {
    expect((await post(headers)).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('suggestions with introspection on', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it('keeps graphql-js\'s "Did you mean" hints, which the schema is open to anyway', async () => {
    const result = await stack.query(`{ repository(namespace: "demo", name: "nginx") { syncJobs(first: 1, order: AS) { totalCount } } }`);
    expect(result.errors?.[0]?.message).toMatch(/Did you mean the enum value "ASC"\?/);
  });
});

describe('input hardening', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { MAX_BODY_BYTES: '4096', INTROSPECTION: 'false' } });
  });
  afterAll(() => stack.close());

  it('refuses a body over MAX_BODY_BYTES with 413 before reading it', async () => {
    const response = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': 't' },
      body: JSON.stringify({ query: `{ __typename }`, variables: { padding: 'x'.repeat(5000) } }),
    });
    expect(response.status).toBe(413);
    expect((await response.json()).errors[0].message).toContain('MAX_BODY_BYTES');
  });

  it('refuses a body without Content-Length with 411', async () => {
    const { request } = await import('undici');
    const response = await request(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Readable.from([Buffer.from('{"query":"{ __typename }"}')]),
    });
    expect(response.statusCode).toBe(411);
    await response.body.dump();
  });

  it('serves no introspection with INTROSPECTION=false, and still answers queries', async () => {
    const introspection = await stack.query(`{ __schema { queryType { name } } }`);
    expect(introspection.errors?.[0]?.message).toMatch(/introspection/i);
    const normal = await stack.query(NGINX);
    expect(normal.data.repository.syncJobs.totalCount).toBe(47);
  });

  // Each would spell a name of the schema: a field, an enum value (literal and variable), an argument, a type.
  const NEAR_MISSES: Array<[string, string, Record<string, unknown>?]> = [
    ['a field', `{ repositry(namespace: "demo", name: "nginx") { name } }`],
    ['an enum literal', `{ repository(namespace: "demo", name: "nginx") { syncJobs(first: 1, order: AS) { totalCount } } }`],
    [
      'an enum variable',
      `query ($o: SortOrder) { repository(namespace: "demo", name: "nginx") { syncJobs(first: 1, order: $o) { totalCount } } }`,
      { o: 'ASCC' },
    ],
    ['an argument', `{ repository(namespace: "demo", nam: "nginx") { name } }`],
    ['a type', `query ($o: SortOrdr) { __typename }`],
  ];

  it.each(NEAR_MISSES)('suggests no name of the schema for %s with INTROSPECTION=false', async (_label, query, variables) => {
    const result = await stack.query(query, { variables });
    expect(result.errors?.length).toBeGreaterThan(0);
    for (const error of result.errors ?? []) {
      expect(error.message).not.toMatch(/did you mean/i);
      expect(error.extensions?.code).toBeTruthy();
    }
  });

  it('suggests none over WebSocket either: a subscription near a field, a query near an enum value', async () => {
    const client = wsClient(stack.url, { 'X-Auth-Token': 'token-demo' });
    try {
      const subscription = wsOperation(client, `subscription { syncJobChangd(namespace: "demo", name: "nginx") { kind } }`);
      const query = wsOperation(client, NEAR_MISSES[2]![1], NEAR_MISSES[2]![2]);
      await Promise.all([subscription.ended, query.ended]);
      const errors = [...(subscription.errors ?? []), ...query.results.flatMap((result) => result.errors ?? [])];
      expect(errors.map((error) => error.message)).toEqual([expect.stringContaining('syncJobChangd'), expect.stringContaining('ASCC')]);
      for (const error of errors) expect(error.message).not.toMatch(/did you mean/i);
    } finally {
      await client.dispose();
    }
  });

  it('refuses batched operations without any upstream call', async () => {
    stack.simulator.clearRequests();
    const response = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': 't' },
      body: JSON.stringify([{ query: NGINX }, { query: NGINX }]),
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(stack.simulator.requests).toHaveLength(0);
  });
});
