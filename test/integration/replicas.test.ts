import { createHash, createHmac } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSwrSimulator, createTenantData, type SwrSimulator } from '../../src/simulator/index.js';
import { JOB_CHANGES, subscribeSse, type SseSubscription } from '../support/live.js';
import { startMain, type StartedMain } from '../support/main-process.js';
import { startRedis, type TestRedis } from '../support/redis.js';

// Replicas as operators run them: dist/main.js processes on real ports, one real redis-server,
// one SWR (the simulator) for all. Each caller is a tenant of its own, so that what one is served
// can be told from what another would be.
const TENANTS = ['alice', 'bob', 'carol', 'dave', 'erin'] as const;
const data = {
  tenants: TENANTS.map((name, index) =>
    createTenantData({
      domainId: `${name}-domain`,
      domainName: name,
      tokens: [`token-${name}`],
      namespaces: { shared: { app: 12 + index, other: 3 } },
      idBase: 1000 * (index + 1),
      tagPrefix: `${name}-`,
    }),
  ),
};
const token = (name: (typeof TENANTS)[number]) => `token-${name}`;

const SECRET = 'replica-test-secret-0123456789abcdef';
const RATE_LIMIT = 20;
const TTL_MS = 3000;
const LEASE_MS = 1000;

const children: ChildProcess[] = [];
let simulator: SwrSimulator;
let redis: TestRedis;
let replicas: StartedMain[];

const envFor = (simulatorUrl: string) => ({
  SWR_ENDPOINT: simulatorUrl,
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'info',
  REDIS_URL: redis.url,
  TOKEN_HASH_SECRET: SECRET,
  RESPONSE_CACHE_TTL_MS: String(TTL_MS),
  SWR_RATE_LIMIT: String(RATE_LIMIT),
  WATCH_INTERVAL_MS: '200',
  WATCH_LEASE_MS: String(LEASE_MS),
});

beforeAll(async () => {
  simulator = createSwrSimulator({ data });
  const simulatorUrl = await simulator.listen(0, '127.0.0.1');
  redis = await startRedis();
  replicas = await Promise.all([0, 1, 2].map(() => startMain(envFor(simulatorUrl), children)));
  await vi.waitFor(async () => {
    for (const replica of replicas) expect(await readiness(replica)).toEqual({ status: 'ready', redis: 'up' });
  });
}, 60_000);
afterAll(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await simulator?.close();
  await redis?.stop();
});

const base = (replica: StartedMain) => replica.url.replace(/\/graphql$/, '');

async function readiness(replica: StartedMain): Promise<Record<string, string>> {
  return (await (await fetch(`${base(replica)}/readyz`)).json()) as Record<string, string>;
}

async function metric(replica: StartedMain, name: string): Promise<number> {
  const text = await (await fetch(`${base(replica)}/metrics`)).text();
  const line = text.split('\n').find((entry) => entry.startsWith(`${name} `) || entry.startsWith(`${name}{`));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

interface Answer {
  status: number;
  etag: string | null;
  cacheControl: string | null;
  body: any;
}

async function post(replica: StartedMain, query: string, caller: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(replica.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-auth-token': caller, ...headers },
    body: JSON.stringify({ query }),
  });
  const text = await response.text();
  return {
    status: response.status,
    etag: response.headers.get('etag'),
    cacheControl: response.headers.get('cache-control'),
    body: text === '' ? null : JSON.parse(text),
  };
}

const warnings = (replica: StartedMain) =>
  replica.lines.filter((line) => line.level === 40 && /Redis is unreachable/.test(String(line.msg))).length;
const callsFor = (repository: string) => simulator.requests.filter((request) => request.repository === repository).length;
const page = (repository: string, first: number) =>
  `{ repository(namespace: "shared", name: "${repository}") { syncJobs(first: ${first}) { totalCount nodes { id tag } } } }`;

describe('response cache shared by replicas', () => {
  it("serves a caller's answer from replica A on replica B with no SWR call, and never to another caller", async () => {
    const [a, b] = replicas as [StartedMain, StartedMain];
    const query = page('app', 3);
    const first = await post(a, query, token('alice'), { 'x-debug-upstream': '1' });
    expect(first.body.errors).toBeUndefined();
    expect(first.body.extensions.upstream.cache).toBe('miss');
    const calls = callsFor('app');

    const again = await post(b, query, token('alice'), { 'x-debug-upstream': '1' });
    expect(again.body.data).toEqual(first.body.data);
    expect(again.body.extensions.upstream).toMatchObject({ cache: 'hit', calls: 0 });
    expect(callsFor('app')).toBe(calls);
    expect(again.etag).toBe(first.etag);
    expect(Number(/^private, max-age=(\d+)$/.exec(again.cacheControl ?? '')?.[1])).toBeLessThanOrEqual(TTL_MS / 1000);

    // Bob asks the very same on B: his own SWR call, his own jobs.
    const bob = await post(b, query, token('bob'));
    expect(callsFor('app')).toBe(calls + 1);
    expect(bob.body.data.repository.syncJobs.nodes.every((job: { tag: string }) => job.tag.startsWith('bob-'))).toBe(true);
    expect(first.body.data.repository.syncJobs.nodes.every((job: { tag: string }) => job.tag.startsWith('alice-'))).toBe(true);
    expect(bob.etag).not.toBe(first.etag);
  });

  it('gives a hit on another replica max-age for what is left of the TTL stored in Redis', async () => {
    const [a, b] = replicas as [StartedMain, StartedMain];
    const query = page('app', 6);
    const first = await post(a, query, token('alice'));
    expect(first.cacheControl).toBe(`private, max-age=${TTL_MS / 1000}`);
    // Hits on B until one is a second or more into the TTL (an expired answer is asked again and
    // counts down anew): its max-age is then below the whole TTL.
    await vi.waitFor(
      async () => {
        const hit = await post(b, query, token('alice'), { 'x-debug-upstream': '1' });
        expect(hit.body.extensions.upstream.cache).toBe('hit');
        expect(Number(/^private, max-age=(\d+)$/.exec(hit.cacheControl ?? '')?.[1])).toBeLessThan(TTL_MS / 1000);
      },
      { timeout: 10_000, interval: 100 },
    );
  });

  it('never gives a hit more max-age than the TTL, even from an answer stored by a replica whose clock is ahead', async () => {
    const [a, b] = replicas as [StartedMain, StartedMain];
    const query = page('app', 7);
    const first = await post(a, query, token('carol'));
    expect(first.body.errors).toBeUndefined();
    // Make the stored expiry a minute ahead of this clock, as a replica a minute fast would write it.
    const keys = await redis.client.keys('swr-gateway:cache:*');
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      const stored = (await redis.client.get(key))!;
      const newline = stored.indexOf('\n');
      await redis.client.set(key, `${Number(stored.slice(0, newline)) + 60_000}${stored.slice(newline)}`, 'KEEPTTL');
    }
    const hit = await post(b, query, token('carol'), { 'x-debug-upstream': '1' });
    expect(hit.body.extensions.upstream.cache).toBe('hit');
    expect(Number(/^private, max-age=(\d+)$/.exec(hit.cacheControl ?? '')?.[1])).toBeLessThanOrEqual(TTL_MS / 1000);
  });

  it('answers 304 to the same caller on another replica, and the full answer to another caller with the same ETag', async () => {
    const [a, , c] = replicas as [StartedMain, StartedMain, StartedMain];
    const query = page('app', 4);
    const first = await post(a, query, token('alice'));
    expect(first.etag).toMatch(/^".+"$/);
    const calls = callsFor('app');

    const notModified = await post(c, query, token('alice'), { 'if-none-match': first.etag! });
    expect(notModified.status).toBe(304);
    expect(notModified.body).toBeNull();
    expect(notModified.etag).toBe(first.etag);
    expect(callsFor('app')).toBe(calls);

    const other = await post(c, query, token('bob'), { 'if-none-match': first.etag! });
    expect(other.status).toBe(200);
    expect(other.body.data.repository.syncJobs.nodes[0].tag).toMatch(/^bob-/);
    expect(other.etag).not.toBe(first.etag);
  });

  it('keeps an answer for RESPONSE_CACHE_TTL_MS: then SWR is asked again', async () => {
    const [a, b] = replicas as [StartedMain, StartedMain];
    const query = page('app', 5);
    await post(a, query, token('alice'));
    const keys = await redis.client.keys('swr-gateway:cache:*');
    const ttls = await Promise.all(keys.map((key) => redis.client.pttl(key)));
    expect(ttls.every((ttl) => ttl > 0 && ttl <= TTL_MS)).toBe(true);
    const calls = callsFor('app');
    await vi.waitFor(
      async () => {
        await post(b, query, token('alice'));
        expect(callsFor('app')).toBe(calls + 1);
      },
      { timeout: 4 * TTL_MS, interval: 250 },
    );
  });

  it('never stores an answer with errors', async () => {
    const [a, b] = replicas as [StartedMain, StartedMain];
    const query = `{ repository(namespace: "shared", name: "missing") { syncJobs(first: 2) { totalCount } } }`;
    const first = await post(a, query, token('alice'));
    expect(first.body.errors[0].extensions.code).toBe('NOT_FOUND');
    expect(first.etag).toBeNull();
    const second = await post(b, query, token('alice'));
    expect(second.body.errors[0].extensions.code).toBe('NOT_FOUND');
    expect(callsFor('missing')).toBe(2);
  });
});

describe('per-caller SWR rate budget across replicas', () => {
  it('holds a caller to SWR_RATE_LIMIT calls a second whichever replica serves it, with retryAfter, and leaves others alone', async () => {
    const sent = 3 * RATE_LIMIT;
    const before = callsFor('other');
    const startedAt = performance.now();
    const answers = await Promise.all(
      Array.from({ length: sent }, (_, index) => post(replicas[index % 2]!, page('other', index + 1), token('carol'))),
    );
    const elapsedSeconds = (performance.now() - startedAt) / 1000;
    const calls = callsFor('other') - before;
    const refused = answers.filter((answer) => answer.body.errors?.[0]?.extensions.code === 'UPSTREAM_RATE_LIMITED');
    const served = answers.filter((answer) => answer.body.errors === undefined);
    // Every answer is one or the other, and only the served ones reached SWR.
    expect(refused.length + served.length).toBe(sent);
    expect(calls).toBe(served.length);
    // The bucket (RATE_LIMIT calls, refilled at RATE_LIMIT a second) is one for both replicas.
    expect(calls).toBeLessThanOrEqual(RATE_LIMIT + Math.ceil(elapsedSeconds * RATE_LIMIT));
    expect(refused.length).toBeGreaterThan(0);
    for (const answer of refused) {
      expect(answer.body.errors[0].extensions).toMatchObject({ retryable: true });
      expect(answer.body.errors[0].extensions.retryAfter).toBeGreaterThanOrEqual(1);
    }
    // Another caller, right now, on either replica.
    const erin = await post(replicas[1]!, page('other', 1), token('erin'));
    expect(erin.body.errors).toBeUndefined();
  });
});

describe('shared watches', () => {
  let subscriptions: SseSubscription[] = [];
  afterAll(() => {
    for (const subscription of subscriptions) subscription.close();
  });

  it(
    'one replica polls SWR for a caller and repository; every replica delivers; a SIGKILLed poller is taken over without losing a change',
    { timeout: 60_000 },
    async () => {
      const [a, b] = replicas as [StartedMain, StartedMain];
      const variables = { namespace: 'shared', name: 'app' };
      subscriptions = await Promise.all(
        [a, b].map((replica) => subscribeSse(replica.url, JOB_CHANGES, { variables, token: token('dave') })),
      );
      const polls = async () => Promise.all([a, b].map((replica) => metric(replica, 'swr_gateway_live_polls_total')));
      await vi.waitFor(async () => expect((await polls()).some((count) => count >= 2)).toBe(true), { timeout: 10_000 });

      const [created] = simulator.createJobs({ namespace: 'shared', repository: 'app', tenant: 'dave' });
      for (const subscription of subscriptions) {
        const [event] = await subscription.waitForResults(1, 10_000);
        expect(event!.data.syncJobChanged).toMatchObject({ kind: 'CREATED', job: { id: String(created!.id) } });
      }
      // Exactly one of them polls; the other has never called SWR for it.
      const counts = await polls();
      expect(counts.filter((count) => count === 0)).toHaveLength(1);
      const holder = counts[0]! > 0 ? 0 : 1;
      const survivor = 1 - holder;
      const holderProcess = [a, b][holder]!;

      holderProcess.child.kill('SIGKILL');
      await new Promise((resolve) => holderProcess.child.once('exit', resolve));
      // A change while nobody polls: the replica that takes over starts from the state in Redis.
      const [during] = simulator.createJobs({ namespace: 'shared', repository: 'app', tenant: 'dave' });
      const results = await subscriptions[survivor]!.waitForResults(2, 10 * LEASE_MS);
      expect(results.map((result) => result.data.syncJobChanged.job.id)).toEqual([String(created!.id), String(during!.id)]);
      expect(results[1]!.data.syncJobChanged.kind).toBe('CREATED');
      expect(await metric([a, b][survivor]!, 'swr_gateway_live_polls_total')).toBeGreaterThan(0);
      replicas = replicas.filter((replica) => replica !== holderProcess);
    },
  );

  it("ends the streams on every replica with the polling replica's NOT_FOUND", async () => {
    const variables = { namespace: 'shared', name: 'unknown' };
    const streams = await Promise.all(
      replicas.map((replica) => subscribeSse(replica.url, JOB_CHANGES, { variables, token: token('dave') })),
    );
    try {
      for (const stream of streams) {
        expect(await stream.ended).toBe('complete');
        expect(stream.results.at(-1)!.errors![0]!.extensions!.code).toBe('NOT_FOUND');
      }
      // The replica holding the lease asked SWR; the others heard of it through Redis (or asked
      // themselves, had one taken the lease after the first had failed).
      expect(callsFor('unknown')).toBeGreaterThanOrEqual(1);
      expect(callsFor('unknown')).toBeLessThanOrEqual(replicas.length);
    } finally {
      for (const stream of streams) stream.close();
    }
  });
});

describe('what Redis holds', () => {
  it('holds no token: neither in a key nor in a value, nor a bare hash of one', async () => {
    // Something of each kind, now: a watch, a cached answer, a rate bucket.
    const watching = await subscribeSse(replicas[0]!.url, JOB_CHANGES, {
      variables: { namespace: 'shared', name: 'app' },
      token: token('alice'),
    });
    try {
      await vi.waitFor(async () => expect(await redis.client.keys('swr-gateway:watch:*:state')).not.toHaveLength(0), { timeout: 10_000 });
      expect((await post(replicas[1]!, page('app', 9), token('carol'))).body.errors).toBeUndefined();
      await checkNoToken();
    } finally {
      watching.close();
    }
  });
});

async function checkNoToken(): Promise<void> {
  const entries = await redis.dump();
  expect(entries.some((entry) => entry.key.includes(':cache:'))).toBe(true);
  expect(entries.some((entry) => entry.key.includes(':rate:'))).toBe(true);
  expect(entries.some((entry) => entry.key.includes(':watch:'))).toBe(true);
  const text = JSON.stringify(entries);
  for (const name of TENANTS) {
    const secret = token(name);
    for (const form of [
      secret,
      Buffer.from(secret).toString('base64'),
      createHash('sha256').update(secret).digest('hex'),
      createHash('sha256').update(secret).digest('base64url'),
    ]) {
      expect(text).not.toContain(form);
    }
  }
  // What keys hold is the keyed hash: only a holder of TOKEN_HASH_SECRET can tell whose it is.
  const keyed = createHmac('sha256', SECRET).update(token('carol')).digest('base64url');
  expect(entries.some((entry) => entry.key === `swr-gateway:rate:${keyed}`)).toBe(true);
}

describe('Redis going away', () => {
  it('keeps every replica answering and delivering, warns once, reports it, and shares again when Redis is back', async () => {
    const [a, b] = replicas as [StartedMain, StartedMain];
    const variables = { namespace: 'shared', name: 'other' };
    const live = await Promise.all([a, b].map((replica) => subscribeSse(replica.url, JOB_CHANGES, { variables, token: token('erin') })));
    try {
      await vi.waitFor(async () => expect(await redis.client.keys('swr-gateway:watch:*:lease')).not.toHaveLength(0));
      await redis.kill();
      await vi.waitFor(async () => {
        for (const replica of [a, b]) expect(await readiness(replica)).toEqual({ status: 'ready', redis: 'down' });
      });
      expect(await metric(a, 'swr_gateway_redis_up')).toBe(0);

      for (let round = 0; round < 3; round += 1) {
        for (const replica of [a, b]) {
          const answer = await post(replica, page('app', 6 + round), token('alice'));
          expect(answer.status).toBe(200);
          expect(answer.body.errors).toBeUndefined();
        }
      }
      // Each replica watches for its own subscribers meanwhile: a change reaches both.
      const [whileDown] = simulator.createJobs({ namespace: 'shared', repository: 'other', tenant: 'erin' });
      for (const subscription of live) {
        const [event] = await subscription.waitForResults(1, 10_000);
        expect(event!.data.syncJobChanged.job.id).toBe(String(whileDown!.id));
      }
      expect([warnings(a), warnings(b)]).toEqual([1, 1]);

      await redis.start();
      await vi.waitFor(
        async () => {
          for (const replica of [a, b]) expect(await readiness(replica)).toEqual({ status: 'ready', redis: 'up' });
        },
        { timeout: 15_000 },
      );
      expect(await metric(b, 'swr_gateway_redis_up')).toBe(1);
      // Sharing again: the cache serves B what A fetched, and a change reaches each subscriber once.
      const query = page('app', 11);
      await post(a, query, token('alice'));
      const calls = callsFor('app');
      expect((await post(b, query, token('alice'), { 'x-debug-upstream': '1' })).body.extensions.upstream.cache).toBe('hit');
      expect(callsFor('app')).toBe(calls);
      await vi.waitFor(async () => expect(await redis.client.keys('swr-gateway:watch:*:lease')).not.toHaveLength(0), { timeout: 10_000 });
      const [afterwards] = simulator.createJobs({ namespace: 'shared', repository: 'other', tenant: 'erin' });
      for (const subscription of live) {
        const results = await subscription.waitForResults(2, 10_000);
        expect(results.map((result) => result.data.syncJobChanged.job.id)).toEqual([String(whileDown!.id), String(afterwards!.id)]);
      }
    } finally {
      for (const subscription of live) subscription.close();
    }
  }, 60_000);

  it('treats a hung Redis (SIGSTOP) as gone: replicas answer, warn once each, deliver every change, share again on SIGCONT', async () => {
    const [a, b] = replicas as [StartedMain, StartedMain];
    const variables = { namespace: 'shared', name: 'other' };
    const live = await Promise.all([a, b].map((replica) => subscribeSse(replica.url, JOB_CHANGES, { variables, token: token('bob') })));
    try {
      await vi.waitFor(async () => expect(await redis.client.keys('swr-gateway:watch:*:lease')).not.toHaveLength(0), { timeout: 10_000 });
      const before = [warnings(a), warnings(b)];
      redis.pause();
      try {
        for (const replica of [a, b]) {
          const answer = await post(replica, page('app', 13), token('bob'));
          expect(answer.status).toBe(200);
          expect(answer.body.errors).toBeUndefined();
        }
        await vi.waitFor(async () => {
          for (const replica of [a, b]) expect(await readiness(replica)).toEqual({ status: 'ready', redis: 'down' });
        });
        // Each replica polls for its own subscribers while Redis hangs: a change reaches both.
        const [during] = simulator.createJobs({ namespace: 'shared', repository: 'other', tenant: 'bob' });
        for (const subscription of live) {
          await vi.waitFor(
            () => expect(subscription.results.map((result) => result.data?.syncJobChanged.job.id)).toContain(String(during!.id)),
            {
              timeout: 10_000,
            },
          );
        }
        expect([warnings(a) - before[0]!, warnings(b) - before[1]!]).toEqual([1, 1]);
      } finally {
        redis.resume();
      }
      await vi.waitFor(
        async () => {
          for (const replica of [a, b]) expect(await readiness(replica)).toEqual({ status: 'ready', redis: 'up' });
        },
        { timeout: 15_000 },
      );
      const [after] = simulator.createJobs({ namespace: 'shared', repository: 'other', tenant: 'bob' });
      for (const subscription of live) {
        await vi.waitFor(
          () => expect(subscription.results.map((result) => result.data?.syncJobChanged.job.id)).toContain(String(after!.id)),
          {
            timeout: 10_000,
          },
        );
        // Each change once, though two replicas polled during the hang and one after it.
        const changes = subscription.results.map((result) => `${result.data?.syncJobChanged.kind} ${result.data?.syncJobChanged.job.id}`);
        expect(new Set(changes).size).toBe(changes.length);
      }
    } finally {
      for (const subscription of live) subscription.close();
    }
  }, 60_000);
});
