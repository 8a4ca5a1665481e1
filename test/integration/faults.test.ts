import { describe, expect, it } from 'vitest';
import { createSwrClient } from '../../src/swr/client.js';
import { createSwrSimulator, type FaultRule } from '../../src/simulator/index.js';
import { startStack, useStack } from '../support/stack.js';

// SWR_RETRIES=2 (the default): up to three tries, all within SWR_TIMEOUT_MS.
const TIMEOUT_MS = 1500;
const NGINX = `{ repository(namespace: "demo", name: "nginx") { syncJobs(first: 2) { totalCount nodes { id } } } }`;

const stack = useStack({ env: { SWR_TIMEOUT_MS: String(TIMEOUT_MS) }, inMemory: true });

const upstreamDetails = (status: number) => ({
  status,
  errorCode: expect.stringMatching(new RegExp(`^SVCSTG\\.SWR\\.${status}\\d{4}$`)),
  errorMessage: expect.any(String),
  requestId: expect.any(String),
});

describe('every fault SWR can show', () => {
  it.each<[string, FaultRule, string, number, boolean, object | undefined]>([
    ['HTTP 400', { status: 400 }, 'UPSTREAM_BAD_REQUEST', 1, false, upstreamDetails(400)],
    ['HTTP 401', { status: 401 }, 'UNAUTHENTICATED', 1, false, upstreamDetails(401)],
    ['HTTP 403', { status: 403 }, 'FORBIDDEN', 1, false, upstreamDetails(403)],
    ['HTTP 404', { status: 404 }, 'NOT_FOUND', 1, false, upstreamDetails(404)],
    ['HTTP 500', { status: 500 }, 'UPSTREAM_ERROR', 3, true, upstreamDetails(500)],
    ['HTTP 502', { status: 502 }, 'UPSTREAM_ERROR', 3, true, upstreamDetails(502)],
    ['HTTP 503', { status: 503 }, 'UPSTREAM_ERROR', 3, true, upstreamDetails(503)],
    ['HTTP 504', { status: 504 }, 'UPSTREAM_ERROR', 3, true, upstreamDetails(504)],
    ['HTTP 429 with Retry-After: 0', { status: 429, retryAfter: '0' }, 'UPSTREAM_RATE_LIMITED', 3, true, upstreamDetails(429)],
    [
      'HTTP 429 with a Retry-After beyond the deadline',
      { status: 429, retryAfter: '30' },
      'UPSTREAM_RATE_LIMITED',
      1,
      true,
      upstreamDetails(429),
    ],
    ['a reset connection', { reset: true }, 'UPSTREAM_UNAVAILABLE', 3, true, undefined],
    ['latency beyond the deadline', { latencyMs: TIMEOUT_MS * 3 }, 'UPSTREAM_TIMEOUT', 1, true, undefined],
    ['a hang', { hang: true }, 'UPSTREAM_TIMEOUT', 1, true, undefined],
    [
      'malformed JSON',
      { malformedBody: true },
      'UPSTREAM_BAD_RESPONSE',
      1,
      false,
      { status: 200, errorCode: null, errorMessage: null, requestId: expect.any(String) },
    ],
    [
      'JSON that is not an array of jobs',
      { wrongShapeBody: true },
      'UPSTREAM_BAD_RESPONSE',
      1,
      false,
      { status: 200, errorCode: null, errorMessage: null, requestId: expect.any(String) },
    ],
    [
      'another 2xx whose body is not jobs',
      { status: 206 },
      'UPSTREAM_BAD_RESPONSE',
      1,
      false,
      { status: 206, errorCode: null, errorMessage: null, requestId: expect.any(String) },
    ],
  ])('maps %s (%o) to %s after %i tries, and the next operation succeeds', async (_label, fault, code, tries, retryable, upstream) => {
    stack.simulator.addFault(fault);
    const response = await stack.query(NGINX);
    expect(response.data).toEqual({ repository: { syncJobs: null } });
    expect(response.errors).toEqual([
      expect.objectContaining({
        path: ['repository', 'syncJobs'],
        extensions: {
          code,
          retryable,
          ...(upstream ? { upstream } : {}),
          // A rate limit says when to come back: SWR's Retry-After in whole seconds, at least 1.
          ...(code === 'UPSTREAM_RATE_LIMITED' ? { retryAfter: Math.max(1, Number((fault as { retryAfter?: string }).retryAfter)) } : {}),
        },
      }),
    ]);
    expect(stack.simulator.requests).toHaveLength(tries);

    stack.simulator.clearFaults();
    const next = await stack.query(NGINX);
    expect(next.errors).toBeUndefined();
    expect(next.data.repository.syncJobs.totalCount).toBe(47);
  });

  it('pages through an SWR that serves fewer jobs than asked while its total says more follow: asks for the rest', async () => {
    const every = await stack.query(`{ repository(namespace: "demo", name: "nginx") { syncJobs(first: 100) { nodes { id } } } }`);
    const all = every.data.repository.syncJobs.nodes.map((node: { id: string }) => node.id);
    expect(all).toHaveLength(47);
    stack.simulator.addFault({ maxItems: 7 });
    const page = (args: string) =>
      stack.query(
        `{ repository(namespace: "demo", name: "nginx") { syncJobs(${args}) { totalCount nodes { id } ` +
          'pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }',
      );
    // Forwards, 20 at a time: every job once, in order, and hasNextPage true until the last page.
    const forwards: string[] = [];
    let after: string | null = null;
    for (let round = 0; round < 3; round += 1) {
      const answer = await page(after === null ? 'first: 20' : `first: 20, after: ${JSON.stringify(after)}`);
      expect(answer.errors).toBeUndefined();
      const connection = answer.data.repository.syncJobs;
      expect(connection.totalCount).toBe(47);
      forwards.push(...connection.nodes.map((node: { id: string }) => node.id));
      expect(connection.pageInfo.hasNextPage).toBe(round < 2);
      // The first page: the call for it, then one for the rest from where each short answer ended.
      if (round === 0) {
        expect(stack.simulator.requests.slice(1).map((request) => request.filter)).toEqual([
          'limit::20|offset::0|order::desc',
          'limit::13|offset::7|order::desc',
          'limit::6|offset::14|order::desc',
        ]);
      }
      after = connection.pageInfo.endCursor;
    }
    expect(forwards).toEqual(all);
    // Backwards from the end, and the last jobs alone.
    const last = await page('last: 12');
    expect(last.data.repository.syncJobs.nodes.map((node: { id: string }) => node.id)).toEqual(all.slice(-12));
    expect(last.data.repository.syncJobs.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const before = await page(`last: 20, before: ${JSON.stringify(last.data.repository.syncJobs.pageInfo.startCursor)}`);
    expect(before.data.repository.syncJobs.nodes.map((node: { id: string }) => node.id)).toEqual(all.slice(-32, -12));
    expect(before.data.repository.syncJobs.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
  });

  it("never passes on the caller's token where SWR's error message quotes it", async () => {
    stack.simulator.addFault({ status: 401, errorMessage: 'The token {token} is invalid or has expired', times: 1 });
    const response = await stack.query(NGINX);
    const [error] = response.errors!;
    expect(error!.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      upstream: { errorMessage: 'The token [token] is invalid or has expired' },
    });
    expect(error!.message).toBe('SWR did not accept the token (HTTP 401: The token [token] is invalid or has expired)');
    expect(JSON.stringify(response)).not.toContain('token-demo');
  });

  it.each(['gzip', 'deflate', 'br', 'gzip, br'])(
    'reads an answer in %s as the same page, having asked for those codings',
    async (coding) => {
      const plain = await stack.query(NGINX);
      stack.simulator.addFault({ contentEncoding: coding });
      const encoded = await stack.query(NGINX);
      expect(encoded).toEqual(plain);
      expect(plain.data.repository.syncJobs.nodes).toHaveLength(2);
      expect(stack.simulator.requests.map((request) => request.headers['accept-encoding'])).toEqual([
        'gzip, deflate, br',
        'gzip, deflate, br',
      ]);
    },
  );

  it.each<[string, string]>([
    ['a coding it does not know', 'zstd'],
    // The simulator only names x-gzip: a plain body declared gzip, which does not decode.
    ['bytes that do not decode', 'x-gzip'],
  ])('refuses %s as UPSTREAM_BAD_RESPONSE, without retrying', async (_label, coding) => {
    stack.simulator.addFault({ contentEncoding: coding });
    const response = await stack.query(NGINX);
    expect(response.errors).toEqual([
      expect.objectContaining({ path: ['repository', 'syncJobs'], extensions: expect.objectContaining({ code: 'UPSTREAM_BAD_RESPONSE' }) }),
    ]);
    expect(stack.simulator.requests).toHaveLength(1);
  });

  it('refuses an answer that decodes past the largest body it reads, though it was sent smaller', async () => {
    const simulator = createSwrSimulator();
    const client = createSwrClient({ endpoint: await simulator.listen(), maxBodyBytes: 1024, retry: { retries: 0 } });
    try {
      const request = { token: 'token-demo', namespace: 'demo', repository: 'nginx', order: 'desc' as const, offset: 0, limit: 10 };
      simulator.addFault({ contentEncoding: 'gzip' });
      const refusal = await client.listSyncJobs(request).catch((error: unknown) => error);
      expect(refusal).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', message: expect.stringContaining('decodes to more than 1024 bytes') });
      expect(Number(simulator.requests[0]!.status)).toBe(200);
      // Smaller pages of the same repository decode within the limit.
      simulator.addFault({ contentEncoding: 'gzip' });
      expect((await client.listSyncJobs({ ...request, limit: 2 })).items).toHaveLength(2);
    } finally {
      await client.close();
      await simulator.close();
    }
  });

  it('keeps working without Content-Range: one more item asked, totalCount null', async () => {
    stack.simulator.addFault({ noContentRange: true });
    const response = await stack.query(NGINX);
    expect(response.errors).toBeUndefined();
    expect(response.data.repository.syncJobs).toMatchObject({
      totalCount: null,
      nodes: [{ id: expect.any(String) }, { id: expect.any(String) }],
    });
    expect(stack.simulator.requests.map((request) => request.filter)).toEqual([
      'limit::2|offset::0|order::desc',
      'limit::1|offset::2|order::desc',
    ]);
  });

  it.each<[string, FaultRule]>([
    ['a 503', { status: 503, times: 1 }],
    ['a 429', { status: 429, retryAfter: '0', times: 2 }],
    ['a reset', { reset: true, times: 1 }],
  ])('recovers from %s by retrying within the same operation', async (_label, fault) => {
    stack.simulator.addFault(fault);
    const response = await stack.query(NGINX);
    expect(response.errors).toBeUndefined();
    expect(response.data.repository.syncJobs.totalCount).toBe(47);
    expect(stack.simulator.requests).toHaveLength((fault.times ?? 0) + 1);
  });

  it('waits what Retry-After asks before it retries', async () => {
    const waits: number[] = [];
    const recording = await startStack({ retryWait: async (ms) => void waits.push(ms), inMemory: true });
    try {
      recording.simulator.addFault({ status: 429, retryAfter: '2', times: 1 });
      const response = await recording.query(NGINX);
      expect(response.errors).toBeUndefined();
      expect(waits).toEqual([2000]);
      expect(recording.simulator.requests.map((request) => request.status)).toEqual([429, 200]);
    } finally {
      await recording.close();
    }
  });
});
