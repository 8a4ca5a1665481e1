import { describe, expect, it } from 'vitest';
import { createFaultList } from '../../src/simulator/faults.js';
import { redactRecordedRequest } from '../../src/simulator/recorded-request.js';
import { syncJobPathFromUrlPath } from '../../src/simulator/sync-job-path.js';
import { contentRangeFromWindow, windowFromJobs } from '../../src/simulator/sync-job-window.js';
import type { SwrSyncJob } from '../../src/swr/types.js';

/** A job with only the fields ordering looks at set meaningfully. */
function job(id: number, createdAt: string): SwrSyncJob {
  return {
    id,
    createdAt,
    updatedAt: createdAt,
    status: 'success',
    tag: 't',
    namespace: 'n',
    repoName: 'r',
    remoteRegionId: 'x',
    remoteNamespace: 'y',
    override: false,
    domainID: 'd',
    domainName: 'd',
    syncOperatorId: 'o',
    syncOperatorName: 'o',
  };
}

describe('syncJobPathFromUrlPath', () => {
  it.each([
    ['/v2/manage/namespaces/demo/repos/nginx/sync_job', { kind: 'sync-job', namespace: 'demo', repository: 'nginx' }],
    ['/v2/manage/namespaces/demo/repos/a$b$c/sync_job', { kind: 'sync-job', namespace: 'demo', repository: 'a/b/c' }],
    ['/v2/manage/namespaces/de%6Do/repos/team%24api/sync_job', { kind: 'sync-job', namespace: 'demo', repository: 'team/api' }],
    ['/v2/manage/namespaces/demo/repos/bad%e/sync_job', { kind: 'undecodable' }],
    ['/v2/manage/namespaces/demo/repos/team/api/sync_job', { kind: 'not-sync-job' }],
    ['/v2/manage/namespaces/demo/repos/nginx/sync_job/', { kind: 'not-sync-job' }],
    ['/v2/manage/namespaces/demo/repos/nginx', { kind: 'not-sync-job' }],
  ])('reads %s', (path, expected) => {
    expect(syncJobPathFromUrlPath(path)).toEqual(expected);
  });
});

describe('windowFromJobs', () => {
  const jobs = [
    job(3, '2020-03-12T08:11:36.5Z'),
    job(1, '2020-03-12T08:11:36.518144Z'),
    job(2, '2020-03-12T08:11:36.518144Z'),
    job(4, '2020-03-12T16:11:36.000001+08:00'),
  ];

  it('orders by full-precision time, ties by id, whatever the fraction length or offset', () => {
    const asc = windowFromJobs(jobs, { limit: 10, offset: 0, order: 'asc' });
    expect(asc.items.map((j) => j.id)).toEqual([4, 3, 1, 2]);
    const desc = windowFromJobs(jobs, { limit: 10, offset: 0, order: 'desc' });
    expect(desc.items.map((j) => j.id)).toEqual([2, 1, 3, 4]);
  });

  it("with tie order 'ascending', lists ties by ascending id in both orders", () => {
    expect(windowFromJobs(jobs, { limit: 10, offset: 0, order: 'asc' }, 'ascending').items.map((j) => j.id)).toEqual([4, 3, 1, 2]);
    expect(windowFromJobs(jobs, { limit: 10, offset: 0, order: 'desc' }, 'ascending').items.map((j) => j.id)).toEqual([1, 2, 3, 4]);
  });

  it('slices [offset, offset + limit) and reports the count in Content-Range', () => {
    const window = windowFromJobs(jobs, { limit: 2, offset: 3, order: 'asc' });
    expect(window).toEqual({ items: [jobs[2]], total: 4 });
    expect(contentRangeFromWindow(3, window)).toBe('3-1/4');
  });

  it('does not reorder the data it was given', () => {
    windowFromJobs(jobs, { limit: 10, offset: 0, order: 'asc' });
    expect(jobs.map((j) => j.id)).toEqual([3, 1, 2, 4]);
  });
});

describe('createFaultList', () => {
  it('spends times on a copy, leaving the caller’s rule untouched', () => {
    const faults = createFaultList();
    const rule = { status: 500, times: 2 };
    faults.add(rule);
    expect(faults.take('demo', 'nginx')).toEqual({ status: 500, times: 1 });
    expect(faults.take('demo', 'nginx')).toEqual({ status: 500, times: 0 });
    expect(faults.take('demo', 'nginx')).toBeUndefined();
    expect(rule).toEqual({ status: 500, times: 2 });
  });

  it('never matches a scoped rule to a request whose names could not be read', () => {
    const faults = createFaultList();
    faults.add({ namespace: 'demo', status: 500 });
    expect(faults.take(null, null)).toBeUndefined();
    expect(faults.take('demo', null)).toEqual({ namespace: 'demo', status: 500 });
  });
});

describe('redactRecordedRequest', () => {
  it('replaces the token and credential headers', () => {
    const redacted = redactRecordedRequest({
      method: 'GET',
      path: '/p',
      rawQuery: '',
      filter: null,
      namespace: null,
      repository: null,
      token: 'abc',
      headers: { 'x-auth-token': 'abc', authorization: 'Bearer abc', accept: '*/*' },
      status: 200,
      aborted: false,
    });
    expect(redacted).toEqual({
      method: 'GET',
      path: '/p',
      rawQuery: '',
      filter: null,
      namespace: null,
      repository: null,
      headers: { 'x-auth-token': '[redacted]', authorization: '[redacted]', accept: '*/*' },
      status: 200,
      aborted: false,
      tokenPresent: true,
      tokenSha256: 'ba7816bf8f01cfea',
    });
  });
});
