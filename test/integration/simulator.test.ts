import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoData, createSwrSimulator, createTenantData, type SwrSimulator } from '../../src/simulator/index.js';
import type { SwrSyncJob } from '../../src/swr/types.js';

// Fixtures: one simulator with the demo tenant first, then two fixed-token tenants.
const ALICE = createTenantData({
  domainId: 'a11ce000000000000000000000000001',
  domainName: 'alice',
  tokens: ['alice-token'],
  namespaces: { shop: { web: 3 } },
  idBase: 500001,
});
const BOB = createTenantData({
  domainId: 'b0b00000000000000000000000000002',
  domainName: 'bob',
  tokens: ['bob-token'],
  namespaces: { shop: { web: 2, 'tools/ci': 1 } },
  idBase: 600001,
});
const TOKEN = 'demo-token';

let sim: SwrSimulator;
let base: string;

beforeAll(async () => {
  sim = createSwrSimulator();
  base = await sim.listen();
});
afterAll(async () => {
  await sim.close();
});

/** GET a sync_job URL with a raw query string and an optional token. */
function getJobs(namespace: string, repoSegment: string, query: string, token: string | null = TOKEN): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token !== null) headers['X-Auth-Token'] = token;
  const q = query === '' ? '' : `?${query}`;
  return fetch(`${base}/v2/manage/namespaces/${namespace}/repos/${repoSegment}/sync_job${q}`, { headers });
}

/** The filter as SWR's SDKs send it. */
function encoded(filter: string): string {
  return `filter=${encodeURIComponent(filter)}`;
}

describe('listening', () => {
  it('resolves listen() to the loopback URL that url reports', () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.url).toBe(base);
  });

  it('throws from url once closed and can listen again', async () => {
    const other = createSwrSimulator();
    expect(() => other.url).toThrow(/not listening/);
    const first = await other.listen();
    await other.close();
    expect(() => other.url).toThrow(/not listening/);
    const second = await other.listen();
    expect(
      (
        await fetch(`${second}/v2/manage/namespaces/demo/repos/redis/sync_job?${encoded('limit::1|offset::0')}`, {
          headers: { 'X-Auth-Token': 't' },
        })
      ).status,
    ).toBe(200);
    await other.close();
    expect(first).toMatch(/^http:/);
  });
});

describe('filter encoding', () => {
  it.each([
    ['encoded', encoded('limit::10|offset::5|order::asc')],
    ['raw', 'filter=limit::10|offset::5|order::asc'],
    ['mixed', 'filter=limit%3A%3A10|offset::5%7Corder%3a%3aasc'],
  ])('answers the %s form exactly like the others', async (_form, query) => {
    const reference = await getJobs('demo', 'nginx', encoded('limit::10|offset::5|order::asc'));
    const res = await getJobs('demo', 'nginx', query);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-range')).toBe('5-10/47');
    expect(await res.json()).toEqual(await reference.json());
  });
});

describe('paging', () => {
  it.each([
    ['limit::10|offset::0', '0-10/47', 10],
    ['limit::10|offset::40', '40-7/47', 7],
    ['limit::10|offset::100', '100-0/47', 0],
    ['limit::0|offset::0', '0-0/47', 0],
    ['limit::47|offset::0|order::asc', '0-47/47', 47],
  ])('answers %s with Content-Range %s and %i jobs', async (filter, range, count) => {
    const res = await getJobs('demo', 'nginx', encoded(filter));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('content-range')).toBe(range);
    const body = (await res.json()) as SwrSyncJob[];
    expect(Array.isArray(body)).toBe(true);
    expect(body).toHaveLength(count);
  });

  it('sorts desc by default, newest first', async () => {
    const jobs = (await (await getJobs('demo', 'nginx', encoded('limit::47|offset::0'))).json()) as SwrSyncJob[];
    const times = jobs.map((job) => job.createdAt);
    expect(times).toEqual([...times].sort().reverse());
    // Job 46 (the 47th): 46 hours and 46 × 1111 µs after 2024-01-02T03:04:05.123456Z.
    expect(times[0]).toBe('2024-01-04T01:04:05.174562Z');
    expect(jobs[0]?.id).toBe(100047);
  });

  it('gives asc as the exact reverse of desc over the whole list', async () => {
    const asc = (await (await getJobs('demo', 'nginx', encoded('limit::100|offset::0|order::asc'))).json()) as SwrSyncJob[];
    const desc = (await (await getJobs('demo', 'nginx', encoded('limit::100|offset::0|order::desc'))).json()) as SwrSyncJob[];
    expect(asc).toHaveLength(47);
    expect(asc.map((job) => job.id)).toEqual(desc.map((job) => job.id).reverse());
  });

  it('pages through desc without gaps or repeats', async () => {
    const seen: number[] = [];
    for (let offset = 0; offset < 47; offset += 20) {
      const page = (await (await getJobs('demo', 'nginx', encoded(`limit::20|offset::${offset}`))).json()) as SwrSyncJob[];
      seen.push(...page.map((job) => job.id));
    }
    const all = (await (await getJobs('demo', 'nginx', encoded('limit::47|offset::0'))).json()) as SwrSyncJob[];
    expect(seen).toEqual(all.map((job) => job.id));
  });

  it('answers an empty repository with [] and 0-0/0', async () => {
    const res = await getJobs('demo', 'empty', encoded('limit::10|offset::0'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-range')).toBe('0-0/0');
    expect(await res.json()).toEqual([]);
  });
});

describe('demo data over HTTP', () => {
  it('has every status SWR documents in nginx', async () => {
    const jobs = (await (await getJobs('demo', 'nginx', encoded('limit::47|offset::0'))).json()) as SwrSyncJob[];
    expect(new Set(jobs.map((job) => job.status))).toEqual(
      new Set(['waiting', 'running', 'success', 'failed', 'timeout', 'cancel', 'existed']),
    );
  });

  it.each([['team$api'], ['team%24api'], ['team%2fapi']])('serves team/api when the segment is %s', async (segment) => {
    const res = await getJobs('demo', segment, 'filter=limit::3|offset::0|order::asc');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-range')).toBe('0-3/8');
    const jobs = (await res.json()) as SwrSyncJob[];
    expect(jobs.map((job) => job.repoName)).toEqual(['team/api', 'team/api', 'team/api']);
    expect(jobs[0]).toMatchObject({ namespace: 'demo', tag: '1.25.0', domainID: '0657a1b2c3d4e5f60718293a4b5c6f60' });
  });

  it('accepts a 32 KiB token, as long as IAM tokens get', async () => {
    const res = await getJobs('demo', 'redis', encoded('limit::1|offset::0'), 'x'.repeat(32 * 1024));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-range')).toBe('0-1/12');
  });
});

describe('errors', () => {
  it.each([
    ['missing', ''],
    ['empty', 'filter='],
    ['no limit', encoded('offset::0|order::asc')],
    ['no offset', encoded('limit::10')],
    ['negative limit', encoded('limit::-1|offset::0')],
    ['negative offset', encoded('limit::1|offset::-5')],
    ['non-digit limit', encoded('limit::ten|offset::0')],
    ['fractional offset', encoded('limit::1|offset::1.5')],
    ['bad order', encoded('limit::1|offset::0|order::up')],
    ['unknown key', encoded('limit::1|offset::0|sort::asc')],
    ['duplicate key', encoded('limit::1|offset::0|limit::2')],
    ['empty term', encoded('limit::1||offset::0')],
    ['term without ::', encoded('limit:1|offset::0')],
    ['two filter parameters', `${encoded('limit::1|offset::0')}&${encoded('limit::1|offset::0')}`],
  ])('answers 400 for a %s filter', async (_case, query) => {
    const res = await getJobs('demo', 'nginx', query);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-range')).toBeNull();
    expect(await res.json()).toEqual({ error_code: 'SVCSTG.SWR.4000001', error_msg: expect.stringMatching(/^Invalid filter: /) });
  });

  it.each([
    ['nginx', 'demo-unknown', 'SVCSTG.SWR.4040001', 'Namespace demo-unknown not found'],
    ['nope', 'demo', 'SVCSTG.SWR.4040002', 'Repository demo/nope not found'],
    ['constructor', 'demo', 'SVCSTG.SWR.4040002', 'Repository demo/constructor not found'],
  ])('answers 404 for repository %s in organization %s', async (repo, namespace, code, message) => {
    const res = await getJobs(namespace, repo, encoded('limit::1|offset::0'));
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error_code: code, error_msg: message });
  });

  it('answers 404 with an SWR body for other paths', async () => {
    const res = await fetch(`${base}/v2/manage/namespaces/demo/repos`, { headers: { 'X-Auth-Token': TOKEN } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error_code: 'SVCSTG.SWR.4040000' });
  });

  it('answers 405 to a POST on the route', async () => {
    const res = await fetch(`${base}/v2/manage/namespaces/demo/repos/nginx/sync_job?${encoded('limit::1|offset::0')}`, {
      method: 'POST',
      headers: { 'X-Auth-Token': TOKEN },
      body: '{}',
    });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
    expect(await res.json()).toMatchObject({ error_code: 'SVCSTG.SWR.4050000' });
  });

  it('answers 400 to a path segment with broken percent-encoding', async () => {
    const res = await getJobs('demo', 'team%zzapi', encoded('limit::1|offset::0'));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error_code: 'SVCSTG.SWR.4000002' });
  });

  it('answers 401 without a token even in demo mode', async () => {
    const res = await getJobs('demo', 'nginx', encoded('limit::1|offset::0'), null);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error_code: 'SVCSTG.SWR.4010000' });
  });

  it('answers 401 to an empty token', async () => {
    const res = await getJobs('demo', 'nginx', encoded('limit::1|offset::0'), '');
    expect(res.status).toBe(401);
  });

  it('puts a fresh X-Request-Id on every answer, errors included', async () => {
    const answers = await Promise.all([
      getJobs('demo', 'nginx', encoded('limit::1|offset::0')),
      getJobs('demo', 'nginx', ''),
      getJobs('demo', 'nginx', encoded('limit::1|offset::0'), null),
      getJobs('demo', 'nope', encoded('limit::1|offset::0')),
      fetch(`${base}/elsewhere`),
      fetch(`${base}/__simulator/faults`),
    ]);
    const ids = answers.map((res) => res.headers.get('x-request-id'));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('tenants', () => {
  let tenants: SwrSimulator;
  let tenantsUrl: string;
  beforeAll(async () => {
    tenants = createSwrSimulator({ data: { tenants: [ALICE, BOB] } });
    tenantsUrl = await tenants.listen();
  });
  afterAll(async () => {
    await tenants.close();
  });

  /** GET shop/{repo} on the two-tenant simulator. */
  async function shop(repo: string, token: string | null): Promise<Response> {
    return fetch(`${tenantsUrl}/v2/manage/namespaces/shop/repos/${repo}/sync_job?${encoded('limit::10|offset::0|order::asc')}`, {
      headers: token === null ? {} : { 'X-Auth-Token': token },
    });
  }

  it.each([
    ['missing', null, 'SVCSTG.SWR.4010000'],
    ['unknown', 'mallory-token', 'SVCSTG.SWR.4010001'],
  ])('answers 401 to a %s token', async (_case, token, code) => {
    const res = await shop('web', token);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error_code: code });
  });

  it('serves each tenant its own jobs for the same repository', async () => {
    const alice = (await (await shop('web', 'alice-token')).json()) as SwrSyncJob[];
    const bob = (await (await shop('web', 'bob-token')).json()) as SwrSyncJob[];
    expect(alice.map((job) => job.id)).toEqual([500001, 500002, 500003]);
    expect(bob.map((job) => job.id)).toEqual([600001, 600002]);
    expect(new Set(alice.map((job) => job.domainName))).toEqual(new Set(['alice']));
  });

  it('answers 404 to a repository only the other tenant has', async () => {
    expect((await shop('tools$ci', 'bob-token')).status).toBe(200);
    expect((await shop('tools$ci', 'alice-token')).status).toBe(404);
  });

  it('serves replaced data after setData', async () => {
    tenants.setData(createDemoData());
    try {
      expect((await shop('web', 'alice-token')).status).toBe(404);
    } finally {
      tenants.setData({ tenants: [ALICE, BOB] });
    }
    expect((await shop('web', 'alice-token')).status).toBe(200);
  });
});
