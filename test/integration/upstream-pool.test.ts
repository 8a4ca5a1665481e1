import { describe, expect, it, vi } from 'vitest';
import { createTenantData } from '../../src/simulator/index.js';
import { startStack } from '../support/stack.js';

const repositories = Object.fromEntries(Array.from({ length: 5 }, (_, index) => [`repo-${index}`, 30]));
const data = {
  tenants: [createTenantData({ domainId: 'd', domainName: 'tenant', namespaces: { org: { ...repositories, stuck: 5 } }, idBase: 1 })],
};
const dashboard = `{ repositories(refs: [${Object.keys(repositories)
  .map((name) => `{ namespace: "org", name: "${name}" }`)
  .join(', ')}]) { name syncJobs(first: 3) { totalCount nodes { id } } } }`;

describe('the SWR connection pool', () => {
  it('lets no concurrent dashboard time out while SWR is slow but healthy: the wait for a connection is not the deadline', async () => {
    // 12 dashboards × 5 repositories = 60 calls of 150 ms over 4 connections: the last ones wait
    // more than 2 s for a connection, twice SWR_TIMEOUT_MS, and none of that wait may count.
    const stack = await startStack({ data, env: { SWR_CONNECTIONS: '4', SWR_TIMEOUT_MS: '1000', SWR_RETRIES: '0' } });
    try {
      stack.simulator.addFault({ latencyMs: 150 });
      const answers = await Promise.all(Array.from({ length: 12 }, () => stack.query(dashboard)));
      for (const answer of answers) {
        expect(answer.errors).toBeUndefined();
        expect(answer.data.repositories.map((repository: { syncJobs: { totalCount: number } }) => repository.syncJobs.totalCount)).toEqual([
          30, 30, 30, 30, 30,
        ]);
      }
      expect(stack.simulator.requests).toHaveLength(60);
      expect(stack.simulator.maxInFlight).toBe(4);
    } finally {
      await stack.close();
    }
  });

  it('refuses with UPSTREAM_OVERLOADED (retryable, nothing sent to SWR) when no connection frees within SWR_QUEUE_TIMEOUT_MS', async () => {
    const stack = await startStack({ data, env: { SWR_CONNECTIONS: '1', SWR_QUEUE_TIMEOUT_MS: '200', SWR_TIMEOUT_MS: '20000' } });
    try {
      stack.simulator.addFault({ repository: 'stuck', hang: true });
      const caller = new AbortController();
      const holding = fetch(stack.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-auth-token': 't' },
        body: JSON.stringify({ query: '{ repository(namespace: "org", name: "stuck") { syncJobs(first: 1) { totalCount } } }' }),
        signal: caller.signal,
      }).catch(() => 'aborted');
      await vi.waitFor(() => expect(stack.simulator.inFlight).toBe(1));
      const refused = await stack.query('{ repository(namespace: "org", name: "repo-0") { syncJobs(first: 1) { totalCount } } }');
      expect(refused.data).toEqual({ repository: { syncJobs: null } });
      expect(refused.errors).toEqual([
        expect.objectContaining({
          message: expect.stringContaining('every SWR connection stayed busy for 200 ms (SWR_QUEUE_TIMEOUT_MS)'),
          path: ['repository', 'syncJobs'],
          extensions: { code: 'UPSTREAM_OVERLOADED', retryable: true },
        }),
      ]);
      expect(stack.simulator.requests.map((request) => request.repository)).toEqual(['stuck']);
      // The caller that holds the connection leaves: its call is aborted and the connection frees.
      caller.abort();
      await holding;
      await vi.waitFor(() => expect(stack.client.pool()).toEqual({ inUse: 0, waiting: 0 }));
      const served = await stack.query('{ repository(namespace: "org", name: "repo-0") { syncJobs(first: 1) { totalCount } } }');
      expect(served.data).toEqual({ repository: { syncJobs: { totalCount: 30 } } });
    } finally {
      await stack.close();
    }
  });
});
