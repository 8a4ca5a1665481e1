import { describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { readConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { createGateway } from '../../src/graphql/gateway.js';
import { startStack, useStack } from '../support/stack.js';

const NGINX = `{ repository(namespace: "demo", name: "nginx") { syncJobs(first: 2) { totalCount nodes { id } } } }`;

const stack = useStack({ env: { SWR_TIMEOUT_MS: '300' }, inMemory: true });

describe('upstream statuses', () => {
  it.each(['old', 'old-array'] as const)('reads the %s SWR error body shape', async (errorShape) => {
    stack.simulator.addFault({ status: 403, errorShape, times: 1 });
    const response = await stack.query(NGINX);
    expect(response.errors?.[0]?.extensions?.upstream).toMatchObject({
      status: 403,
      errorCode: expect.stringMatching(/^SVCSTG\.SWR\.403\d{4}$/),
      errorMessage: expect.any(String),
    });
  });

  it('maps an unknown repository to NOT_FOUND from the real simulator', async () => {
    const response = await stack.query(`{ repository(namespace: "demo", name: "nope") { syncJobs { totalCount } } }`);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', upstream: { status: 404 } });
  });

  it('maps an unknown organization to NOT_FOUND', async () => {
    const response = await stack.query(`{ repository(namespace: "nobody", name: "nginx") { syncJobs { totalCount } } }`);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', upstream: { status: 404 } });
  });
});

describe('upstream failures without a status', () => {
  it('maps a refused connection to UPSTREAM_UNAVAILABLE', async () => {
    // A port that was just free: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const closed = await startStack({ endpoint: `http://127.0.0.1:${port}`, inMemory: true });
    try {
      const response = await closed.query(NGINX);
      expect(response.errors?.[0]).toMatchObject({
        message: 'SWR is unavailable: connection refused',
        extensions: { code: 'UPSTREAM_UNAVAILABLE' },
      });
    } finally {
      await closed.close();
    }
  });
});

describe('partial failures', () => {
  it('keeps siblings when one repository fails', async () => {
    stack.simulator.addFault({ repository: 'redis', status: 500 });
    const response = await stack.query(`{
      nginx: repository(namespace: "demo", name: "nginx") { syncJobs(first: 1) { totalCount } }
      redis: repository(namespace: "demo", name: "redis") { syncJobs(first: 1) { totalCount } }
      api: repository(namespace: "demo", name: "team/api") { syncJobs(first: 1) { totalCount } }
    }`);
    expect(response.data).toEqual({
      nginx: { syncJobs: { totalCount: 47 } },
      redis: { syncJobs: null },
      api: { syncJobs: { totalCount: 8 } },
    });
    expect(response.errors).toEqual([
      expect.objectContaining({ path: ['redis', 'syncJobs'], extensions: expect.objectContaining({ code: 'UPSTREAM_ERROR' }) }),
    ]);
  });

  it('keeps the other refs of repositories when one is invalid or fails', async () => {
    stack.simulator.addFault({ repository: 'redis', status: 404 });
    const response = await stack.query(`{
      repositories(refs: [
        { namespace: "demo", name: "nginx" },
        { namespace: "demo", name: "Bad Name" },
        { namespace: "demo", name: "redis" },
        { namespace: "demo", name: "empty" }
      ]) { name syncJobs(first: 1) { totalCount } }
    }`);
    expect(response.data.repositories).toEqual([
      { name: 'nginx', syncJobs: { totalCount: 47 } },
      null,
      { name: 'redis', syncJobs: null },
      { name: 'empty', syncJobs: { totalCount: 0 } },
    ]);
    expect(response.errors?.map((error) => [error.path, error.extensions?.code])).toEqual([
      [['repositories', 1], 'BAD_USER_INPUT'],
      [['repositories', 2, 'syncJobs'], 'NOT_FOUND'],
    ]);
  });
});

describe('unexpected errors', () => {
  it('are masked: no internals reach the caller', async () => {
    const config = readConfig({});
    const gateway = createGateway({
      config,
      logger: createLogger('silent'),
      client: {
        listSyncJobs: async () => {
          throw new Error('secret internals at /srv/swr-gateway/src/swr/client.ts:42');
        },
        pool: () => ({ inUse: 0, waiting: 0 }),
        close: async () => {},
      },
    });
    const response = await gateway.fetch('http://gateway/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': 't' },
      body: JSON.stringify({ query: NGINX }),
    });
    const body = await response.text();
    expect(JSON.parse(body).errors).toEqual([expect.objectContaining({ message: 'Unexpected error.', path: ['repository', 'syncJobs'] })]);
    expect(body).not.toContain('secret');
  });
});
