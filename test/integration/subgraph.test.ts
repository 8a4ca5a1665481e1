import { describe, expect, it } from 'vitest';
import { repositoryResolvers } from '../../src/graphql/resolvers/repository.js';
import { MAX_ENTITY_REPRESENTATIONS } from '../../src/model/limits.js';
import { createTenantData } from '../../src/simulator/index.js';
import { useStack } from '../support/stack.js';

const names = Array.from({ length: 60 }, (_, index) => `app-${index}`);
const data = {
  tenants: [
    createTenantData({
      domainId: 'd',
      domainName: 'tenant',
      namespaces: { demo: Object.fromEntries([...names.map((name): [string, number] => [name, 3]), ['nginx', 47], ['redis', 12]]) },
      idBase: 1,
    }),
  ],
};

const ENTITIES = /* GraphQL */ `
  query ($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Repository {
        namespace
        name
        syncJobs(first: 2) {
          totalCount
          nodes {
            id
          }
        }
      }
    }
  }
`;
const repo = (name: string) => ({ __typename: 'Repository', namespace: 'demo', name });

const stack = useStack({ data, inMemory: true });

describe('the federation subgraph', () => {
  it('serves its SDL with the Federation v2 link and the Repository key', async () => {
    const response = await stack.query(`{ _service { sdl } }`, { token: null });
    const sdl: string = response.data._service.sdl;
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.3"');
    expect(sdl).toMatch(/type Repository implements Node\s+@key\(fields: "namespace name"\)/);
    expect(sdl).toMatch(/type PageInfo\s+@shareable/);
    expect(sdl).toContain('syncJobs(');
  });

  it('resolves Repository entities through the page loader, duplicates once', async () => {
    const response = await stack.query(ENTITIES, {
      variables: { representations: [repo('nginx'), repo('redis'), repo('nginx')] },
      headers: { 'x-debug-upstream': '1' },
    });
    expect(response.errors).toBeUndefined();
    expect(
      response.data._entities.map((entity: { name: string; syncJobs: { totalCount: number } }) => [
        entity.name,
        entity.syncJobs.totalCount,
      ]),
    ).toEqual([
      ['nginx', 47],
      ['redis', 12],
      ['nginx', 47],
    ]);
    expect(stack.simulator.requests.map((request) => request.repository).sort()).toEqual(['nginx', 'redis']);
    expect((response.extensions as any).upstream).toMatchObject({ calls: 2, lookups: 3, deduplicated: 1 });
  });

  it('fetches distinct entities concurrently', async () => {
    stack.simulator.addFault({ latencyMs: 150 });
    const response = await stack.query(ENTITIES, { variables: { representations: names.slice(0, 10).map(repo) } });
    expect(response.errors).toBeUndefined();
    expect(stack.simulator.requests).toHaveLength(10);
    expect(stack.simulator.maxInFlight).toBe(10);
  });

  it('refuses an invalid representation at its own index only, with no call for it', async () => {
    const response = await stack.query(ENTITIES, { variables: { representations: [repo('Bad Name'), repo('redis')] } });
    expect(response.data._entities[0]).toBeNull();
    expect(response.data._entities[1].syncJobs.totalCount).toBe(12);
    expect(response.errors).toEqual([
      expect.objectContaining({ path: ['_entities', 0], extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
    ]);
    expect(stack.simulator.requests.map((request) => request.repository)).toEqual(['redis']);
  });

  it('refuses a representation of an unknown type (or none) at its own index, with no call for it; the rest resolve', async () => {
    const response = await stack.query(
      `query ($representations: [_Any!]!) { x: repository(namespace: "demo", name: "nginx") { name } ` +
        `_entities(representations: $representations) { ... on Repository { name syncJobs(first: 1) { totalCount } } } }`,
      { variables: { representations: [repo('redis'), { __typename: 'Nope', id: 1 }, { id: 2 }] } },
    );
    expect(response.data).toEqual({ x: { name: 'nginx' }, _entities: [{ name: 'redis', syncJobs: { totalCount: 12 } }, null, null] });
    expect(response.errors).toEqual([
      expect.objectContaining({
        message: 'representations[1] has "Nope": this subgraph resolves Repository entities',
        path: ['_entities', 1],
        extensions: { code: 'BAD_USER_INPUT' },
      }),
      expect.objectContaining({
        message: 'representations[2] has no __typename: this subgraph resolves Repository entities',
        path: ['_entities', 2],
        extensions: { code: 'BAD_USER_INPUT' },
      }),
    ]);
    expect(stack.simulator.requests.map((request) => request.repository)).toEqual(['redis']);
  });

  it('refuses a representation typed as an interface (Node): only entities, which the estimate counts', async () => {
    const nodes = names.slice(0, 10).map((name) => ({ ...repo(name), __typename: 'Node' }));
    const response = await stack.query(ENTITIES, { variables: { representations: nodes } });
    expect(response.data._entities).toEqual(nodes.map(() => null));
    expect(response.errors).toHaveLength(10);
    expect(response.errors![0]).toEqual(
      expect.objectContaining({
        message: 'representations[0] has "Node": this subgraph resolves Repository entities',
        path: ['_entities', 0],
        extensions: { code: 'BAD_USER_INPUT' },
      }),
    );
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it(`refuses more than ${MAX_ENTITY_REPRESENTATIONS} representations at once, before resolving any`, async () => {
    const many = Array.from({ length: MAX_ENTITY_REPRESENTATIONS + 1 }, (_, index) => repo(index % 2 ? 'Bad Name' : 'redis'));
    const response = await stack.query(ENTITIES, { variables: { representations: many } });
    // The operation is refused before it runs: no data; the error names the field it is about.
    expect(response.data).toBeUndefined();
    expect(response.errors).toEqual([expect.objectContaining({ path: ['_entities'], extensions: { code: 'BAD_USER_INPUT' } })]);
    expect(response.errors![0]!.message).toMatch(/at most 100 representations/);
    expect(stack.simulator.requests).toHaveLength(0);
    const exactly = await stack.query(ENTITIES, { variables: { representations: names.slice(0, 20).map(repo) } });
    expect(exactly.errors).toBeUndefined();
  });

  // Vitest fails the run on an unhandled rejection, which would end a real gateway process: an
  // invalid representation's rejection must count as handled even when nobody awaits it (as when
  // @apollo/subgraph drops the list after a later representation throws).
  it('refuses an invalid representation with a rejection that cannot end the process', async () => {
    const resolveReference = repositoryResolvers.__resolveReference as unknown as (reference: object) => Promise<unknown>;
    const refused = resolveReference({ __typename: 'Repository', namespace: 'demo', name: 'Bad Name' });
    // Node reports unhandled rejections once the microtask queue drains: a turn of the event loop is past that.
    await new Promise((resolve) => setImmediate(resolve));
    await expect(refused).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    const response = await stack.query(ENTITIES, { variables: { representations: [repo('Bad Name'), { __typename: 'Nope' }] } });
    expect(response.errors).toHaveLength(2);
    expect(response.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: ['_entities', 0], extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
        expect.objectContaining({ path: ['_entities', 1], extensions: { code: 'BAD_USER_INPUT' } }),
      ]),
    );
  });

  it('counts representations in the upstream-call budget', async () => {
    const response = await stack.query(ENTITIES, { variables: { representations: names.slice(0, 51).map(repo) } });
    expect(response.errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'OPERATION_TOO_EXPENSIVE', estimatedUpstreamCalls: 51 }) }),
    ]);
    expect(stack.simulator.requests).toHaveLength(0);
  });
});
