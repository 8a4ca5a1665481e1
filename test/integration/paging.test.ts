import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { positionToCursor } from '../../src/paging/cursor.js';
import { createDemoData, type SwrSimulator } from '../../src/simulator/index.js';
import { recordedFilters, startStack, type Stack } from '../support/stack.js';

// demo/nginx has 47 jobs; their ids in each order, as the simulator sorts them.
const nginx = createDemoData().tenants[0]!.namespaces.demo!.nginx!;
const byCreation = [...nginx].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id);
const ascIds = byCreation.map((job) => String(job.id));
const descIds = [...ascIds].reverse();

const PAGE = /* GraphQL */ `
  query Page($name: String!, $first: Int, $after: String, $last: Int, $before: String, $order: SortOrder) {
    repository(namespace: "demo", name: $name) {
      syncJobs(first: $first, after: $after, last: $last, before: $before, order: $order) {
        totalCount
        edges {
          cursor
          node {
            id
          }
        }
        nodes {
          id
        }
        pageInfo {
          hasNextPage
          hasPreviousPage
          startCursor
          endCursor
        }
      }
    }
  }
`;

let stack: Stack;
let simulator: SwrSimulator;
beforeAll(async () => {
  stack = await startStack({ inMemory: true });
  simulator = stack.simulator;
});
afterAll(() => stack.close());
beforeEach(() => simulator.clearRequests());

async function page(variables: Record<string, unknown>) {
  const response = await stack.query(PAGE, { variables: { name: 'nginx', ...variables } });
  expect(response.errors).toBeUndefined();
  return response.data.repository.syncJobs as {
    totalCount: number | null;
    edges: Array<{ cursor: string; node: { id: string } }>;
    nodes: Array<{ id: string }>;
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  };
}

async function cursorAt(order: 'ASC' | 'DESC', position: number): Promise<string> {
  const connection = await page({ first: position + 1, order });
  simulator.clearRequests();
  return connection.edges[position]!.cursor;
}

describe('translation of connection arguments to SWR filters', () => {
  it.each([
    ['DESC', 'desc'],
    ['ASC', 'asc'],
  ] as const)('first: 10 in %s asks limit::10|offset::0', async (order, upstreamOrder) => {
    await page({ first: 10, order });
    expect(recordedFilters(simulator)).toEqual([`limit::10|offset::0|order::${upstreamOrder}`]);
  });

  it.each([
    ['DESC', 'desc'],
    ['ASC', 'asc'],
  ] as const)(
    'first: 10, after the 10th item in %s reads from 10 items before the page to 10 after it, in one call',
    async (order, upstreamOrder) => {
      const after = await cursorAt(order, 9);
      const connection = await page({ first: 10, after, order });
      expect(recordedFilters(simulator)).toEqual([`limit::30|offset::0|order::${upstreamOrder}`]);
      expect(connection.nodes.map((node) => node.id)).toEqual((order === 'DESC' ? descIds : ascIds).slice(10, 20));
    },
  );

  it.each([
    ['DESC', 'desc'],
    ['ASC', 'asc'],
  ] as const)('first: 10, after a v1 cursor (a bare position) of the 10th item in %s asks offset::10', async (order, upstreamOrder) => {
    await page({ first: 10, after: positionToCursor(upstreamOrder, 9), order });
    expect(recordedFilters(simulator)).toEqual([`limit::10|offset::10|order::${upstreamOrder}`]);
  });

  it.each([
    ['DESC', 'desc'],
    ['ASC', 'asc'],
  ] as const)(
    'last: 5 before the 21st item in %s reads the five before it plus 10 each side (and the cursor’s job and one beyond), in one call',
    async (order, upstreamOrder) => {
      const before = await cursorAt(order, 20);
      const connection = await page({ last: 5, before, order });
      expect(recordedFilters(simulator)).toEqual([`limit::27|offset::5|order::${upstreamOrder}`]);
      expect(connection.nodes.map((node) => node.id)).toEqual((order === 'DESC' ? descIds : ascIds).slice(15, 20));
    },
  );

  it.each([
    ['DESC', 'desc'],
    ['ASC', 'asc'],
  ] as const)('last: 5, before a v1 cursor of the 21st item in %s asks the five items before it', async (order, upstreamOrder) => {
    await page({ last: 5, before: positionToCursor(upstreamOrder, 20), order });
    expect(recordedFilters(simulator)).toEqual([`limit::5|offset::15|order::${upstreamOrder}`]);
  });

  it.each([
    ['DESC', 'desc'],
    ['ASC', 'asc'],
  ] as const)('last: 5 alone in %s asks the head for the total, then the tail with 10 more each side', async (order, upstreamOrder) => {
    const connection = await page({ last: 5, order });
    expect(recordedFilters(simulator)).toEqual([
      `limit::5|offset::0|order::${upstreamOrder}`,
      `limit::25|offset::32|order::${upstreamOrder}`,
    ]);
    const ids = order === 'DESC' ? descIds : ascIds;
    expect(connection.nodes.map((node) => node.id)).toEqual(ids.slice(42));
  });

  it('last: 5 before a stale cursor past the end answers the last five items', async () => {
    const before = positionToCursor('desc', 60);
    const connection = await page({ last: 5, before });
    expect(connection.nodes.map((node) => node.id)).toEqual(descIds.slice(42));
    expect(connection.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    expect(recordedFilters(simulator)).toEqual(['limit::5|offset::55|order::desc', 'limit::5|offset::42|order::desc']);
  });

  it('last alone on a repository shorter than the page costs one call', async () => {
    const response = await stack.query(PAGE, { variables: { name: 'team/api', last: 10 } });
    expect(response.data.repository.syncJobs.nodes).toHaveLength(8);
    expect(recordedFilters(simulator)).toEqual(['limit::10|offset::0|order::desc']);
    expect(simulator.requests[0]!.path).toBe('/v2/manage/namespaces/demo/repos/team$api/sync_job');
  });

  it('without first or last asks DEFAULT_PAGE_SIZE items, newest first', async () => {
    const connection = await page({});
    expect(recordedFilters(simulator)).toEqual(['limit::20|offset::0|order::desc']);
    expect(connection.nodes.map((node) => node.id)).toEqual(descIds.slice(0, 20));
  });

  it('sends the filter percent-encoded as one query parameter', async () => {
    await page({ first: 3 });
    expect(simulator.requests[0]!.rawQuery).toBe('filter=limit%3A%3A3%7Coffset%3A%3A0%7Corder%3A%3Adesc');
  });
});

describe('connections', () => {
  it('answers the whole first page: edges, nodes, page info and total', async () => {
    const connection = await page({ first: 3 });
    expect(connection).toEqual({
      totalCount: 47,
      edges: descIds.slice(0, 3).map((id) => ({ cursor: expect.any(String), node: { id } })),
      nodes: descIds.slice(0, 3).map((id) => ({ id })),
      pageInfo: {
        hasNextPage: true,
        hasPreviousPage: false,
        startCursor: connection.edges[0]!.cursor,
        endCursor: connection.edges[2]!.cursor,
      },
    });
  });

  it('answers an empty repository with an empty page', async () => {
    const response = await stack.query(PAGE, { variables: { name: 'empty', first: 5 } });
    expect(response.data.repository.syncJobs).toEqual({
      totalCount: 0,
      edges: [],
      nodes: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
    });
  });

  it('answers first: 0 with the total and whether anything follows', async () => {
    const connection = await page({ first: 0 });
    expect(connection).toMatchObject({ totalCount: 47, edges: [], pageInfo: { hasNextPage: true, hasPreviousPage: false } });
    expect(recordedFilters(simulator)).toEqual(['limit::1|offset::0|order::desc']);
  });

  it.each(['DESC', 'ASC'] as const)('visits every job exactly once walking forwards in %s', async (order) => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const connection = await page({ first: 10, after, order });
      seen.push(...connection.nodes.map((node) => node.id));
      expect(connection.pageInfo.hasPreviousPage).toBe(pages > 0);
      pages += 1;
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(pages).toBe(5);
    expect(seen).toEqual(order === 'DESC' ? descIds : ascIds);
    expect(simulator.requests).toHaveLength(5);
  });

  it.each(['DESC', 'ASC'] as const)('visits every job exactly once walking backwards in %s', async (order) => {
    const seen: string[] = [];
    let before: string | null = null;
    let pages = 0;
    for (;;) {
      const connection = await page({ last: 10, before, order });
      seen.unshift(...connection.nodes.map((node) => node.id));
      expect(connection.pageInfo.hasNextPage).toBe(pages > 0);
      pages += 1;
      if (!connection.pageInfo.hasPreviousPage) break;
      before = connection.pageInfo.startCursor;
    }
    expect(pages).toBe(5);
    expect(seen).toEqual(order === 'DESC' ? descIds : ascIds);
  });

  it('keeps working without Content-Range, with totalCount null', async () => {
    simulator.addFault({ noContentRange: true });
    try {
      const first = await page({ first: 10 });
      expect(first).toMatchObject({ totalCount: null, pageInfo: { hasNextPage: true, hasPreviousPage: false } });
      expect(recordedFilters(simulator)).toEqual(['limit::10|offset::0|order::desc', 'limit::1|offset::10|order::desc']);
      const last = await page({ first: 10, after: await cursorAt('DESC', 39) });
      expect(last.nodes.map((node) => node.id)).toEqual(descIds.slice(40));
      expect(last.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    } finally {
      simulator.clearFaults();
    }
  });

  it('serves cursors that only work with their own order', async () => {
    const after = await cursorAt('DESC', 3);
    const response = await stack.query(PAGE, { variables: { name: 'nginx', first: 2, after, order: 'ASC' } });
    expect(response.errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('belongs to order DESC, not ASC'),
        path: ['repository', 'syncJobs'],
        extensions: { code: 'BAD_USER_INPUT' },
      }),
    ]);
    expect(simulator.requests).toHaveLength(0);
  });
});

describe('job fields', () => {
  it('maps every SWR field to the schema', async () => {
    const response = await stack.query(/* GraphQL */ `
      {
        repository(namespace: "demo", name: "team/api") {
          syncJobs(first: 1, order: ASC) {
            nodes {
              id
              status
              tag
              namespace
              repoName
              remoteRegionId
              remoteNamespace
              override
              domainId
              domainName
              syncOperatorId
              syncOperatorName
              createdAt
              updatedAt
              repository {
                namespace
                name
              }
            }
          }
        }
      }
    `);
    const job = createDemoData()
      .tenants[0]!.namespaces.demo!['team/api']!.slice()
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0]!;
    expect(response.data.repository.syncJobs.nodes).toEqual([
      {
        id: String(job.id),
        status: job.status.toUpperCase(),
        tag: job.tag,
        namespace: 'demo',
        repoName: 'team/api',
        remoteRegionId: job.remoteRegionId,
        remoteNamespace: job.remoteNamespace,
        override: job.override,
        domainId: job.domainID,
        domainName: job.domainName,
        syncOperatorId: job.syncOperatorId,
        syncOperatorName: job.syncOperatorName,
        createdAt: job.createdAt,
        updatedAt: job.updatedAt,
        repository: { namespace: 'demo', name: 'team/api' },
      },
    ]);
  });

  it('covers all seven statuses in demo/nginx', async () => {
    const response = await stack.query(`{ repository(namespace: "demo", name: "nginx") { syncJobs(first: 100) { nodes { status } } } }`);
    const statuses = new Set(response.data.repository.syncJobs.nodes.map((node: { status: string }) => node.status));
    expect([...statuses].sort()).toEqual(['CANCEL', 'EXISTED', 'FAILED', 'RUNNING', 'SUCCESS', 'TIMEOUT', 'WAITING']);
  });
});
