import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSwrSimulator, type FaultRule, type SwrSimulator } from '../../src/simulator/index.js';

const TOKEN = 'demo-token';
const FILTER = `filter=${encodeURIComponent('limit::10|offset::0|order::desc')}`;

let sim: SwrSimulator;
let base: string;

beforeEach(async () => {
  sim = createSwrSimulator();
  base = await sim.listen();
});
afterEach(async () => {
  await sim.close();
});

/** GET demo/{repoSegment} with the standard filter. */
function getJobs(repoSegment = 'nginx', init: RequestInit = {}, namespace = 'demo'): Promise<Response> {
  return fetch(`${base}/v2/manage/namespaces/${namespace}/repos/${repoSegment}/sync_job?${FILTER}`, {
    headers: { 'X-Auth-Token': TOKEN },
    ...init,
  });
}

describe('status faults', () => {
  it.each([
    ['new', { error_code: 'SVCSTG.SWR.5030000', error_msg: 'Service Unavailable' }],
    ['old', { errorCode: 'SVCSTG.SWR.5030000', errorMessage: 'Service Unavailable', detail: 'simulated fault: 503 Service Unavailable' }],
    [
      'old-array',
      [{ errorCode: 'SVCSTG.SWR.5030000', errorMessage: 'Service Unavailable', detail: 'simulated fault: 503 Service Unavailable' }],
    ],
  ] as const)('answers the %s error shape with Retry-After', async (errorShape, body) => {
    sim.addFault({ status: 503, errorShape, retryAfter: '2' });
    const res = await getJobs();
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(res.headers.get('content-range')).toBeNull();
    expect(await res.json()).toEqual(body);
  });

  it('uses the new shape and no Retry-After by default', async () => {
    sim.addFault({ status: 429 });
    const res = await getJobs();
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBeNull();
    expect(await res.json()).toEqual({ error_code: 'SVCSTG.SWR.4290000', error_msg: 'Too Many Requests' });
  });

  it('applies before authentication, as an upstream outage would', async () => {
    sim.addFault({ status: 500 });
    const res = await getJobs('nginx', { headers: {} });
    expect(res.status).toBe(500);
    expect(sim.requests.map((r) => [r.token, r.status])).toEqual([[null, 500]]);
  });
});

describe('body faults', () => {
  it('sends a 200 whose body is not JSON', async () => {
    sim.addFault({ malformedBody: true });
    const res = await getJobs();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const text = await res.text();
    expect(text.length).toBeGreaterThan(0);
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
  });

  it('sends a 200 whose JSON is not an array of jobs', async () => {
    sim.addFault({ wrongShapeBody: true });
    const res = await getJobs();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ jobs: [] });
  });

  it('leaves out Content-Range but keeps the normal jobs', async () => {
    sim.addFault({ noContentRange: true });
    const res = await getJobs();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-range')).toBeNull();
    expect((await res.json()) as unknown[]).toHaveLength(10);
  });
});

describe('timing faults', () => {
  it('delays the normal answer by latencyMs', async () => {
    sim.addFault({ latencyMs: 150 });
    const started = performance.now();
    const res = await getJobs();
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-range')).toBe('0-10/47');
  });

  it('delays and then applies the rule’s other fault', async () => {
    sim.addFault({ latencyMs: 100, status: 502 });
    const started = performance.now();
    const res = await getJobs();
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
    expect(res.status).toBe(502);
  });

  it('hangs until the client gives up, and close() still returns quickly', async () => {
    sim.addFault({ hang: true });
    await expect(getJobs('nginx', { headers: { 'X-Auth-Token': TOKEN }, signal: AbortSignal.timeout(100) })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    expect(sim.requests.map((r) => [r.repository, r.status])).toEqual([['nginx', 0]]);
    // A close that waited for the hanging request would outlast the test.
    await sim.close();
  });

  it('ends a hanging request when closed, failing the client', async () => {
    sim.addFault({ hang: true });
    const pending = getJobs();
    await vi.waitFor(() => expect(sim.inFlight).toBe(1));
    await sim.close();
    await expect(pending).rejects.toThrow(TypeError);
  });

  it('cuts a long latency short when closed', async () => {
    sim.addFault({ latencyMs: 60_000 });
    const pending = getJobs();
    await vi.waitFor(() => expect(sim.inFlight).toBe(1));
    await sim.close();
    await expect(pending).rejects.toThrow(TypeError);
  });

  it('resets the connection so fetch rejects', async () => {
    sim.addFault({ reset: true, times: 1 });
    const error: unknown = await getJobs().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect((error as { cause?: { code?: string } }).cause?.code).toBe('ECONNRESET');
    expect(sim.requests.map((r) => r.status)).toEqual([0]);
    // The next request opens a new connection and is answered normally.
    expect((await getJobs()).status).toBe(200);
  });
});

describe('fault rules', () => {
  it('drops a rule after `times` matching requests', async () => {
    sim.addFault({ status: 500, times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await getJobs()).status);
    expect(statuses).toEqual([500, 500, 200]);
  });

  it.each<[string, FaultRule, Record<string, number>]>([
    ['repository', { repository: 'team/api', status: 502 }, { nginx: 200, team$api: 502, 'team%24api': 502 }],
    ['namespace', { namespace: 'elsewhere', status: 502 }, { nginx: 200, team$api: 200 }],
    ['namespace and repository', { namespace: 'demo', repository: 'redis', status: 502 }, { nginx: 200, redis: 502 }],
  ])('applies a %s rule only to matching requests', async (_case, rule, expected) => {
    sim.addFault(rule);
    const actual: Record<string, number> = {};
    for (const segment of Object.keys(expected)) actual[segment] = (await getJobs(segment)).status;
    expect(actual).toEqual(expected);
  });

  it('uses the first matching rule in insertion order and spends only its times', async () => {
    sim.addFault({ repository: 'redis', status: 503, times: 1 });
    sim.addFault({ status: 500, times: 1 });
    expect((await getJobs('nginx')).status).toBe(500);
    expect((await getJobs('redis')).status).toBe(503);
    expect((await getJobs('redis')).status).toBe(200);
  });

  it('keeps a rule without times until clearFaults()', async () => {
    sim.addFault({ status: 500 });
    expect((await getJobs()).status).toBe(500);
    expect((await getJobs()).status).toBe(500);
    sim.clearFaults();
    expect((await getJobs()).status).toBe(200);
  });

  it.each<[string, unknown]>([
    ['status out of range', { status: 99 }],
    ['times zero', { times: 0 }],
    ['negative latency', { latencyMs: -1 }],
    ['unknown shape', { status: 500, errorShape: 'xml' }],
    ['unknown field', { stauts: 500 }],
    ['string boolean', { hang: 'yes' }],
  ])('refuses a rule with %s', (_case, rule) => {
    expect(() => sim.addFault(rule as FaultRule)).toThrow(TypeError);
  });
});

describe('request recording', () => {
  it('records method, raw path and query, decoded filter, names, token, headers and status', async () => {
    await getJobs('team%24api');
    await fetch(`${base}/v2/manage/namespaces/demo/repos/team$api/sync_job?filter=limit::1|offset::2`, {
      headers: { 'X-Auth-Token': 'other' },
    });
    expect(sim.requests).toEqual([
      {
        method: 'GET',
        path: '/v2/manage/namespaces/demo/repos/team%24api/sync_job',
        rawQuery: 'filter=limit%3A%3A10%7Coffset%3A%3A0%7Corder%3A%3Adesc',
        filter: 'limit::10|offset::0|order::desc',
        namespace: 'demo',
        repository: 'team/api',
        token: TOKEN,
        headers: expect.objectContaining({ 'x-auth-token': TOKEN }),
        status: 200,
        aborted: false,
      },
      {
        method: 'GET',
        path: '/v2/manage/namespaces/demo/repos/team$api/sync_job',
        rawQuery: 'filter=limit::1|offset::2',
        filter: 'limit::1|offset::2',
        namespace: 'demo',
        repository: 'team/api',
        token: 'other',
        headers: expect.objectContaining({ 'x-auth-token': 'other' }),
        status: 200,
        aborted: false,
      },
    ]);
  });

  it('records refused requests with their status, and nothing for other paths', async () => {
    await fetch(`${base}/v2/manage/namespaces/demo/repos/nginx/sync_job`, { headers: { 'X-Auth-Token': TOKEN } });
    await fetch(`${base}/v2/elsewhere`);
    await fetch(`${base}/__simulator/requests`);
    expect(sim.requests.map((r) => [r.filter, r.status])).toEqual([[null, 400]]);
    sim.clearRequests();
    expect(sim.requests).toEqual([]);
  });
});

describe('recording limit', () => {
  it('drops the oldest recordings past maxRecordedRequests, keeping the newest', async () => {
    const capped = createSwrSimulator({ maxRecordedRequests: 4 });
    const url = await capped.listen();
    try {
      for (let offset = 0; offset < 6; offset += 1) {
        await fetch(`${url}/v2/manage/namespaces/demo/repos/redis/sync_job?filter=limit::1|offset::${offset}`, {
          headers: { 'X-Auth-Token': TOKEN },
        });
      }
      // 5 (4 + a quarter) are held; the sixth recording trims back to the newest 4.
      expect(capped.requests.map((r) => r.filter)).toEqual([2, 3, 4, 5].map((o) => `limit::1|offset::${o}`));
    } finally {
      await capped.close();
    }
  });
});

describe('control API', () => {
  /** Calls the control API. */
  function control(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${base}/__simulator/${path}`, init);
  }

  it('adds a fault from a JSON body, lists it and clears it', async () => {
    const added = await control('faults', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ status: 503, times: 1, repository: 'redis' }),
    });
    expect(added.status).toBe(201);
    expect(await added.json()).toEqual([{ status: 503, times: 1, repository: 'redis' }]);
    expect(await (await control('faults')).json()).toEqual([{ status: 503, times: 1, repository: 'redis' }]);
    expect((await getJobs('redis')).status).toBe(503);
    expect(await (await control('faults')).json()).toEqual([]);

    await control('faults', { method: 'POST', body: JSON.stringify({ status: 500 }) });
    const cleared = await control('faults', { method: 'DELETE' });
    expect(cleared.status).toBe(204);
    expect((await getJobs('redis')).status).toBe(200);
  });

  it.each([
    ['not JSON', '{status'],
    ['not an object', '[1]'],
    ['a bad field', '{"latencyMs":"slow"}'],
  ])('refuses a fault body that is %s with 400', async (_case, body) => {
    const res = await control('faults', { method: 'POST', body });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: expect.any(String) });
    expect(await (await control('faults')).json()).toEqual([]);
  });

  it('returns recorded requests without tokens, then clears them', async () => {
    const secret = 'secret-token-1234567890';
    await getJobs('nginx', { headers: { 'X-Auth-Token': secret, Authorization: `Bearer ${secret}` } });
    await getJobs('nginx', { headers: {} });
    const res = await control('requests');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(secret);
    const recorded = JSON.parse(text) as Array<Record<string, unknown>>;
    expect(recorded).toEqual([
      expect.objectContaining({
        namespace: 'demo',
        repository: 'nginx',
        filter: 'limit::10|offset::0|order::desc',
        status: 200,
        tokenPresent: true,
        tokenSha256: createHash('sha256').update(secret).digest('hex').slice(0, 16),
        headers: expect.objectContaining({ 'x-auth-token': '[redacted]', authorization: '[redacted]' }),
      }),
      expect.objectContaining({ status: 401, tokenPresent: false, tokenSha256: null }),
    ]);
    expect(recorded[0]).not.toHaveProperty('token');

    expect((await control('requests', { method: 'DELETE' })).status).toBe(204);
    expect(await (await control('requests')).json()).toEqual([]);
    expect(sim.requests).toEqual([]);
  });

  it.each([
    ['PUT', 'faults', 405],
    ['POST', 'requests', 405],
    ['GET', 'nothing', 404],
  ])('answers %s %s with %i', async (method, path, status) => {
    const res = await control(path, { method });
    expect(res.status).toBe(status);
  });
});
