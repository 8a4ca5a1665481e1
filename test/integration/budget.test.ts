import { describe, expect, it } from 'vitest';
import { positionToCursor } from '../../src/paging/cursor.js';
import { createTenantData } from '../../src/simulator/index.js';
import { startStack, useStack } from '../support/stack.js';

// One tenant, any token: demo-like organization with 60 repositories of 200 jobs, and one big list.
const repositories = Object.fromEntries(Array.from({ length: 60 }, (_, index) => [`repo-${index}`, 200]));
const data = {
  tenants: [createTenantData({ domainId: 'd', domainName: 'tenant', namespaces: { org: { ...repositories, big: 500 } }, idBase: 1 })],
};

// n aliases over one repository, each one page with a gap before the next: n distinct calls.
const disjointPages = (n: number) =>
  `{ ${Array.from(
    { length: n },
    (_, index) =>
      `a${index}: repository(namespace: "org", name: "repo-0") ` +
      `{ syncJobs(first: 1, after: ${JSON.stringify(positionToCursor('desc', index * 2))}) { nodes { id } } }`,
  ).join('\n')} }`;

const stack = useStack({ data, inMemory: true });

describe('the upstream-call budget', () => {
  it('allows an operation of exactly MAX_UPSTREAM_CALLS calls', async () => {
    const response = await stack.query(disjointPages(50));
    expect(response.errors).toBeUndefined();
    expect(stack.simulator.requests).toHaveLength(50);
  });

  it('refuses an operation that needs more, before any upstream call', async () => {
    const response = await stack.query(disjointPages(51));
    expect(response.data).toBeUndefined();
    expect(response.errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('needs about 51 upstream calls; the limit is 50 (MAX_UPSTREAM_CALLS)'),
        extensions: { code: 'OPERATION_TOO_EXPENSIVE', limit: 'MAX_UPSTREAM_CALLS', estimatedUpstreamCalls: 51, maxUpstreamCalls: 50 },
      }),
    ]);
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('refuses more refs or ids than their fields answer before any field runs, its siblings too', async () => {
    const refs = Array.from({ length: 51 }, (_, index) => ({ namespace: 'org', name: `repo-${index}` }));
    const ids = Array.from({ length: 51 }, () => 'UmVwb3NpdG9yeTpvcmcvcmVwby0w');
    for (const [variable, field, variables] of [
      ['$refs: [RepositoryRef!]!', 'listed: repositories(refs: $refs) { name }', { refs }],
      ['$ids: [ID!]!', 'listed: nodes(ids: $ids) { id }', { ids }],
    ] as const) {
      const response = await stack.query(
        `query(${variable}) { sibling: repository(namespace: "org", name: "repo-1") { syncJobs(first: 1) { totalCount } } ${field} }`,
        { variables },
      );
      expect(response.data).toBeUndefined();
      expect(response.errors).toEqual([
        expect.objectContaining({
          message: expect.stringMatching(/at most 50 \w+, received 51/),
          path: ['listed'],
          locations: [expect.objectContaining({ line: 1 })],
          extensions: { code: 'BAD_USER_INPUT' },
        }),
      ]);
      expect(stack.simulator.requests).toHaveLength(0);
    }
  });

  it('refuses a 300-alias operation with zero upstream calls', async () => {
    const response = await stack.query(disjointPages(300));
    expect(response.errors?.[0]?.extensions?.code).toBe('OPERATION_TOO_EXPENSIVE');
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('counts the refs of repositories, from variables too', async () => {
    const refs = Array.from({ length: 30 }, (_, index) => ({ namespace: 'org', name: `repo-${index}` }));
    const query = `query($refs: [RepositoryRef!]!) { repositories(refs: $refs) {
      newest: syncJobs(first: 5) { totalCount }
      oldest: syncJobs(first: 5, order: ASC) { totalCount }
    } }`;
    const refused = await stack.query(query, { variables: { refs } });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'OPERATION_TOO_EXPENSIVE', estimatedUpstreamCalls: 60 });
    expect(stack.simulator.requests).toHaveLength(0);

    const allowed = await stack.query(query, { variables: { refs: refs.slice(0, 25) } });
    expect(allowed.errors).toBeUndefined();
    expect(stack.simulator.requests).toHaveLength(50);
  });

  it('counts duplicate refs and coalesced windows once', async () => {
    const refs = Array.from({ length: 50 }, (_, index) => ({ namespace: 'org', name: `repo-${index % 10}` }));
    const response = await stack.query(
      `query($refs: [RepositoryRef!]!) { repositories(refs: $refs) ` +
        `{ a: syncJobs(first: 5) { totalCount } b: syncJobs(first: 10) { totalCount } } }`,
      { variables: { refs } },
    );
    expect(response.errors).toBeUndefined();
    expect(stack.simulator.requests).toHaveLength(10);
  });

  it('sees through fragments and honours @skip', async () => {
    const pages = Array.from(
      { length: 60 },
      (_, index) => `p${index}: syncJobs(first: 1, after: ${JSON.stringify(positionToCursor('desc', index * 2))}) { totalCount }`,
    );
    const query = `query($skip: Boolean!) { repository(namespace: "org", name: "repo-1") { ...Pages @skip(if: $skip) } }
      fragment Pages on Repository { ${pages.join('\n')} }`;
    const refused = await stack.query(query, { variables: { skip: false } });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'OPERATION_TOO_EXPENSIVE', estimatedUpstreamCalls: 60 });
    const skipped = await stack.query(query, { variables: { skip: true } });
    expect(skipped.errors).toBeUndefined();
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('caps calls at run time where no estimate can see them', async () => {
    // Without Content-Range, `last` alone walks the list; 500 jobs in pages of 100 need 6 calls.
    const small = await startStack({ data, env: { MAX_UPSTREAM_CALLS: '4' } });
    try {
      small.simulator.addFault({ noContentRange: true });
      const response = await small.query(`{ repository(namespace: "org", name: "big") { syncJobs(last: 5) { nodes { id } } } }`, {
        headers: { 'x-debug-upstream': '1' },
      });
      expect(response.errors?.[0]).toMatchObject({
        path: ['repository', 'syncJobs'],
        extensions: { code: 'OPERATION_TOO_EXPENSIVE', limit: 'MAX_UPSTREAM_CALLS' },
      });
      expect(small.simulator.requests).toHaveLength(4);
      expect((response.extensions as any).upstream.calls).toBe(4);
    } finally {
      await small.close();
    }
  });
});

describe('depth, alias and token limits', () => {
  it('refuses an operation deeper than MAX_DEPTH', async () => {
    const deep =
      `{ repository(namespace: "org", name: "repo-0") { syncJobs { nodes { repository { syncJobs { nodes { repository ` +
      `{ syncJobs { nodes { repository { syncJobs { nodes { id } } } } } } } } } } } } }`;
    const response = await stack.query(deep);
    expect(response.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/Operation refused: .*[Dd]epth limit of 12/),
        extensions: { code: 'OPERATION_TOO_EXPENSIVE', limit: 'MAX_DEPTH' },
      }),
    ]);
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('refuses more aliases than MAX_ALIASES', async () => {
    const limited = await startStack({ data, env: { MAX_ALIASES: '3' } });
    try {
      const response = await limited.query(disjointPages(4));
      expect(response.errors).toEqual([
        expect.objectContaining({
          message: 'Operation refused: Aliases limit of 3 exceeded, found 4.',
          extensions: { code: 'OPERATION_TOO_EXPENSIVE', limit: 'MAX_ALIASES' },
        }),
      ]);
      expect(limited.simulator.requests).toHaveLength(0);
    } finally {
      await limited.close();
    }
  });

  it('refuses a document of more tokens than MAX_TOKENS', async () => {
    const limited = await startStack({ data, env: { MAX_TOKENS: '100' } });
    try {
      const response = await limited.query(disjointPages(5));
      expect(response.errors).toEqual([
        expect.objectContaining({
          message: expect.stringContaining('Token limit of 100 exceeded'),
          extensions: { code: 'OPERATION_TOO_EXPENSIVE', limit: 'MAX_TOKENS' },
        }),
      ]);
      expect(limited.simulator.requests).toHaveLength(0);
    } finally {
      await limited.close();
    }
  });

  it('still serves introspection', async () => {
    const response = await stack.query(
      `{ __schema { queryType { name } types { name fields { name type { kind ofType { kind ofType { kind ofType { name } } } } } } } }`,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data.__schema.queryType.name).toBe('Query');
  });
});
