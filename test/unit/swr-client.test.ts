import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSwrClient, type SwrCallRecord } from '../../src/swr/client.js';
import type { SwrSyncJob } from '../../src/swr/types.js';

const ORIGIN = 'https://swr-api.cn-north-4.myhuaweicloud.com';
const job: SwrSyncJob = {
  id: 1,
  status: 'success',
  tag: '8',
  namespace: 'test',
  repoName: 'testrepo',
  remoteRegionId: 'cn-north-1',
  remoteNamespace: 'remtens',
  override: false,
  domainID: '0657f60',
  domainName: 'h4',
  syncOperatorId: '06510',
  syncOperatorName: 'h4',
  createdAt: '2020-03-12T08:11:36.518144Z',
  updatedAt: '2020-03-12T08:11:41.505499Z',
};
const request = { token: 'tok', namespace: 'test', repository: 'team/api', order: 'desc' as const, offset: 0, limit: 10 };
const PATH = '/v2/manage/namespaces/test/repos/team$api/sync_job?filter=limit%3A%3A10%7Coffset%3A%3A0%7Corder%3A%3Adesc';

let agent: MockAgent;
let calls: SwrCallRecord[];
beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  calls = [];
});
afterEach(async () => {
  await agent.close();
});

// No retries unless a test asks: MockAgent interceptors answer once.
const client = (timeoutMs = 1000, retries = 0) =>
  createSwrClient({
    endpoint: ORIGIN,
    dispatcher: agent,
    timeoutMs,
    retry: { retries, random: () => 0.5 },
    onCall: (call) => calls.push(call),
  });

describe('the SWR client', () => {
  it('sends the documented path, percent-encoded filter and headers', async () => {
    let seenHeaders: Record<string, string> = {};
    agent
      .get(ORIGIN)
      .intercept({ path: PATH, method: 'GET' })
      .reply(
        200,
        (options) => {
          seenHeaders = options.headers as Record<string, string>;
          return [job];
        },
        { headers: { 'content-range': '0-1/1', 'x-request-id': 'req-1' } },
      );
    const page = await client().listSyncJobs(request);
    expect(page).toEqual({ offset: 0, items: [job], total: 1, requestId: 'req-1' });
    expect(seenHeaders).toMatchObject({
      'x-auth-token': 'tok',
      'content-type': 'application/json',
      accept: 'application/json',
      'accept-encoding': 'gzip, deflate, br',
    });
    expect(calls).toEqual([
      expect.objectContaining({
        filter: 'limit::10|offset::0|order::desc',
        attempt: 1,
        status: 200,
        outcome: 'ok',
        upstreamRequestId: 'req-1',
        errorCode: null,
      }),
    ]);
    expect(JSON.stringify(calls)).not.toContain('tok"');
  });

  it('calls SWR’s own path on the endpoint’s origin, whatever path the endpoint has', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: PATH })
      .reply(200, [], { headers: { 'content-range': '0-0/0' } });
    const prefixed = createSwrClient({ endpoint: `${ORIGIN}/v2/`, dispatcher: agent });
    expect(await prefixed.listSyncJobs(request)).toMatchObject({ items: [], total: 0 });
  });

  it('reports a null total without Content-Range', async () => {
    agent.get(ORIGIN).intercept({ path: PATH }).reply(200, [job]);
    expect(await client().listSyncJobs(request)).toMatchObject({ items: [job], total: null, requestId: null });
  });

  it('slices a body longer than the limit', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: PATH.replace('A10', 'A1') })
      .reply(200, [job, { ...job, id: 2 }]);
    expect((await client().listSyncJobs({ ...request, limit: 1 })).items).toEqual([job]);
  });

  it.each([
    [
      400,
      '{"error_code":"SVCSTG.SWR.4000001","error_msg":"Invalid filter"}',
      'UPSTREAM_BAD_REQUEST',
      'SVCSTG.SWR.4000001',
      'Invalid filter',
    ],
    [
      401,
      '{"error_code":"SVCSTG.SWR.4010000","error_msg":"Authenticate failed"}',
      'UNAUTHENTICATED',
      'SVCSTG.SWR.4010000',
      'Authenticate failed',
    ],
    [403, '{"errorCode":"SVCSTG.SWR.4030000","errorMessage":"Forbidden"}', 'FORBIDDEN', 'SVCSTG.SWR.4030000', 'Forbidden'],
    [404, '[{"errorCode":"SVCSTG.SWR.4040001","errorMessage":"Repo not found"}]', 'NOT_FOUND', 'SVCSTG.SWR.4040001', 'Repo not found'],
    [429, '{"error_code":"SVCSTG.SWR.4290000","error_msg":"Too many"}', 'UPSTREAM_RATE_LIMITED', 'SVCSTG.SWR.4290000', 'Too many'],
    [500, 'oops', 'UPSTREAM_ERROR', null, null],
    [503, '{"error_code":"SVCSTG.SWR.5030000","error_msg":"Busy"}', 'UPSTREAM_ERROR', 'SVCSTG.SWR.5030000', 'Busy'],
  ])('maps HTTP %i to %s with upstream details', async (status, body, code, errorCode, errorMessage) => {
    agent
      .get(ORIGIN)
      .intercept({ path: PATH })
      .reply(status, body, { headers: { 'x-request-id': 'req-9' } });
    await expect(client().listSyncJobs(request)).rejects.toMatchObject({
      code,
      upstream: { status, errorCode, errorMessage, requestId: 'req-9' },
    });
  });

  it("takes SWR's request id from API Gateway's error body when the header is missing", async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: PATH })
      .reply(400, '{"error_code":"APIG.0201","error_msg":"Request body is invalid","request_id":"apig-7"}');
    await expect(client().listSyncJobs(request)).rejects.toMatchObject({ upstream: { status: 400, requestId: 'apig-7' } });
  });

  it.each([203, 206])('reads a page from HTTP %i as from 200', async (status) => {
    agent
      .get(ORIGIN)
      .intercept({ path: PATH })
      .reply(status, [job], { headers: { 'content-range': '0-1/1' } });
    expect(await client().listSyncJobs(request)).toMatchObject({ items: [job], total: 1 });
  });

  it.each([
    ['not JSON', '[{"id":1'],
    ['not an array', '{"jobs":[]}'],
    ['a job without id', JSON.stringify([{ ...job, id: undefined }])],
    ['an id beyond 32 bits', JSON.stringify([{ ...job, id: 2 ** 31 }])],
    ['a string id', JSON.stringify([{ ...job, id: '1' }])],
    ['a null tag', JSON.stringify([{ ...job, tag: null }])],
    ['a string override', JSON.stringify([{ ...job, override: 'false' }])],
    ['an unreadable time', JSON.stringify([{ ...job, createdAt: 'yesterday' }])],
    ['a time in month 13', JSON.stringify([{ ...job, updatedAt: '2020-13-12T08:11:36.518144Z' }])],
    ['a job that is not an object', '[1]'],
  ])('refuses a body that is %s as UPSTREAM_BAD_RESPONSE', async (_label, body) => {
    agent
      .get(ORIGIN)
      .intercept({ path: PATH })
      .reply(200, body, { headers: { 'x-request-id': 'req-3' } });
    await expect(client().listSyncJobs(request)).rejects.toMatchObject({
      code: 'UPSTREAM_BAD_RESPONSE',
      upstream: { status: 200, requestId: 'req-3' },
    });
  });

  it.each([
    ['with an offset', '2020-03-12T16:11:36.518144+08:00'],
    ['without a zone', '2020-03-12 08:11:36'],
    ['with nine fraction digits', '2020-03-12T08:11:36.518144123Z'],
  ])('accepts a time %s (SWR documents UTC; other readable forms pass)', async (_label, createdAt) => {
    agent
      .get(ORIGIN)
      .intercept({ path: PATH })
      .reply(200, [{ ...job, createdAt }]);
    const page = await client().listSyncJobs(request);
    expect(page.items).toEqual([{ ...job, createdAt }]);
  });

  it('turns a missed deadline into UPSTREAM_TIMEOUT', async () => {
    agent.get(ORIGIN).intercept({ path: PATH }).reply(200, [job]).delay(500);
    await expect(client(50).listSyncJobs(request)).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
  });

  it('turns a network error into UPSTREAM_UNAVAILABLE', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: PATH })
      .replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    await expect(client().listSyncJobs(request)).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      message: 'SWR is unavailable: connection refused',
    });
  });

  it('lets a caller abort stay an abort', async () => {
    agent.get(ORIGIN).intercept({ path: PATH }).reply(200, [job]).delay(500);
    const controller = new AbortController();
    const pending = client().listSyncJobs({ ...request, signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.not.toHaveProperty('code', 'UPSTREAM_TIMEOUT');
  });

  it.each([
    ['an invalid organization', { namespace: 'Bad Org' }],
    ['an invalid repository', { repository: '../etc' }],
    ['a negative offset', { offset: -1 }],
  ])('never sends %s upstream', async (_label, override) => {
    await expect(client().listSyncJobs({ ...request, ...override })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(calls).toHaveLength(0);
  });
});

describe('retries', () => {
  const reply = (status: number, headers: Record<string, string> = {}) =>
    agent.get(ORIGIN).intercept({ path: PATH }).reply(status, '{"error_code":"SVCSTG.SWR.5030000","error_msg":"x"}', { headers });
  const ok = () =>
    agent
      .get(ORIGIN)
      .intercept({ path: PATH })
      .reply(200, [job], { headers: { 'content-range': '0-1/1' } });

  it.each([429, 500, 502, 503, 504])('retries HTTP %i and succeeds on the next try', async (status) => {
    reply(status);
    ok();
    expect((await client(2000, 2).listSyncJobs(request)).items).toEqual([job]);
    expect(calls.map((call) => [call.attempt, call.status])).toEqual([
      [1, status],
      [2, 200],
    ]);
  });

  it.each([400, 401, 403, 404])('never retries HTTP %i', async (status) => {
    reply(status);
    await expect(client(2000, 2).listSyncJobs(request)).rejects.toMatchObject({ upstream: { status } });
    expect(calls).toHaveLength(1);
  });

  it('gives up after SWR_RETRIES retries with the last failure', async () => {
    reply(503);
    reply(502);
    reply(503, { 'x-request-id': 'last' });
    await expect(client(5000, 2).listSyncJobs(request)).rejects.toMatchObject({
      code: 'UPSTREAM_ERROR',
      retryable: true,
      upstream: { status: 503, requestId: 'last' },
    });
    expect(calls.map((call) => call.attempt)).toEqual([1, 2, 3]);
  });

  it('retries a refused connection', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: PATH })
      .replyWithError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }));
    ok();
    expect((await client(2000, 2).listSyncJobs(request)).items).toEqual([job]);
    expect(calls.map((call) => call.outcome)).toEqual(['UPSTREAM_UNAVAILABLE', 'ok']);
  });

  it('waits what Retry-After asks before retrying', async () => {
    reply(429, { 'retry-after': '1' });
    ok();
    const waits: number[] = [];
    const recording = createSwrClient({
      endpoint: ORIGIN,
      dispatcher: agent,
      timeoutMs: 3000,
      retry: { retries: 2, wait: async (ms) => void waits.push(ms) },
    });
    expect((await recording.listSyncJobs(request)).items).toEqual([job]);
    expect(waits).toEqual([1000]);
  });

  it('gives up at once when Retry-After does not fit before the deadline', async () => {
    reply(429, { 'retry-after': '5' });
    const started = performance.now();
    await expect(client(1000, 2).listSyncJobs(request)).rejects.toMatchObject({ code: 'UPSTREAM_RATE_LIMITED' });
    expect(performance.now() - started).toBeLessThan(500);
    expect(calls).toHaveLength(1);
  });
});

describe('retries against the deadline', () => {
  it('reports the failure it was retrying when the deadline cuts the retry short', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: PATH })
      .reply(503, '{"error_code":"SVCSTG.SWR.5030001","error_msg":"busy"}', { headers: { 'x-request-id': 'first' } });
    agent.get(ORIGIN).intercept({ path: PATH }).reply(200, [job]).delay(1000);
    const retrying = createSwrClient({ endpoint: ORIGIN, dispatcher: agent, timeoutMs: 300, retry: { retries: 2, random: () => 0 } });
    await expect(retrying.listSyncJobs(request)).rejects.toMatchObject({
      code: 'UPSTREAM_ERROR',
      upstream: { status: 503, errorCode: 'SVCSTG.SWR.5030001', requestId: 'first' },
    });
  });

  it('is a timeout when the first try itself misses the deadline', async () => {
    agent.get(ORIGIN).intercept({ path: PATH }).reply(200, [job]).delay(1000);
    const retrying = createSwrClient({ endpoint: ORIGIN, dispatcher: agent, timeoutMs: 200, retry: { retries: 2 } });
    await expect(retrying.listSyncJobs(request)).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
  });
});
