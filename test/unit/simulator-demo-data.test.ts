import { describe, expect, it } from 'vitest';
import { createDemoData, createTenantData, SYNC_JOB_STATUSES } from '../../src/simulator/demo-data.js';
import type { SwrSyncJob } from '../../src/swr/types.js';

const SWR_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

/** All jobs of a tenant's organization, flattened. */
function allJobs(namespaces: Record<string, Record<string, SwrSyncJob[]>>): SwrSyncJob[] {
  return Object.values(namespaces).flatMap((repos) => Object.values(repos).flat());
}

describe('createDemoData', () => {
  const data = createDemoData();
  const tenant = data.tenants[0];
  const demo = tenant?.namespaces['demo'] ?? {};

  it('has one tenant that accepts any token', () => {
    expect(data.tenants).toHaveLength(1);
    expect(tenant).toMatchObject({ domainId: '0657a1b2c3d4e5f60718293a4b5c6f60', domainName: 'demo-tenant' });
    expect(tenant?.tokens).toBeUndefined();
  });

  it('serves nginx 47, redis 12, team/api 8, empty 0 and webapp 6 jobs in organization demo', () => {
    expect(Object.keys(tenant?.namespaces ?? {})).toEqual(['demo']);
    expect(Object.fromEntries(Object.entries(demo).map(([name, jobs]) => [name, jobs.length]))).toEqual({
      nginx: 47,
      redis: 12,
      'team/api': 8,
      empty: 0,
      webapp: 6,
    });
  });

  it('covers all seven statuses in nginx', () => {
    expect(new Set(demo['nginx']?.map((job) => job.status))).toEqual(new Set(SYNC_JOB_STATUSES));
  });

  it('is deterministic', () => {
    expect(createDemoData()).toEqual(data);
  });

  it('gives unique 32-bit ids across repositories', () => {
    const ids = allJobs(tenant?.namespaces ?? {}).map((job) => job.id);
    expect(new Set(ids).size).toBe(73);
    for (const id of ids) expect(Number.isInteger(id) && id > 0 && id <= 2 ** 31 - 1).toBe(true);
  });

  it.each(['nginx', 'redis', 'team/api'])('keeps %s jobs consistent and strictly increasing in time', (repo) => {
    const jobs = demo[repo] ?? [];
    for (const [index, job] of jobs.entries()) {
      expect(job.createdAt).toMatch(SWR_TIME);
      expect(job.updatedAt).toMatch(SWR_TIME);
      expect(job.updatedAt > job.createdAt).toBe(true);
      expect(job).toMatchObject({ namespace: 'demo', repoName: repo, remoteNamespace: 'demo-mirror', tag: `1.25.${index}` });
      const previous = jobs[index - 1];
      if (previous) expect(job.createdAt > previous.createdAt).toBe(true);
    }
    expect(jobs.slice(0, 3).map((job) => [job.remoteRegionId, job.override])).toEqual([
      ['cn-north-4', false],
      ['ap-southeast-1', true],
      ['cn-east-3', false],
    ]);
  });

  it('renders the first nginx job exactly', () => {
    expect(demo['nginx']?.[0]).toEqual({
      id: 100001,
      status: 'waiting',
      tag: '1.25.0',
      namespace: 'demo',
      repoName: 'nginx',
      remoteRegionId: 'cn-north-4',
      remoteNamespace: 'demo-mirror',
      override: false,
      domainID: '0657a1b2c3d4e5f60718293a4b5c6f60',
      domainName: 'demo-tenant',
      syncOperatorId: '0657f1e2d3c4b5a69788796a5b4c3d21',
      syncOperatorName: 'demo-operator',
      createdAt: '2024-01-02T03:04:05.123456Z',
      updatedAt: '2024-01-02T03:04:08.868513Z',
    });
  });
});

describe('createTenantData', () => {
  it('builds tenants with their own tokens and disjoint ids', () => {
    const alice = createTenantData({
      domainId: 'a',
      domainName: 'alice',
      tokens: ['ta'],
      namespaces: { o: { r: 2, 's/t': 1 } },
      idBase: 1000,
      tagPrefix: 'v',
    });
    const bob = createTenantData({ domainId: 'b', domainName: 'bob', tokens: ['tb'], namespaces: { o: { r: 2 } }, idBase: 2000 });
    expect(alice.tokens).toEqual(['ta']);
    expect(allJobs(alice.namespaces).map((job) => [job.id, job.repoName, job.tag, job.domainName])).toEqual([
      [1000, 'r', 'v0', 'alice'],
      [1001, 'r', 'v1', 'alice'],
      [1002, 's/t', 'v0', 'alice'],
    ]);
    expect(allJobs(bob.namespaces).map((job) => job.id)).toEqual([2000, 2001]);
  });

  it.each([
    ['ids past 32 bits', { idBase: 2 ** 31 - 1, namespaces: { o: { r: 2 } } }],
    ['a negative count', { idBase: 1, namespaces: { o: { r: -1 } } }],
    ['a zero idBase', { idBase: 0, namespaces: { o: { r: 1 } } }],
  ])('refuses %s', (_case, opts) => {
    expect(() => createTenantData({ domainId: 'd', domainName: 'n', ...opts })).toThrow(RangeError);
  });
});
