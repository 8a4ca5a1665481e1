import { describe, expect, it } from 'vitest';
import { createTenantData } from '../../src/simulator/index.js';
import { startStack, useStack } from '../support/stack.js';

// Two tenants with their own tokens and the same organization and repository names.
const data = {
  tenants: [
    createTenantData({
      domainId: 'alice-domain',
      domainName: 'alice',
      tokens: ['token-alice'],
      namespaces: { shared: { app: 12 } },
      idBase: 1000,
      tagPrefix: 'alice-',
    }),
    createTenantData({
      domainId: 'bob-domain',
      domainName: 'bob',
      tokens: ['token-bob'],
      namespaces: { shared: { app: 7 } },
      idBase: 2000,
      tagPrefix: 'bob-',
    }),
  ],
};

const JOBS = /* GraphQL */ `
  query Jobs($first: Int) {
    repository(namespace: "shared", name: "app") {
      syncJobs(first: $first) {
        totalCount
        nodes {
          id
          domainName
          tag
        }
      }
    }
  }
`;

const stack = useStack({ data, inMemory: true });

describe('caller tokens', () => {
  it('forwards X-Auth-Token unchanged to SWR', async () => {
    const response = await stack.query(JOBS, { variables: { first: 2 }, token: 'token-alice' });
    expect(response.data.repository.syncJobs.totalCount).toBe(12);
    expect(stack.simulator.requests.map((request) => request.token)).toEqual(['token-alice']);
    expect(stack.simulator.requests[0]!.headers).toMatchObject({ 'content-type': 'application/json', accept: 'application/json' });
  });

  it('forwards an Authorization: Bearer token as X-Auth-Token', async () => {
    const response = await stack.query(JOBS, { variables: { first: 2 }, token: null, headers: { authorization: 'Bearer token-bob' } });
    expect(response.data.repository.syncJobs.totalCount).toBe(7);
    expect(stack.simulator.requests.map((request) => request.token)).toEqual(['token-bob']);
  });

  it('forwards a 32 KiB token whole', async () => {
    // Over the gateway's port: a header this long is past Node's default limit of 16 KiB.
    const overHttp = await startStack({ data });
    try {
      const longToken = `MII${'A'.repeat(32 * 1024 - 3)}`;
      const response = await overHttp.query(JOBS, { variables: { first: 1 }, token: longToken });
      expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(overHttp.simulator.requests.map((request) => request.token)).toEqual([longToken]);
    } finally {
      await overHttp.close();
    }
  });

  it('refuses a request without a token as UNAUTHENTICATED, with no upstream call', async () => {
    const response = await stack.query(JOBS, { variables: { first: 2 }, token: null });
    expect(response.data).toEqual({ repository: { syncJobs: null } });
    expect(response.errors).toEqual([
      {
        message: expect.stringContaining('No token'),
        path: ['repository', 'syncJobs'],
        locations: expect.any(Array),
        extensions: { code: 'UNAUTHENTICATED' },
      },
    ]);
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('refuses an oversized token without forwarding it', async () => {
    const response = await stack.query(JOBS, { variables: { first: 2 }, token: 'a'.repeat(32 * 1024 + 1) });
    expect(response.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED' });
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('maps a token SWR does not accept to UNAUTHENTICATED with the upstream details', async () => {
    const response = await stack.query(JOBS, { variables: { first: 2 }, token: 'token-mallory' });
    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      upstream: { status: 401, errorCode: expect.stringMatching(/^SVCSTG\.SWR\.401\d{4}$/), requestId: expect.any(String) },
    });
    expect(JSON.stringify(response)).not.toContain('token-mallory');
  });
});

describe('input checked before any upstream call', () => {
  it.each([
    ['an invalid organization', `{ repository(namespace: "Demo!", name: "app") { syncJobs { totalCount } } }`, ['repository']],
    ['an invalid repository name', `{ repository(namespace: "shared", name: "app//x") { syncJobs { totalCount } } }`, ['repository']],
    [
      'first and last together',
      `{ repository(namespace: "shared", name: "app") { syncJobs(first: 1, last: 1) { totalCount } } }`,
      ['repository', 'syncJobs'],
    ],
    [
      'first over MAX_PAGE_SIZE',
      `{ repository(namespace: "shared", name: "app") { syncJobs(first: 101) { totalCount } } }`,
      ['repository', 'syncJobs'],
    ],
    [
      'a negative last',
      `{ repository(namespace: "shared", name: "app") { syncJobs(last: -1) { totalCount } } }`,
      ['repository', 'syncJobs'],
    ],
    [
      'a forged cursor',
      `{ repository(namespace: "shared", name: "app") { syncJobs(after: "b2Zmc2V0OjEw") { totalCount } } }`,
      ['repository', 'syncJobs'],
    ],
    [
      'an invalid ref among repositories',
      `{ repositories(refs: [{ namespace: "shared", name: "-app" }]) { syncJobs { totalCount } } }`,
      ['repositories', 0],
    ],
  ])('refuses %s with BAD_USER_INPUT and makes no upstream call', async (_label, query, path) => {
    const response = await stack.query(query, { token: 'token-alice' });
    expect(response.errors).toEqual([expect.objectContaining({ path, extensions: { code: 'BAD_USER_INPUT' } })]);
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('refuses more than 50 refs with BAD_USER_INPUT and no upstream call', async () => {
    const refs = Array.from({ length: 51 }, () => ({ namespace: 'shared', name: 'app' }));
    const response = await stack.query(`query($refs: [RepositoryRef!]!) { repositories(refs: $refs) { syncJobs { totalCount } } }`, {
      variables: { refs },
      token: 'token-alice',
    });
    expect(response.data).toBeUndefined();
    expect(response.errors).toEqual([expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } })]);
    expect(stack.simulator.requests).toHaveLength(0);
  });
});

describe('caller isolation', () => {
  it('never shows one caller the jobs of another, one after the other', async () => {
    const alice = await stack.query(JOBS, { variables: { first: 20 }, token: 'token-alice' });
    const bob = await stack.query(JOBS, { variables: { first: 20 }, token: 'token-bob' });
    expect(alice.data.repository.syncJobs.nodes.map((node: { domainName: string }) => node.domainName)).toEqual(Array(12).fill('alice'));
    expect(bob.data.repository.syncJobs.nodes.map((node: { domainName: string }) => node.domainName)).toEqual(Array(7).fill('bob'));
    expect(stack.simulator.requests.map((request) => request.token)).toEqual(['token-alice', 'token-bob']);
  });

  it('never shows one caller the jobs of another while their identical operations run concurrently', async () => {
    stack.simulator.addFault({ latencyMs: 30 });
    const tokens = Array.from({ length: 24 }, (_, index) => (index % 2 === 0 ? 'token-alice' : 'token-bob'));
    const responses = await Promise.all(tokens.map((token) => stack.query(JOBS, { variables: { first: 20 }, token })));
    responses.forEach((response, index) => {
      const owner = tokens[index] === 'token-alice' ? 'alice' : 'bob';
      const nodes = response.data.repository.syncJobs.nodes as Array<{ domainName: string; tag: string; id: string }>;
      expect(nodes.length).toBe(owner === 'alice' ? 12 : 7);
      expect(nodes.every((node) => node.domainName === owner && node.tag.startsWith(`${owner}-`))).toBe(true);
    });
    // Every operation made its own call with its own token: nothing was shared across requests.
    expect(stack.simulator.requests.map((request) => request.token).sort()).toEqual([...tokens].sort());
  });
});
