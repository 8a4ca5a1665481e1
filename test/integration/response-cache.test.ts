import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDemoData, createTenantData, type SwrSimulator } from '../../src/simulator/index.js';
import { callsFor, JOB_CHANGES, subscribeSse, waitForCalls } from '../support/live.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { startStack, useStack, type Stack } from '../support/stack.js';
import { wsClient, wsOperation } from '../support/websocket.js';

// The per-caller response cache (RESPONSE_CACHE_TTL_MS), against the real simulator over HTTP:
// what reached SWR is counted on the simulator, what a client sees is read off the wire (status,
// ETag, Cache-Control, body bytes). Alice and Bob are tenants of their own with the same
// organization and repository names and different jobs, so an answer served to the wrong caller
// shows; any other token is the demo tenant.

const data = {
  tenants: [
    createTenantData({
      domainId: 'alice-domain',
      domainName: 'alice',
      tokens: ['token-alice'],
      namespaces: { shared: { app: 12 } },
      idBase: 1000,
      tagPrefix: 'alice-',
    }),
    createTenantData({
      domainId: 'bob-domain',
      domainName: 'bob',
      tokens: ['token-bob'],
      namespaces: { shared: { app: 7 } },
      idBase: 2000,
      tagPrefix: 'bob-',
    }),
    ...createDemoData().tenants,
  ],
};

const SECRET = 'response-cache-test-secret-of-32+chars';
const TTL_MS = 60_000;

const APP = /* GraphQL */ `
  query App($first: Int) {
    repository(namespace: "shared", name: "app") {
      syncJobs(first: $first) {
        totalCount
        nodes {
          id
          tag
          domainName
        }
      }
    }
  }
`;

const NGINX = /* GraphQL */ `
  query Nginx($first: Int) {
    repository(namespace: "demo", name: "nginx") {
      syncJobs(first: $first) {
        totalCount
        nodes {
          id
          tag
        }
      }
    }
  }
`;

/** One exchange as a client sees it: a 304 has no body (`text` is ''). */
interface Exchange {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

async function post(
  target: Stack,
  query: string,
  options: { variables?: Record<string, unknown>; token?: string | null; headers?: Record<string, string> } = {},
): Promise<Exchange> {
  const token = options.token === undefined ? 'token-demo' : options.token;
  const response = await fetch(target.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(token === null ? {} : { 'x-auth-token': token }),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables: options.variables }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: text === '' ? undefined : JSON.parse(text) };
}

const DEBUG = { 'x-debug-upstream': '1' };

/** The max-age of an exchange's `Cache-Control: private, max-age=N` (NaN without one). */
const maxAgeOf = (exchange: Exchange) => Number(/^private, max-age=(\d+)$/.exec(exchange.headers.get('cache-control') ?? '')?.[1]);

/** The sync_job calls the simulator received with this token. */
const callsBy = (simulator: SwrSimulator, token: string) => simulator.requests.filter((request) => request.token === token).length;

/** swr_gateway_response_cache_total by outcome, as /metrics reports it now (0 when absent). */
async function cacheMetrics(target: Stack): Promise<{ hit: number; miss: number; text: string }> {
  const text = await (await fetch(target.url.replace('/graphql', '/metrics'))).text();
  const read = (outcome: string) =>
    Number(new RegExp(`^swr_gateway_response_cache_total\\{outcome="${outcome}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  return { hit: read('hit'), miss: read('miss'), text };
}

// Each test asks with tokens of its own (the demo tenant takes any): the cache outlives a test.
let tokenCount = 0;
const freshToken = (label: string) => `token-${label}-${(tokenCount += 1)}`;

describe('response cache in memory', () => {
  const stack = useStack({ data, env: { RESPONSE_CACHE_TTL_MS: String(TTL_MS), SWR_RETRIES: '0', WATCH_INTERVAL_MS: '100' } });

  it('keys each part apart: a document and an operation name that join to the same text are not the same request', async () => {
    const token = freshToken('key-parts');
    const send = (query: string, operationName?: string) =>
      fetch(stack.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
          'x-auth-token': token,
          'x-debug-upstream': '1',
        },
        body: JSON.stringify({ query, ...(operationName === undefined ? {} : { operationName }) }),
      }).then(async (response) => ({ status: response.status, body: await response.json() }));
    const text = '{ repository(namespace: "demo", name: "redis") { syncJobs(first: 2) { totalCount } } }';
    expect((await send(`${text} # a|b`)).body.extensions.upstream.cache).toBe('miss');
    // The old key joined the parts with `|`: this one would have been served the answer above.
    const split = await send(`${text} # a`, 'b|');
    expect(split.status).toBe(400);
    expect(split.body.errors[0].extensions.code).toBe('OPERATION_RESOLUTION_FAILURE');
  });

  it("serves the same caller's repeat from the cache: no SWR call, the same bytes and the same ETag", async () => {
    const token = freshToken('repeat');
    const first = await post(stack, NGINX, { token, variables: { first: 3 } });
    expect(first.status).toBe(200);
    expect(first.body.data.repository.syncJobs.nodes).toHaveLength(3);
    expect(callsBy(stack.simulator, token)).toBe(1);

    const again = await post(stack, NGINX, { token, variables: { first: 3 } });
    expect(again.status).toBe(200);
    expect(callsBy(stack.simulator, token)).toBe(1);
    expect(again.text).toBe(first.text);
    expect(again.body).toEqual({ data: first.body.data });
    expect(first.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]{20,}"$/);
    expect(again.headers.get('etag')).toBe(first.headers.get('etag'));
  });

  it('sends Cache-Control: private, max-age=<TTL in seconds> and Vary on the token headers with a stored answer and a hit', async () => {
    const token = freshToken('cache-control');
    const miss = await post(stack, NGINX, { token, variables: { first: 4 } });
    const hit = await post(stack, NGINX, { token, variables: { first: 4 } });
    expect(callsBy(stack.simulator, token)).toBe(1);
    expect(miss.headers.get('cache-control')).toBe(`private, max-age=${TTL_MS / 1000}`);
    expect(maxAgeOf(hit)).toBeLessThanOrEqual(TTL_MS / 1000);
    expect(hit.headers.get('cache-control')).toMatch(/^private, max-age=\d+$/);
    // A browser's cache keys a GET by URL: the answer is another caller's under another token.
    for (const answer of [miss, hit]) expect(answer.headers.get('vary')).toMatch(/Authorization, X-Auth-Token/);
  });

  it('gives a hit max-age for what is left of its TTL, not the whole TTL again', async () => {
    const token = freshToken('max-age-left');
    const miss = await post(stack, NGINX, { token, variables: { first: 5 } });
    expect(maxAgeOf(miss)).toBe(TTL_MS / 1000);
    // Hits, until one is a second or more into the TTL: its max-age is then below the whole TTL.
    await vi.waitFor(
      async () => {
        const hit = await post(stack, NGINX, { token, variables: { first: 5 }, headers: DEBUG });
        expect(hit.body.extensions.upstream.cache).toBe('hit');
        expect(maxAgeOf(hit)).toBeLessThan(TTL_MS / 1000);
      },
      { timeout: 10_000, interval: 100 },
    );
    // A 304 is as fresh as the answer it stands for.
    const revalidated = await post(stack, NGINX, {
      token,
      variables: { first: 5 },
      headers: { 'if-none-match': miss.headers.get('etag')! },
    });
    expect(revalidated.status).toBe(304);
    expect(maxAgeOf(revalidated)).toBeLessThan(TTL_MS / 1000);
    expect(callsBy(stack.simulator, token)).toBe(1);
  });

  it("never serves one caller's answer to another: each gets its own SWR call, its own data and its own ETag", async () => {
    const alice = await post(stack, APP, { token: 'token-alice', variables: { first: 2 } });
    const bob = await post(stack, APP, { token: 'token-bob', variables: { first: 2 } });
    expect(stack.simulator.requests.map((request) => request.token)).toEqual(['token-alice', 'token-bob']);
    expect(alice.body.data.repository.syncJobs).toMatchObject({
      totalCount: 12,
      nodes: [{ domainName: 'alice' }, { domainName: 'alice' }],
    });
    expect(bob.body.data.repository.syncJobs).toMatchObject({ totalCount: 7, nodes: [{ domainName: 'bob' }, { domainName: 'bob' }] });
    expect(bob.body.data.repository.syncJobs.nodes.map((node: { tag: string }) => node.tag)).toEqual(['bob-6', 'bob-5']);
    expect(bob.headers.get('etag')).not.toBe(alice.headers.get('etag'));

    // Both are cached now, each for its own caller.
    const aliceAgain = await post(stack, APP, { token: 'token-alice', variables: { first: 2 } });
    const bobAgain = await post(stack, APP, { token: 'token-bob', variables: { first: 2 } });
    expect(stack.simulator.requests).toHaveLength(2);
    expect(aliceAgain.text).toBe(alice.text);
    expect(bobAgain.text).toBe(bob.text);
  });

  it('gives two callers with identical answers an SWR call each and different ETags', async () => {
    const [one, two] = [freshToken('twin'), freshToken('twin')];
    const first = await post(stack, NGINX, { token: one, variables: { first: 5 } });
    const second = await post(stack, NGINX, { token: two, variables: { first: 5 } });
    expect(second.body.data).toEqual(first.body.data);
    expect([callsBy(stack.simulator, one), callsBy(stack.simulator, two)]).toEqual([1, 1]);
    expect(first.headers.get('etag')).toEqual(expect.any(String));
    expect(second.headers.get('etag')).toEqual(expect.any(String));
    expect(second.headers.get('etag')).not.toBe(first.headers.get('etag'));
  });

  it('keys answers by variables and by operation: other values are misses, each then a hit of its own', async () => {
    const token = freshToken('variables');
    const five = await post(stack, NGINX, { token, variables: { first: 5 } });
    const six = await post(stack, NGINX, { token, variables: { first: 6 } });
    expect(callsBy(stack.simulator, token)).toBe(2);
    expect(six.body.data.repository.syncJobs.nodes).toHaveLength(6);
    expect(six.headers.get('etag')).not.toBe(five.headers.get('etag'));

    // The same document, another of its operations.
    const twoOperations = `query Five { repository(namespace: "demo", name: "nginx") { syncJobs(first: 5) { totalCount } } }
      query Six { repository(namespace: "demo", name: "nginx") { syncJobs(first: 6) { totalCount } } }`;
    const send = async (operationName: string): Promise<any> => {
      const response = await fetch(stack.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-auth-token': token, ...DEBUG },
        body: JSON.stringify({ query: twoOperations, operationName }),
      });
      return response.json();
    };
    expect((await send('Five')).extensions.upstream.cache).toBe('miss');
    expect((await send('Six')).extensions.upstream.cache).toBe('miss');
    expect((await send('Five')).extensions.upstream.cache).toBe('hit');
    expect(callsBy(stack.simulator, token)).toBe(4);

    const fiveAgain = await post(stack, NGINX, { token, variables: { first: 5 } });
    const sixAgain = await post(stack, NGINX, { token, variables: { first: 6 } });
    expect(callsBy(stack.simulator, token)).toBe(4);
    expect([fiveAgain.text, sixAgain.text]).toEqual([five.text, six.text]);
  });

  it('never stores an answer with errors: NOT_FOUND asks SWR every time, with no ETag and no private Cache-Control', async () => {
    const token = freshToken('not-found');
    const query = `{ repository(namespace: "demo", name: "nope") { syncJobs(first: 1) { totalCount } } }`;
    for (let round = 1; round <= 2; round += 1) {
      const answer = await post(stack, query, { token });
      expect(answer.body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', upstream: { status: 404 } });
      expect(answer.headers.get('etag')).toBeNull();
      expect(answer.headers.get('cache-control') ?? '').not.toContain('private');
      expect(callsBy(stack.simulator, token)).toBe(round);
    }
  });

  it('does not store an SWR failure: after a 503 the next request asks SWR again, and that answer is stored', async () => {
    const token = freshToken('503');
    stack.simulator.addFault({ status: 503, times: 1 });
    const failed = await post(stack, NGINX, { token, variables: { first: 7 } });
    expect(failed.body.data).toEqual({ repository: { syncJobs: null } });
    expect(failed.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', upstream: { status: 503 } });
    expect(failed.headers.get('etag')).toBeNull();

    const served = await post(stack, NGINX, { token, variables: { first: 7 } });
    expect(served.body.errors).toBeUndefined();
    expect(served.body.data.repository.syncJobs.nodes).toHaveLength(7);
    expect(callsBy(stack.simulator, token)).toBe(2);

    const hit = await post(stack, NGINX, { token, variables: { first: 7 } });
    expect(hit.text).toBe(served.text);
    expect(callsBy(stack.simulator, token)).toBe(2);
  });

  it('does not store a partial answer (data with an error): every field is asked again', async () => {
    const token = freshToken('partial');
    stack.simulator.addFault({ repository: 'redis', status: 500 });
    const query = `{
      nginx: repository(namespace: "demo", name: "nginx") { syncJobs(first: 1) { totalCount } }
      redis: repository(namespace: "demo", name: "redis") { syncJobs(first: 1) { totalCount } }
    }`;
    for (let round = 1; round <= 2; round += 1) {
      const answer = await post(stack, query, { token });
      expect(answer.body.data).toEqual({ nginx: { syncJobs: { totalCount: 47 } }, redis: { syncJobs: null } });
      expect(answer.body.errors).toHaveLength(1);
      expect(answer.headers.get('etag')).toBeNull();
      expect(callsFor(stack.simulator, 'nginx')).toBe(round);
      expect(callsFor(stack.simulator, 'redis')).toBe(round);
    }
  });

  it('answers the same caller 304 with no body for the ETag it was given (strong, weak, in a list), without calling SWR', async () => {
    const token = freshToken('304');
    const first = await post(stack, NGINX, { token, variables: { first: 8 } });
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);

    for (const ifNoneMatch of [etag, `W/${etag}`, `"something-else", ${etag}`]) {
      const revalidated = await post(stack, NGINX, { token, variables: { first: 8 }, headers: { 'if-none-match': ifNoneMatch } });
      expect(revalidated.status).toBe(304);
      expect(revalidated.text).toBe('');
      expect(revalidated.headers.get('etag')).toBe(etag);
      expect(maxAgeOf(revalidated)).toBeLessThanOrEqual(TTL_MS / 1000);
    }
    expect(callsBy(stack.simulator, token)).toBe(1);
  });

  it('answers in full (200, its ETag) for a tag it does not hold, and for `*`', async () => {
    const token = freshToken('stale-tag');
    const first = await post(stack, NGINX, { token, variables: { first: 9 } });
    for (const ifNoneMatch of ['"not-a-tag-of-ours"', '*']) {
      const answer = await post(stack, NGINX, { token, variables: { first: 9 }, headers: { 'if-none-match': ifNoneMatch } });
      expect(answer.status).toBe(200);
      expect(answer.text).toBe(first.text);
      expect(answer.headers.get('etag')).toBe(first.headers.get('etag'));
    }
    // A tag of the same caller for another answer is no match either.
    const other = await post(stack, NGINX, { token, variables: { first: 10 }, headers: { 'if-none-match': first.headers.get('etag')! } });
    expect(other.status).toBe(200);
    expect(other.body.data.repository.syncJobs.nodes).toHaveLength(10);
  });

  it("tags each media type apart: one representation's tag never gets 304 for another's bytes; Vary names Accept", async () => {
    const token = freshToken('media-types');
    const variables = { first: 11 };
    const search = new URLSearchParams({ query: NGINX, variables: JSON.stringify(variables) });
    const streamed = (headers: Record<string, string> = {}) =>
      fetch(`${stack.url}?${search}`, { headers: { accept: 'text/event-stream', 'x-auth-token': token, ...headers } }).then(
        async (response) => ({ status: response.status, headers: response.headers, text: await response.text() }),
      );
    const graphqlResponse = await post(stack, NGINX, { token, variables });
    const json = await post(stack, NGINX, { token, variables, headers: { accept: 'application/json' } });
    const sse = await streamed();
    expect(sse.status).toBe(200);
    expect(sse.text).toContain('event: next');
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    const tags = [graphqlResponse, json, sse].map((answer) => answer.headers.get('etag'));
    expect(new Set(tags).size, String(tags)).toBe(3);
    for (const answer of [graphqlResponse, json, sse]) {
      expect(answer.headers.get('vary')?.split(/,\s*/)).toEqual(['Accept', 'Authorization', 'X-Auth-Token']);
    }
    // The stream's tag on a JSON request (and the reverse): the full answer in the media type asked for.
    const crossed = await post(stack, NGINX, { token, variables, headers: { 'if-none-match': tags[2]! } });
    expect(crossed.status).toBe(200);
    expect(crossed.text).toBe(graphqlResponse.text);
    const crossedStream = await streamed({ 'if-none-match': `${tags[0]!}, ${tags[1]!}` });
    expect(crossedStream.status).toBe(200);
    expect(crossedStream.text).toBe(sse.text);
    // Each representation's own tag: 304.
    expect((await streamed({ 'if-none-match': tags[2]! })).status).toBe(304);
    expect(
      (await post(stack, NGINX, { token, variables, headers: { accept: 'application/json', 'if-none-match': tags[1]! } })).status,
    ).toBe(304);
    expect(callsBy(stack.simulator, token)).toBe(1);
  });

  it("answers another caller presenting the first caller's ETag with a full 200 of its own answer and its own ETag", async () => {
    const alice = await post(stack, APP, { token: 'token-alice', variables: { first: 3 } });
    const aliceTag = alice.headers.get('etag')!;
    expect(aliceTag).toMatch(/^".+"$/);

    // Bob's answer is not in the cache yet, then it is: a 200 of his own both times.
    for (let round = 1; round <= 2; round += 1) {
      const bob = await post(stack, APP, { token: 'token-bob', variables: { first: 3 }, headers: { 'if-none-match': aliceTag } });
      expect(bob.status).toBe(200);
      expect(bob.body.data.repository.syncJobs).toMatchObject({ totalCount: 7 });
      expect(bob.body.data.repository.syncJobs.nodes.every((node: { domainName: string }) => node.domainName === 'bob')).toBe(true);
      expect(bob.headers.get('etag')).toMatch(/^".+"$/);
      expect(bob.headers.get('etag')).not.toBe(aliceTag);
    }
    expect(callsBy(stack.simulator, 'token-bob')).toBe(1);
    // Same for two tokens of one tenant, whose answers are the same bytes.
    const [one, two] = [freshToken('tag-twin'), freshToken('tag-twin')];
    const mine = await post(stack, NGINX, { token: one, variables: { first: 11 } });
    const theirs = await post(stack, NGINX, {
      token: two,
      variables: { first: 11 },
      headers: { 'if-none-match': mine.headers.get('etag')! },
    });
    expect(theirs.status).toBe(200);
    expect(theirs.text).toBe(mine.text);
    expect(callsBy(stack.simulator, two)).toBe(1);
  });

  it.each([
    ['no token', null],
    ['an oversized token', 'x'.repeat(32 * 1024 + 1)],
  ])('refuses a request with %s as UNAUTHENTICATED, and never caches it', async (_label, token) => {
    const before = await cacheMetrics(stack);
    for (let round = 1; round <= 2; round += 1) {
      const answer = await post(stack, NGINX, { token, variables: { first: 12 }, headers: DEBUG });
      expect(answer.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(answer.headers.get('etag')).toBeNull();
      expect(answer.headers.get('cache-control') ?? '').not.toContain('private');
      expect(answer.body.extensions?.upstream?.cache).toBeUndefined();
    }
    expect(stack.simulator.requests).toHaveLength(0);
    const after = await cacheMetrics(stack);
    expect([after.hit, after.miss]).toEqual([before.hit, before.miss]);
  });

  it.each([
    ['__schema', `{ __schema { queryType { name } } }`, { __schema: { queryType: { name: 'Query' } } }],
    ['__type', `{ __type(name: "SyncJob") { name kind } }`, { __type: { name: 'SyncJob', kind: 'OBJECT' } }],
  ])('does not cache introspection (%s): no ETag, no private Cache-Control, no cache outcome', async (_label, query, expected) => {
    const token = freshToken('introspection');
    const before = await cacheMetrics(stack);
    for (let round = 1; round <= 2; round += 1) {
      const answer = await post(stack, query, { token, headers: DEBUG });
      expect(answer.status).toBe(200);
      expect(answer.body.data).toEqual(expected);
      expect(answer.headers.get('etag')).toBeNull();
      expect(answer.headers.get('cache-control') ?? '').not.toContain('private');
      expect(answer.body.extensions?.upstream?.cache).toBeUndefined();
    }
    const after = await cacheMetrics(stack);
    expect([after.hit, after.miss]).toEqual([before.hit, before.miss]);
  });

  it('reports the cache in extensions.upstream with X-Debug-Upstream: miss (with its call), then hit (no call)', async () => {
    const token = freshToken('debug');
    const miss = await post(stack, NGINX, { token, variables: { first: 13 }, headers: DEBUG });
    expect(miss.body.extensions.upstream).toMatchObject({ cache: 'miss', calls: 1, requests: [{ repository: 'nginx', status: 200 }] });
    const hit = await post(stack, NGINX, { token, variables: { first: 13 }, headers: DEBUG });
    expect(hit.body.extensions.upstream).toMatchObject({ cache: 'hit', calls: 0, requests: [] });
    expect(hit.body.data).toEqual(miss.body.data);
    expect(callsBy(stack.simulator, token)).toBe(1);
    // The header is not part of the key: without it, the same entry, and no extensions.
    const plain = await post(stack, NGINX, { token, variables: { first: 13 } });
    expect(plain.body).toEqual({ data: miss.body.data });
    expect(callsBy(stack.simulator, token)).toBe(1);
  });

  it('counts hits and misses on /metrics', async () => {
    const token = freshToken('metrics');
    const before = await cacheMetrics(stack);
    expect(before.text).toContain('# TYPE swr_gateway_response_cache_total counter');
    // A miss and three hits for one operation, a miss for another.
    for (let round = 0; round < 4; round += 1) await post(stack, NGINX, { token, variables: { first: 14 } });
    await post(stack, NGINX, { token, variables: { first: 15 } });
    const after = await cacheMetrics(stack);
    expect({ hit: after.hit - before.hit, miss: after.miss - before.miss }).toEqual({ hit: 3, miss: 2 });
    expect(callsBy(stack.simulator, token)).toBe(2);
    expect(after.text).not.toContain(token);
  });

  it('still serves a subscription over SSE, its events not cached, and counted neither hit nor miss', async () => {
    const token = freshToken('live');
    const before = await cacheMetrics(stack);
    const subscribe = async () => {
      const from = callsFor(stack.simulator, 'redis');
      const subscription = await subscribeSse(stack.url, JOB_CHANGES, { variables: { namespace: 'demo', name: 'redis' }, token });
      expect(subscription.status).toBe(200);
      expect(subscription.contentType).toMatch(/^text\/event-stream/);
      await waitForCalls(stack.simulator, 'redis', from, 1);
      return subscription;
    };
    const first = await subscribe();
    const second = await subscribe();
    try {
      const [created] = stack.simulator.createJobs({ namespace: 'demo', repository: 'redis' });
      const expected = {
        data: { syncJobChanged: { kind: 'CREATED', job: { id: String(created!.id), status: 'WAITING', updatedAt: expect.any(String) } } },
      };
      expect((await first.waitForResults(1))[0]).toEqual(expected);
      expect((await second.waitForResults(1))[0]).toEqual(expected);
    } finally {
      first.close();
      second.close();
    }
    await vi.waitFor(() => expect(stack.app.live.subscribers).toBe(0));
    const after = await cacheMetrics(stack);
    expect([after.hit, after.miss]).toEqual([before.hit, before.miss]);
  });

  it('bypasses the cache for queries over WebSocket: each asks SWR, and none is stored for HTTP', async () => {
    const token = freshToken('ws');
    const client = wsClient(stack.url, { 'X-Auth-Token': token });
    try {
      for (let round = 1; round <= 2; round += 1) {
        const operation = wsOperation(client, NGINX, { first: 16 });
        expect(await operation.ended).toBe('complete');
        expect(operation.results[0]?.data?.repository?.syncJobs?.nodes).toHaveLength(16);
        expect(callsBy(stack.simulator, token)).toBe(round);
      }
    } finally {
      await client.dispose();
    }
    const overHttp = await post(stack, NGINX, { token, variables: { first: 16 }, headers: DEBUG });
    expect(overHttp.body.extensions.upstream.cache).toBe('miss');
    expect(callsBy(stack.simulator, token)).toBe(3);
  });
});

describe('response cache TTL', () => {
  const stack = useStack({ env: { RESPONSE_CACHE_TTL_MS: '300' } });

  it('asks SWR again once an answer has expired, and gives the unchanged answer the same ETag', async () => {
    const token = freshToken('ttl');
    const first = await post(stack, NGINX, { token, variables: { first: 2 }, headers: DEBUG });
    expect(first.body.extensions.upstream.cache).toBe('miss');
    // Under a second, max-age rounds down: no client keeps it longer than the gateway does.
    expect(first.headers.get('cache-control')).toBe('private, max-age=0');
    expect(callsBy(stack.simulator, token)).toBe(1);

    const answers: Exchange[] = [];
    await vi.waitFor(
      async () => {
        answers.push(await post(stack, NGINX, { token, variables: { first: 2 }, headers: DEBUG }));
        expect(callsBy(stack.simulator, token)).toBe(2);
      },
      { timeout: 10_000, interval: 20 },
    );
    const refreshed = answers.at(-1)!;
    // Every answer before expiry was a hit without a call; the one after it, a miss with one.
    for (const answer of answers.slice(0, -1)) expect(answer.body.extensions.upstream).toMatchObject({ cache: 'hit', calls: 0 });
    expect(refreshed.body.extensions.upstream).toMatchObject({ cache: 'miss', calls: 1 });
    expect(refreshed.body.data).toEqual(first.body.data);
    expect(refreshed.headers.get('etag')).toBe(first.headers.get('etag'));
  });
});

describe('response cache off (the default)', () => {
  const stack = useStack();

  it('asks SWR for every request and sends no ETag, no private Cache-Control and no cache outcome', async () => {
    for (let round = 1; round <= 2; round += 1) {
      const answer = await post(stack, NGINX, { token: 'token-uncached', variables: { first: 2 }, headers: DEBUG });
      expect(answer.body.data.repository.syncJobs.nodes).toHaveLength(2);
      expect(answer.headers.get('etag')).toBeNull();
      expect(answer.headers.get('cache-control') ?? '').not.toContain('private');
      expect(answer.body.extensions.upstream).not.toHaveProperty('cache');
      expect(callsBy(stack.simulator, 'token-uncached')).toBe(round);
    }
    const { text } = await cacheMetrics(stack);
    expect(text).not.toMatch(/^swr_gateway_response_cache_total\{/m);
  });
});

describe('response cache in Redis', () => {
  let redis: TestRedis;
  let stack: Stack;
  let replica: Stack;
  const env = { TOKEN_HASH_SECRET: SECRET, RESPONSE_CACHE_TTL_MS: String(TTL_MS), SWR_RETRIES: '0' };
  const cacheKeys = () => redis.client.keys('swr-gateway:cache:*');
  const redisUp = async (...stacks: Stack[]) =>
    vi.waitFor(() => expect(stacks.map((one) => one.app.redis?.up)).toEqual(stacks.map(() => true)));

  beforeAll(async () => {
    redis = await startRedis();
    stack = await startStack({ data, env: { ...env, REDIS_URL: redis.url } });
    replica = await startStack({ data, env: { ...env, REDIS_URL: redis.url } });
    await redisUp(stack, replica);
  });
  afterAll(async () => {
    await replica?.close();
    await stack?.close();
    await redis?.stop();
  });
  beforeEach(() => {
    for (const one of [stack, replica]) {
      one.simulator.clearRequests();
      one.simulator.clearFaults();
    }
  });

  it('stores the answer in Redis with the TTL, under a key that holds no token, and serves the repeat from it', async () => {
    const token = freshToken('redis-repeat');
    const keysBefore = await cacheKeys();
    const first = await post(stack, NGINX, { token, variables: { first: 3 } });
    let added: string[] = [];
    await vi.waitFor(async () => {
      added = (await cacheKeys()).filter((key) => !keysBefore.includes(key));
      expect(added).toHaveLength(1);
    });
    const pttl = await redis.client.pttl(added[0]!);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(TTL_MS);
    // The value: the expiry (epoch ms, checked on every read), a newline, the answer's JSON.
    const value = (await redis.client.get(added[0]!))!;
    const newline = value.indexOf('\n');
    expect(Number(value.slice(0, newline))).toBeGreaterThan(Date.now());
    expect(Number(value.slice(0, newline))).toBeLessThanOrEqual(Date.now() + TTL_MS);
    const stored = JSON.parse(value.slice(newline + 1));
    expect(stored.data).toEqual(first.body.data);
    expect(stored.extensions.http.headers.ETag).toBe(first.headers.get('etag'));

    const again = await post(stack, NGINX, { token, variables: { first: 3 }, headers: DEBUG });
    expect(again.body.extensions.upstream).toMatchObject({ cache: 'hit', calls: 0 });
    expect(again.body.data).toEqual(first.body.data);
    expect(again.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(callsBy(stack.simulator, token)).toBe(1);
    expect(await cacheKeys()).toHaveLength(keysBefore.length + 1);
    const dump = JSON.stringify(await redis.dump());
    expect(dump).not.toContain(token);
  });

  it("keeps each caller's answer apart: Bob never gets Alice's, and each has its own ETag", async () => {
    const alice = await post(stack, APP, { token: 'token-alice', variables: { first: 4 } });
    const bob = await post(stack, APP, { token: 'token-bob', variables: { first: 4 } });
    expect([callsBy(stack.simulator, 'token-alice'), callsBy(stack.simulator, 'token-bob')]).toEqual([1, 1]);
    expect(alice.body.data.repository.syncJobs.totalCount).toBe(12);
    expect(bob.body.data.repository.syncJobs.totalCount).toBe(7);
    expect(bob.headers.get('etag')).not.toBe(alice.headers.get('etag'));

    const bobAgain = await post(stack, APP, {
      token: 'token-bob',
      variables: { first: 4 },
      headers: { 'if-none-match': alice.headers.get('etag')! },
    });
    expect(bobAgain.status).toBe(200);
    expect(bobAgain.body.data).toEqual(bob.body.data);
    expect(callsBy(stack.simulator, 'token-bob')).toBe(1);
  });

  it('serves an answer one replica stored from another replica, with the same ETag, and 304 there for that tag', async () => {
    const token = freshToken('replicas');
    const keysBefore = await cacheKeys();
    const first = await post(stack, NGINX, { token, variables: { first: 5 } });
    // The store does not hold up the answer: wait until Redis has it.
    await vi.waitFor(async () => expect(await cacheKeys()).toHaveLength(keysBefore.length + 1));

    const there = await post(replica, NGINX, { token, variables: { first: 5 }, headers: DEBUG });
    expect(there.body.extensions.upstream).toMatchObject({ cache: 'hit', calls: 0 });
    expect(there.body.data).toEqual(first.body.data);
    expect(there.headers.get('etag')).toBe(first.headers.get('etag'));
    const revalidated = await post(replica, NGINX, {
      token,
      variables: { first: 5 },
      headers: { 'if-none-match': first.headers.get('etag')! },
    });
    expect(revalidated.status).toBe(304);
    expect(revalidated.text).toBe('');
    expect(callsBy(stack.simulator, token)).toBe(1);
    expect(callsBy(replica.simulator, token)).toBe(0);
  });

  it('stores no answer with errors', async () => {
    const token = freshToken('redis-error');
    const keysBefore = await cacheKeys();
    const query = `{ repository(namespace: "demo", name: "nope") { syncJobs(first: 1) { totalCount } } }`;
    for (let round = 1; round <= 2; round += 1) {
      const answer = await post(stack, query, { token });
      expect(answer.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect(answer.headers.get('etag')).toBeNull();
      expect(callsBy(stack.simulator, token)).toBe(round);
    }
    expect(await cacheKeys()).toEqual(keysBefore);
  });

  it('drops an answer from Redis at its TTL, and then asks SWR again', async () => {
    const short = await startStack({ env: { ...env, REDIS_URL: redis.url, REDIS_PREFIX: 'ttl-test:', RESPONSE_CACHE_TTL_MS: '300' } });
    try {
      await redisUp(short);
      const token = freshToken('redis-ttl');
      const first = await post(short, NGINX, { token, variables: { first: 2 } });
      let keys: string[] = [];
      await vi.waitFor(async () => {
        keys = await redis.client.keys('ttl-test:cache:*');
        expect(keys).toHaveLength(1);
      });
      expect(await redis.client.pttl(keys[0]!)).toBeLessThanOrEqual(300);
      await vi.waitFor(async () => expect(await redis.client.exists(keys[0]!)).toBe(0), { timeout: 10_000, interval: 20 });

      const after = await post(short, NGINX, { token, variables: { first: 2 }, headers: DEBUG });
      expect(after.body.extensions.upstream).toMatchObject({ cache: 'miss', calls: 1 });
      expect(after.body.data).toEqual(first.body.data);
      expect(callsBy(short.simulator, token)).toBe(2);
    } finally {
      await short.close();
    }
  });

  // Last: it kills the server.
  it('serves without the cache while Redis is down, and caches again once it is back', async () => {
    const token = freshToken('redis-down');
    await redis.kill();
    await vi.waitFor(() => expect(stack.app.redis?.up).toBe(false));
    for (let round = 1; round <= 2; round += 1) {
      const answer = await post(stack, NGINX, { token, variables: { first: 6 }, headers: DEBUG });
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data.repository.syncJobs.nodes).toHaveLength(6);
      expect(answer.body.extensions.upstream.cache).toBe('miss');
      expect(callsBy(stack.simulator, token)).toBe(round);
    }

    await redis.start();
    await redisUp(stack);
    const stored = await post(stack, NGINX, { token, variables: { first: 6 } });
    await vi.waitFor(async () => expect(await cacheKeys()).toHaveLength(1));
    const hit = await post(stack, NGINX, { token, variables: { first: 6 }, headers: DEBUG });
    expect(hit.body.extensions.upstream.cache).toBe('hit');
    expect(hit.body.data).toEqual(stored.body.data);
    expect(callsBy(stack.simulator, token)).toBe(3);
  });
});
