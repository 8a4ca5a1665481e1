import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTokenHasher } from '../../src/auth/caller.js';
import { createLogger } from '../../src/observability/logger.js';
import { createSharedRedis, type SharedRedis } from '../../src/redis/shared-redis.js';
import { createSwrSimulator, type SwrSimulator } from '../../src/simulator/index.js';
import { createSharedRateBudget } from '../../src/swr/rate-budget.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { startStack, useStack, type GraphQLResponse, type Stack } from '../support/stack.js';

// SWR_RATE_LIMIT (calls per second per caller) in front of the real simulator, and SWR's own
// rate limits (429, API Gateway's APIG.0308) as callers see them. A refusal must cost SWR
// nothing: calls are counted where they arrive, on the simulator. With Redis (a real
// redis-server), replicas share one budget per caller; a replica's clock never decides it,
// so what may pass in a run is bounded by how long the run took, not by a guessed duration.

const LIMIT = 3;
const SECRET = 'rate-budget-test-secret-of-32+chars!';

const NGINX = /* GraphQL */ `
  query Nginx($first: Int) {
    repository(namespace: "demo", name: "nginx") {
      syncJobs(first: $first) {
        totalCount
        nodes {
          id
        }
      }
    }
  }
`;

// The budget's own refusal names its setting; SWR's 429 (below) does not.
const RATE_LIMITED = { code: 'UPSTREAM_RATE_LIMITED', retryable: true, retryAfter: 1, limit: 'SWR_RATE_LIMIT' };

/** The sync_job calls the simulator received with this token. */
const callsBy = (simulator: SwrSimulator, token: string) => simulator.requests.filter((request) => request.token === token).length;

/** `first: 1 … count` at once (distinct operations: none is deduplicated with another), alternating between the stacks. */
function atOnce(stacks: Stack[], token: string, count: number): Promise<GraphQLResponse[]> {
  return Promise.all(
    Array.from({ length: count }, (_, index) => stacks[index % stacks.length]!.query(NGINX, { token, variables: { first: index + 1 } })),
  );
}

/** The `limit::N` of the filters SWR received with this token, sorted. */
const limitsSeen = (simulator: SwrSimulator, token: string) =>
  simulator.requests
    .filter((request) => request.token === token)
    .map((request) => Number(/limit::(\d+)/.exec(request.filter ?? '')?.[1]))
    .sort((a, b) => a - b);

const immediately = () => Promise.resolve();

describe('SWR_RATE_LIMIT in one process', () => {
  const stack = useStack({ env: { SWR_RATE_LIMIT: String(LIMIT) }, inMemory: true });

  it("refuses a caller's 4th query at once with UPSTREAM_RATE_LIMITED and retryAfter, and SWR receives only 3 calls", async () => {
    const answers = await atOnce([stack], 'token-a', LIMIT + 1);
    const served = answers.filter((answer) => answer.errors === undefined);
    const refused = answers.filter((answer) => answer.errors !== undefined);
    expect(served).toHaveLength(LIMIT);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.data).toEqual({ repository: { syncJobs: null } });
    expect(refused[0]!.errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('SWR_RATE_LIMIT'),
        path: ['repository', 'syncJobs'],
        extensions: RATE_LIMITED,
      }),
    ]);
    expect(callsBy(stack.simulator, 'token-a')).toBe(LIMIT);
    // SWR saw exactly the served ones: the refused query's window never left the gateway.
    const servedFirsts = answers.flatMap((answer, index) => (answer.errors === undefined ? [index + 1] : []));
    expect(limitsSeen(stack.simulator, 'token-a')).toEqual(servedFirsts);
    for (const answer of served) expect(answer.data.repository.syncJobs.totalCount).toBe(47);
  });

  it('still serves another caller while one has spent its budget', async () => {
    expect((await atOnce([stack], 'token-spent', LIMIT + 2)).filter((answer) => answer.errors !== undefined)).toHaveLength(2);
    const others = await atOnce([stack], 'token-other', LIMIT);
    expect(others.map((answer) => answer.errors)).toEqual([undefined, undefined, undefined]);
    expect(callsBy(stack.simulator, 'token-other')).toBe(LIMIT);
    expect(callsBy(stack.simulator, 'token-spent')).toBe(LIMIT);
  });

  it('refuses one of four repositories of a single operation, and only that one is not asked', async () => {
    const answer = await stack.query(
      `{
      nginx: repository(namespace: "demo", name: "nginx") { syncJobs(first: 1) { totalCount } }
      redis: repository(namespace: "demo", name: "redis") { syncJobs(first: 1) { totalCount } }
      api: repository(namespace: "demo", name: "team/api") { syncJobs(first: 1) { totalCount } }
      empty: repository(namespace: "demo", name: "empty") { syncJobs(first: 1) { totalCount } }
    }`,
      { token: 'token-one-operation' },
    );
    expect(answer.errors).toHaveLength(1);
    const [alias] = answer.errors![0]!.path!;
    expect(answer.errors![0]!.extensions).toEqual(RATE_LIMITED);
    expect(answer.errors![0]!.path).toEqual([alias, 'syncJobs']);
    expect(answer.data[alias!]).toEqual({ syncJobs: null });
    const repositories = { nginx: 'nginx', redis: 'redis', api: 'team/api', empty: 'empty' } as Record<string, string>;
    const asked = stack.simulator.requests.map((request) => request.repository).sort();
    expect(asked).toEqual(
      Object.entries(repositories)
        .flatMap(([key, name]) => (key === alias ? [] : [name]))
        .sort(),
    );
  });

  it('admits the caller again once the bucket has refilled; refusals on the way spend nothing and call nothing', async () => {
    const answers = await atOnce([stack], 'token-refill', LIMIT + 1);
    const refusedFirst = answers.findIndex((answer) => answer.errors !== undefined) + 1;
    expect(refusedFirst).toBeGreaterThan(0);
    await vi.waitFor(
      async () => {
        const again = await stack.query(NGINX, { token: 'token-refill', variables: { first: refusedFirst } });
        expect(again.errors).toBeUndefined();
      },
      { timeout: 10_000, interval: 20 },
    );
    expect(callsBy(stack.simulator, 'token-refill')).toBe(LIMIT + 1);
  });
});

describe('SWR_RATE_LIMIT and retries', () => {
  // Retries do not wait: the budget, not the backoff, decides what goes out.
  const stack = useStack({ env: { SWR_RATE_LIMIT: '2', SWR_RETRIES: '2' }, inMemory: true, retryWait: immediately });

  it('spends a call on every retry: the try beyond the budget is refused and not sent', async () => {
    stack.simulator.addFault({ status: 503 });
    const answer = await stack.query(NGINX, { token: 'token-retries', variables: { first: 1 } });
    expect(answer.errors).toEqual([expect.objectContaining({ extensions: RATE_LIMITED })]);
    expect(callsBy(stack.simulator, 'token-retries')).toBe(2);
  });

  it('leaves less budget after a retried call: the next query finds it spent', async () => {
    stack.simulator.addFault({ status: 503, times: 1 });
    const retried = await stack.query(NGINX, { token: 'token-retried', variables: { first: 1 } });
    expect(retried.errors).toBeUndefined();
    expect(callsBy(stack.simulator, 'token-retried')).toBe(2);
    const next = await stack.query(NGINX, { token: 'token-retried', variables: { first: 2 } });
    expect(next.errors).toEqual([expect.objectContaining({ extensions: RATE_LIMITED })]);
    expect(callsBy(stack.simulator, 'token-retried')).toBe(2);
  });
});

describe("SWR's own rate limits", () => {
  const stack = useStack({ env: { SWR_RETRIES: '0' }, inMemory: true });

  it.each([
    { retryAfter: '7', seconds: 7 },
    { retryAfter: undefined, seconds: 1 },
    { retryAfter: '0', seconds: 1 },
    { retryAfter: 'soon', seconds: 1 },
  ])('turns a 429 with Retry-After $retryAfter into UPSTREAM_RATE_LIMITED with retryAfter $seconds', async ({ retryAfter, seconds }) => {
    stack.simulator.addFault({ status: 429, times: 1, ...(retryAfter === undefined ? {} : { retryAfter }) });
    const answer = await stack.query(NGINX, { variables: { first: 1 } });
    expect(answer.data).toEqual({ repository: { syncJobs: null } });
    expect(answer.errors).toEqual([
      expect.objectContaining({
        path: ['repository', 'syncJobs'],
        extensions: {
          code: 'UPSTREAM_RATE_LIMITED',
          retryable: true,
          retryAfter: seconds,
          upstream: expect.objectContaining({ status: 429, errorCode: expect.stringMatching(/^SVCSTG\.SWR\.429/) }),
        },
      }),
    ]);
    expect(stack.simulator.requests).toHaveLength(1);
  });
});

/**
 * A stand-in for Huawei's API Gateway in front of the simulator: it forwards every request,
 * except that it throttles the next `times` with its own APIG.0308 answer.
 */
interface ThrottlingFront {
  url: string;
  /** Requests it received (forwarded or not). */
  received: number;
  throttle(status: number, times: number): void;
  close(): Promise<void>;
}

async function startThrottlingFront(target: string): Promise<ThrottlingFront> {
  let status = 429;
  let remaining = 0;
  const server: Server = createServer((req, res) => {
    front.received += 1;
    if (remaining > 0) {
      remaining -= 1;
      const body = JSON.stringify({
        error_code: 'APIG.0308',
        error_msg: 'The request is throttled.',
        request_id: `apig-${front.received}`,
      });
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const forwarded = httpRequest(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  const front: ThrottlingFront = {
    url: '',
    received: 0,
    throttle(nextStatus, times) {
      status = nextStatus;
      remaining = times;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  front.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return front;
}

describe("API Gateway's throttling (APIG.0308)", () => {
  let swr: SwrSimulator;
  let front: ThrottlingFront;
  let stack: Stack;
  let retrying: Stack;
  beforeAll(async () => {
    // The simulator is the SWR behind the front; both gateways go through the front.
    swr = createSwrSimulator();
    front = await startThrottlingFront(await swr.listen(0, '127.0.0.1'));
    stack = await startStack({ endpoint: front.url, env: { SWR_RETRIES: '0' }, inMemory: true });
    retrying = await startStack({ endpoint: front.url, env: { SWR_RETRIES: '2' }, inMemory: true, retryWait: immediately });
  });
  afterAll(async () => {
    await retrying?.close();
    await stack?.close();
    await front?.close();
    await swr?.close();
  });
  beforeEach(() => {
    swr.clearRequests();
    front.throttle(429, 0);
    front.received = 0;
  });

  it.each([429, 403])(
    'turns an APIG.0308 body (HTTP %i) into UPSTREAM_RATE_LIMITED with retryAfter 1, then is served again',
    async (status) => {
      front.throttle(status, 1);
      const throttled = await stack.query(NGINX, { variables: { first: 1 } });
      expect(throttled.data).toEqual({ repository: { syncJobs: null } });
      expect(throttled.errors).toEqual([
        expect.objectContaining({
          extensions: {
            code: 'UPSTREAM_RATE_LIMITED',
            retryable: true,
            retryAfter: 1,
            upstream: expect.objectContaining({ status, errorCode: 'APIG.0308', errorMessage: 'The request is throttled.' }),
          },
        }),
      ]);
      expect([front.received, swr.requests.length]).toEqual([1, 0]);

      const served = await stack.query(NGINX, { variables: { first: 1 } });
      expect(served.errors).toBeUndefined();
      expect(served.data.repository.syncJobs.totalCount).toBe(47);
      expect([front.received, swr.requests.length]).toEqual([2, 1]);
    },
  );

  it('retries an APIG.0308 refusal like a 429', async () => {
    front.throttle(403, 1);
    const answer = await retrying.query(NGINX, { variables: { first: 2 } });
    expect(answer.errors).toBeUndefined();
    expect(answer.data.repository.syncJobs.nodes).toHaveLength(2);
    expect([front.received, swr.requests.length]).toEqual([2, 1]);
  });
});

describe('the shared rate budget in Redis', () => {
  let redis: TestRedis;
  const connections: SharedRedis[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const connection of connections) await connection.close();
    await redis?.stop();
  });

  async function connect(prefix: string): Promise<SharedRedis> {
    const shared = createSharedRedis({ url: redis.url, prefix, logger: createLogger('silent') });
    connections.push(shared);
    await vi.waitFor(() => expect(shared.up).toBe(true));
    return shared;
  }

  it('is one bucket per caller for every replica, kept in Redis under the caller key with an expiry', async () => {
    const [first, second] = [await connect('budget-test:'), await connect('budget-test:')];
    const budgets = [
      createSharedRateBudget(LIMIT, first, createLogger('silent')),
      createSharedRateBudget(LIMIT, second, createLogger('silent')),
    ];
    const started = performance.now();
    const answers: Array<number | null> = [];
    for (let index = 0; index < 8; index += 1) answers.push(await budgets[index % 2]!.take('caller-key'));
    const elapsedSeconds = (performance.now() - started) / 1000;
    const admitted = answers.filter((answer) => answer === null).length;
    expect(admitted).toBeGreaterThanOrEqual(LIMIT);
    expect(admitted).toBeLessThanOrEqual(LIMIT + Math.ceil(elapsedSeconds * LIMIT));
    // The first `limit` are admitted, whichever replica asks; a refusal says how long (at most 1/limit s).
    expect(answers.slice(0, LIMIT)).toEqual([null, null, null]);
    for (const wait of answers.filter((answer) => answer !== null)) {
      expect(Number.isInteger(wait)).toBe(true);
      expect(wait).toBeGreaterThanOrEqual(1);
      expect(wait).toBeLessThanOrEqual(Math.ceil(1000 / LIMIT));
    }
    const bucket = await redis.client.hgetall('budget-test:rate:caller-key');
    expect(Object.keys(bucket).sort()).toEqual(['at', 'tokens']);
    expect(Number(bucket.tokens)).toBeLessThan(1);
    const pttl = await redis.client.pttl('budget-test:rate:caller-key');
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(2000);

    // Another caller's bucket is its own.
    expect([await budgets[0]!.take('other-key'), await budgets[1]!.take('other-key'), await budgets[0]!.take('other-key')]).toEqual([
      null,
      null,
      null,
    ]);
  });

  it("refills at `limit` per second of Redis's clock: each take matches the bucket it found", async () => {
    const shared = await connect('refill-test:');
    const budget = createSharedRateBudget(LIMIT, shared, createLogger('silent'));
    const key = 'refill-test:rate:refill-key';
    const read = async () => {
      const { tokens, at } = await redis.client.hgetall(key);
      return { tokens: Number(tokens), at: Number(at) };
    };
    for (let index = 0; index < LIMIT; index += 1) expect(await budget.take('refill-key')).toBeNull();
    // Take until one is admitted again (refusals spend nothing), recording the bucket after each take.
    const initial = await read();
    const steps: Array<{ wait: number | null; bucket: { tokens: number; at: number } }> = [];
    await vi.waitFor(
      async () => {
        const wait = await budget.take('refill-key');
        steps.push({ wait, bucket: await read() });
        expect(wait).toBeNull();
      },
      { timeout: 10_000, interval: 10 },
    );
    // A refusal writes nothing: the bucket stays as the last spend left it, and each wait counts
    // down to the moment (of Redis's clock) it refills to one call.
    const full = Math.ceil(((1 - initial.tokens) * 1000) / LIMIT);
    const refusals = steps.slice(0, -1);
    for (const { wait, bucket } of refusals) {
      expect(bucket).toEqual(initial);
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(full);
    }
    const waits = refusals.map((step) => step.wait!);
    expect(waits).toEqual([...waits].sort((a, b) => b - a));
    // The admission came once Redis's clock had refilled it, and spent exactly one call.
    const last = steps.at(-1)!;
    expect(last.wait).toBeNull();
    const refilled = Math.min(LIMIT, initial.tokens + ((last.bucket.at - initial.at) * LIMIT) / 1000);
    expect(refilled).toBeGreaterThanOrEqual(1);
    expect(last.bucket.tokens).toBeCloseTo(refilled - 1, 9);
  });
});

describe('SWR_RATE_LIMIT shared by two gateways through Redis', () => {
  let redis: TestRedis;
  let one: Stack;
  let two: Stack;
  const hash = createTokenHasher(SECRET);
  beforeAll(async () => {
    redis = await startRedis();
    const env = { REDIS_URL: redis.url, TOKEN_HASH_SECRET: SECRET, SWR_RATE_LIMIT: String(LIMIT) };
    // Each has its own simulator: what reached SWR is the sum of both.
    one = await startStack({ env, inMemory: true });
    two = await startStack({ env, inMemory: true });
    await vi.waitFor(() => expect([one.app.redis?.up, two.app.redis?.up]).toEqual([true, true]));
  });
  afterAll(async () => {
    await two?.close();
    await one?.close();
    await redis?.stop();
  });
  beforeEach(() => {
    one.simulator.clearRequests();
    two.simulator.clearRequests();
  });
  const callsOnBoth = (token: string) => callsBy(one.simulator, token) + callsBy(two.simulator, token);

  it('holds a caller to one budget across both: SWR calls ≤ limit + what refilled while the run lasted', async () => {
    const started = performance.now();
    const answers = await atOnce([one, two], 'token-shared', 12);
    const elapsedSeconds = (performance.now() - started) / 1000;
    const served = answers.filter((answer) => answer.errors === undefined);
    const refused = answers.filter((answer) => answer.errors !== undefined);
    const calls = callsOnBoth('token-shared');
    // Alone, each would let 3 of its 6 through: 6 calls. Shared, the bound below.
    expect(calls).toBeGreaterThanOrEqual(LIMIT);
    expect(calls).toBeLessThanOrEqual(LIMIT + Math.ceil(elapsedSeconds * LIMIT));
    expect(served).toHaveLength(calls);
    for (const answer of refused) expect(answer.errors).toEqual([expect.objectContaining({ extensions: RATE_LIMITED })]);
    expect(served.length + refused.length).toBe(12);

    // The bucket is in Redis under the keyed hash of the token, never the token.
    const keys = await redis.client.keys('swr-gateway:rate:*');
    expect(keys).toContain(`swr-gateway:rate:${hash('token-shared')}`);
    expect(keys.join()).not.toContain('token-shared');
  });

  it('leaves other callers their own budget on both gateways', async () => {
    await atOnce([one, two], 'token-busy', 8);
    const others = await atOnce([one, two], 'token-idle', LIMIT);
    expect(others.map((answer) => answer.errors)).toEqual([undefined, undefined, undefined]);
    expect(callsOnBoth('token-idle')).toBe(LIMIT);
  });

  // Last: it kills the server.
  it('falls back to a budget of its own on each gateway while Redis is down', async () => {
    await redis.kill();
    await vi.waitFor(() => expect([one.app.redis?.up, two.app.redis?.up]).toEqual([false, false]));
    const onOne = await atOnce([one], 'token-alone', LIMIT + 1);
    const onTwo = await atOnce([two], 'token-alone', LIMIT + 1);
    for (const answers of [onOne, onTwo]) {
      expect(answers.filter((answer) => answer.errors === undefined)).toHaveLength(LIMIT);
      expect(answers.filter((answer) => answer.errors !== undefined).map((answer) => answer.errors![0]!.extensions)).toEqual([
        RATE_LIMITED,
      ]);
    }
    expect([callsBy(one.simulator, 'token-alone'), callsBy(two.simulator, 'token-alone')]).toEqual([LIMIT, LIMIT]);
  });
});
