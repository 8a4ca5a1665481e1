import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
// @ts-expect-error: JavaScript examples without type declarations
import { createCatalogSubgraph } from '../../examples/supergraph/catalog-subgraph.mjs';
// @ts-expect-error: JavaScript examples without type declarations
import { composeSupergraph } from '../../examples/supergraph/compose.mjs';
// @ts-expect-error: JavaScript examples without type declarations
import { createSupergraphGateway } from '../../examples/supergraph/gateway.mjs';
import { loadTypeDefs } from '../../src/graphql/schema.js';
import { createTenantData } from '../../src/simulator/index.js';
import { subscribeSse } from '../support/live.js';
import { startStack, type Stack } from '../support/stack.js';
import { repositoryToNodeId } from '../../src/model/node-id.js';

// The demo organization, reachable only with the caller's own token.
const data = {
  tenants: [
    createTenantData({
      domainId: 'd',
      domainName: 'alice',
      tokens: ['token-alice'],
      namespaces: { demo: { nginx: 47, redis: 12, 'team/api': 8 } },
      idBase: 100,
    }),
  ],
};

const listen = async (server: Server) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
};

let stack: Stack;
let catalog: Server;
let gateway: { fetch: typeof fetch; [Symbol.asyncDispose](): Promise<void> };

beforeAll(async () => {
  stack = await startStack({ data, env: { WATCH_INTERVAL_MS: '100' } });
  catalog = createServer(createCatalogSubgraph());
  const catalogUrl = await listen(catalog);
  const supergraph = composeSupergraph({ swrTypeDefs: loadTypeDefs(), swrUrl: stack.url, catalogUrl });
  gateway = createSupergraphGateway(supergraph);
});
afterAll(async () => {
  await gateway[Symbol.asyncDispose]();
  catalog.closeAllConnections();
  await new Promise<void>((resolve) => catalog.close(() => resolve()));
  await stack.close();
});
beforeEach(() => stack.simulator.clearRequests());

async function querySupergraph(query: string, headers: Record<string, string>) {
  const response = await gateway.fetch('http://gateway/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as { data?: any; errors?: Array<{ message: string; path?: unknown[]; extensions?: any }> };
}

const FEATURED = /* GraphQL */ `
  {
    featuredRepositories {
      namespace
      name
      description
      syncJobs(first: 3) {
        totalCount
        nodes {
          id
          status
          domainName
        }
        pageInfo {
          hasNextPage
        }
      }
    }
  }
`;

describe('a supergraph with the catalog subgraph, under Hive Gateway', () => {
  it('crosses from the catalog into syncJobs through _entities with the caller token', async () => {
    const response = await querySupergraph(FEATURED, { 'x-auth-token': 'token-alice' });
    expect(response.errors).toBeUndefined();
    expect(response.data.featuredRepositories).toEqual([
      {
        namespace: 'demo',
        name: 'nginx',
        description: 'High-performance HTTP server and reverse proxy',
        syncJobs: {
          totalCount: 47,
          nodes: [expect.objectContaining({ domainName: 'alice' }), expect.anything(), expect.anything()],
          pageInfo: { hasNextPage: true },
        },
      },
      {
        namespace: 'demo',
        name: 'redis',
        description: 'In-memory data store',
        syncJobs: { totalCount: 12, nodes: [expect.anything(), expect.anything(), expect.anything()], pageInfo: { hasNextPage: true } },
      },
    ]);
    // One _entities request for both repositories: one upstream call each, with the caller's token.
    expect(stack.simulator.requests.map((request) => [request.repository, request.filter, request.token]).sort()).toEqual([
      ['nginx', 'limit::3|offset::0|order::desc', 'token-alice'],
      ['redis', 'limit::3|offset::0|order::desc', 'token-alice'],
    ]);
  });

  it('answers node(id:) from this subgraph, with the catalog fields of the repository it names', async () => {
    const id = repositoryToNodeId({ namespace: 'demo', name: 'nginx' });
    const response = await querySupergraph(
      `{ node(id: ${JSON.stringify(id)}) { id ... on Repository { name description syncJobs(first: 1) { totalCount } } } }`,
      { 'x-auth-token': 'token-alice' },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data.node).toEqual({
      id,
      name: 'nginx',
      description: 'High-performance HTTP server and reverse proxy',
      syncJobs: { totalCount: 47 },
    });
    expect(stack.simulator.requests.map((request) => [request.repository, request.token])).toEqual([['nginx', 'token-alice']]);
  });

  it('propagates Authorization: Bearer as well', async () => {
    const response = await querySupergraph(`{ featuredRepositories { name syncJobs(first: 1) { totalCount } } }`, {
      authorization: 'Bearer token-alice',
    });
    expect(response.data.featuredRepositories.map((repository: any) => repository.syncJobs.totalCount)).toEqual([47, 12]);
    expect(stack.simulator.requests.map((request) => request.token)).toEqual(['token-alice', 'token-alice']);
  });

  it('answers the catalog part and UNAUTHENTICATED for syncJobs without a token, with no upstream call', async () => {
    const response = await querySupergraph(`{ featuredRepositories { name description syncJobs(first: 1) { totalCount } } }`, {});
    expect(response.data.featuredRepositories.map((repository: any) => [repository.name, repository.syncJobs])).toEqual([
      ['nginx', null],
      ['redis', null],
    ]);
    expect(response.errors?.map((error) => error.extensions?.code)).toContain('UNAUTHENTICATED');
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('maps upstream errors through the supergraph with their codes', async () => {
    const response = await querySupergraph(`{ featuredRepositories { name syncJobs(first: 1) { totalCount } } }`, {
      'x-auth-token': 'token-mallory',
    });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(stack.simulator.requests.map((request) => request.token)).toEqual(['token-mallory', 'token-mallory']);
  });
});

describe('subscriptions through the Hive Gateway', () => {
  const SUBSCRIPTION = /* GraphQL */ `
    subscription {
      syncJobChanged(namespace: "demo", name: "redis") {
        kind
        job {
          id
          status
          repository {
            name
            description
          }
        }
      }
    }
  `;
  const viaGateway = (url: string, init: RequestInit) => gateway.fetch(url, init);

  it('passes syncJobChanged to the subgraph (SSE both ways) with the caller token, and events arrive with the catalog fields', async () => {
    const subscription = await subscribeSse('http://gateway/graphql', SUBSCRIPTION, { token: 'token-alice', fetch: viaGateway });
    expect(subscription.status).toBe(200);
    await vi.waitFor(() => expect(stack.app.live.subscribers).toBe(1));
    await vi.waitFor(() => expect(stack.simulator.requests.length).toBeGreaterThan(1));
    const [job] = stack.simulator.createJobs({ namespace: 'demo', repository: 'redis' });
    const [event] = await subscription.waitForResults(1);
    expect(event).toEqual({
      data: {
        syncJobChanged: {
          kind: 'CREATED',
          job: { id: String(job!.id), status: 'WAITING', repository: { name: 'redis', description: expect.any(String) } },
        },
      },
    });
    expect(stack.simulator.requests.every((request) => request.token === 'token-alice')).toBe(true);
    subscription.close();
    await vi.waitFor(() => expect(stack.app.live.subscribers).toBe(0), { timeout: 15_000 });
  });

  it('refuses a subscription without a token with the subgraph UNAUTHENTICATED, no SWR call', async () => {
    const subscription = await subscribeSse('http://gateway/graphql', SUBSCRIPTION, { token: null, fetch: viaGateway });
    await subscription.ended;
    expect(subscription.results[0]?.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(stack.simulator.requests).toEqual([]);
  });
});
