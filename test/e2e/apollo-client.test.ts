import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it, vi } from 'vitest';
import WebSocket from 'ws';
import { createSwrGatewayClient } from '../../examples/apollo-client/create-swr-gateway-client.js';
import { followSyncJobChanges } from '../../examples/apollo-client/live-sync-jobs.js';
import {
  cachedSyncJobs,
  loadNextSyncJobs,
  loadPreviousSyncJobs,
  watchSyncJobs,
  type SyncJobsQuery,
} from '../../examples/apollo-client/sync-jobs-pager.js';
import { typePolicies } from '../../examples/apollo-client/type-policies.js';
import {
  RepositoriesDashboardDocument,
  type SyncJobStatus,
  type SyncJobsPageQueryVariables,
} from '../../examples/operations/__generated__/graphql.js';
import { startStack, type Stack } from '../support/stack.js';

// Apollo Client (no React) against the real gateway and simulator: the examples' cache policies
// and typed documents must page through demo/nginx (47 jobs) exactly as the gateway orders them.

const NGINX = { namespace: 'demo', name: 'nginx' } as const;
const NGINX_JOBS = 47;

let stack: Stack;
// demo/nginx in one request (`first: 47`): what every paging walk must add up to; `backCursors`
// from `last: 47`, as pages read backwards issue them (their cursors say so: see the README's ties).
let expected: { ids: string[]; cursors: string[]; backCursors: string[] };

beforeAll(async () => {
  stack = await startStack();
  const response = await stack.query(
    `{ repository(namespace: "demo", name: "nginx") { syncJobs(first: ${NGINX_JOBS}) { totalCount edges { cursor node { id } } pageInfo ` +
      '{ hasNextPage hasPreviousPage } } } }',
  );
  expect(response.errors).toBeUndefined();
  const connection = response.data.repository.syncJobs;
  expect(connection).toMatchObject({ totalCount: NGINX_JOBS, pageInfo: { hasNextPage: false, hasPreviousPage: false } });
  const edges = connection.edges as Array<{ cursor: string; node: { id: string } }>;
  const backward = await stack.query(
    `{ repository(namespace: "demo", name: "nginx") { syncJobs(last: ${NGINX_JOBS}) { edges { cursor node { id } } } } }`,
  );
  const backEdges = backward.data.repository.syncJobs.edges as Array<{ cursor: string; node: { id: string } }>;
  expected = {
    ids: edges.map((edge) => edge.node.id),
    cursors: edges.map((edge) => edge.cursor),
    backCursors: backEdges.map((edge) => edge.cursor),
  };
  expect(new Set(expected.ids).size).toBe(NGINX_JOBS);
  expect(backEdges.map((edge) => edge.node.id)).toEqual(expected.ids);
});
afterAll(() => stack.close());

// The client of the README (HttpLink + InMemoryCache with the examples' typePolicies), plus the
// variables of every request it sends, in order.
function createRecordingClient() {
  const requests: Array<Record<string, unknown>> = [];
  const recordingFetch: typeof fetch = (input, init) => {
    requests.push((JSON.parse(init?.body as string) as { variables: Record<string, unknown> }).variables);
    return fetch(input, init);
  };
  const client = new ApolloClient({
    link: new HttpLink({ uri: stack.url, headers: { 'X-Auth-Token': 'demo' }, fetch: recordingFetch }),
    cache: new InMemoryCache({ typePolicies }),
  });
  return { client, requests };
}

// Watches SyncJobsPage as a component would (useQuery) and resolves once the first page is in;
// the subscription keeps the query active so that fetchMore results reach it.
async function watchUntilLoaded(client: ApolloClient, variables: SyncJobsPageQueryVariables): Promise<SyncJobsQuery> {
  const jobs = watchSyncJobs(client, variables);
  await new Promise<void>((resolve, reject) => {
    jobs.subscribe({
      next: (result) => {
        if (result.error) reject(result.error instanceof Error ? result.error : new Error('the query failed'));
        else if (result.dataState === 'complete') resolve();
      },
      error: reject,
    });
  });
  return jobs;
}

const idsOf = (connection: { edges: Array<{ node: { id: string } }> } | undefined) => connection?.edges.map((edge) => edge.node.id) ?? [];

describe('Apollo Client with relayStylePagination', () => {
  it('pages forwards through all 47 jobs with fetchMore(first: 10, after: endCursor), each job once, in the gateway order', async () => {
    const { client, requests } = createRecordingClient();
    const jobs = await watchUntilLoaded(client, { ...NGINX, first: 10 });
    const merged = [idsOf(cachedSyncJobs(client, jobs)).length];
    while (await loadNextSyncJobs(client, jobs, 10)) merged.push(idsOf(cachedSyncJobs(client, jobs)).length);

    const connection = cachedSyncJobs(client, jobs);
    expect(merged).toEqual([10, 20, 30, 40, 47]);
    expect(idsOf(connection)).toEqual(expected.ids);
    expect(connection?.totalCount).toBe(NGINX_JOBS);
    expect(connection?.pageInfo).toMatchObject({
      hasNextPage: false,
      hasPreviousPage: false,
      startCursor: expected.cursors[0],
      endCursor: expected.cursors[46],
    });
    expect(requests).toEqual([
      { ...NGINX, first: 10, order: 'DESC' },
      ...[9, 19, 29, 39].map((index) => ({ ...NGINX, first: 10, after: expected.cursors[index], order: 'DESC' })),
    ]);
    // The watching component sees the merged list too, not just the last page.
    await vi.waitFor(() => expect(idsOf(jobs.getCurrentResult().data?.repository?.syncJobs as never)).toEqual(expected.ids));
    expectTypeOf(connection!.edges[0]!.node.status).toEqualTypeOf<SyncJobStatus>();
    jobs.stop();
  });

  it('pages backwards from last: 10 with fetchMore(last: 10, before: startCursor), each job once, in the gateway order', async () => {
    const { client, requests } = createRecordingClient();
    const jobs = await watchUntilLoaded(client, { ...NGINX, last: 10 });
    expect(idsOf(cachedSyncJobs(client, jobs))).toEqual(expected.ids.slice(-10));
    expect(cachedSyncJobs(client, jobs)?.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const merged = [10];
    while (await loadPreviousSyncJobs(client, jobs, 10)) merged.push(idsOf(cachedSyncJobs(client, jobs)).length);

    const connection = cachedSyncJobs(client, jobs);
    expect(merged).toEqual([10, 20, 30, 40, 47]);
    expect(idsOf(connection)).toEqual(expected.ids);
    expect(connection?.totalCount).toBe(NGINX_JOBS);
    expect(connection?.pageInfo).toMatchObject({
      hasNextPage: false,
      hasPreviousPage: false,
      startCursor: expected.backCursors[0],
      endCursor: expected.backCursors[46],
    });
    expect(requests).toEqual([
      { ...NGINX, last: 10, order: 'DESC' },
      ...[37, 27, 17, 7].map((index) => ({ ...NGINX, last: 10, before: expected.backCursors[index], order: 'DESC' })),
    ]);
    await vi.waitFor(() => expect(idsOf(jobs.getCurrentResult().data?.repository?.syncJobs as never)).toEqual(expected.ids));
    jobs.stop();
  });

  it('keeps one list per order: ASC pages do not mix into the DESC list', async () => {
    const { client } = createRecordingClient();
    const newest = await watchUntilLoaded(client, { ...NGINX, first: 10 });
    const oldest = await watchUntilLoaded(client, { ...NGINX, first: 10, order: 'ASC' });
    await loadNextSyncJobs(client, oldest, 10);

    expect(idsOf(cachedSyncJobs(client, newest))).toEqual(expected.ids.slice(0, 10));
    expect(idsOf(cachedSyncJobs(client, oldest))).toEqual(expected.ids.toReversed().slice(0, 20));
    newest.stop();
    oldest.stop();
  });

  it('keeps a paged list when a dashboard asks for the same repository without a cursor or order', async () => {
    const { client } = createRecordingClient();
    const jobs = await watchUntilLoaded(client, { ...NGINX, first: 20 });
    while (await loadNextSyncJobs(client, jobs, 20));
    await client.query({ query: RepositoriesDashboardDocument, variables: { refs: [NGINX] } });

    // relayStylePagination replaces a list with a page fetched without a cursor; the dashboard's
    // `syncJobs(first: $latest)` has no `order` argument, so it is stored apart.
    expect(idsOf(cachedSyncJobs(client, jobs))).toEqual(expected.ids);
    jobs.stop();
  });

  it('normalizes repositories by namespace and name, and sync jobs by id', async () => {
    const { client } = createRecordingClient();
    await watchUntilLoaded(client, { namespace: 'demo', name: 'team/api', first: 2 }).then((jobs) => jobs.stop());
    const cache = client.extract() as Record<string, { syncJobs?: unknown } | undefined>;
    const key = client.cache.identify({ __typename: 'Repository', namespace: 'demo', name: 'team/api' });

    expect(key).toBe('Repository:{"namespace":"demo","name":"team/api"}');
    expect(Object.keys(cache[key!] ?? {}).sort()).toEqual(['__typename', 'name', 'namespace', 'syncJobs:{"order":"DESC"}']);
    expect(Object.keys(cache).filter((id) => id.startsWith('SyncJob:'))).toHaveLength(2);
  });
});

describe('createSwrGatewayClient', () => {
  it('runs the typed RepositoriesDashboard operation over the four demo repositories', async () => {
    const client = createSwrGatewayClient({ uri: stack.url, token: 'demo' });
    const { data, error } = await client.query({
      query: RepositoriesDashboardDocument,
      variables: { refs: ['nginx', 'redis', 'team/api', 'empty'].map((name) => ({ namespace: 'demo', name })) },
    });

    expect(error).toBeUndefined();
    const summary = data?.repositories.map((repository) => ({
      name: repository?.name,
      totalCount: repository?.syncJobs?.totalCount,
      jobs: repository?.syncJobs?.edges.length,
      hasNextPage: repository?.syncJobs?.pageInfo.hasNextPage,
    }));
    expect(summary).toEqual([
      { name: 'nginx', totalCount: 47, jobs: 3, hasNextPage: true },
      { name: 'redis', totalCount: 12, jobs: 3, hasNextPage: true },
      { name: 'team/api', totalCount: 8, jobs: 3, hasNextPage: true },
      { name: 'empty', totalCount: 0, jobs: 0, hasNextPage: false },
    ]);
    expect(data?.repositories[0]?.syncJobs?.edges.map((edge) => edge.node.id)).toEqual(expected.ids.slice(0, 3));
  });

  it('sends the caller token as X-Auth-Token', async () => {
    const tokens: Array<string | null> = [];
    const client = createSwrGatewayClient({
      uri: stack.url,
      token: 'caller-token',
      fetch: (input, init) => {
        tokens.push(new Headers(init?.headers).get('x-auth-token'));
        return fetch(input, init);
      },
    });
    await client.query({ query: RepositoriesDashboardDocument, variables: { refs: [{ namespace: 'demo', name: 'redis' }], latest: 1 } });
    expect(tokens).toEqual(['caller-token']);
  });
});

describe('persisted queries with createSwrGatewayClient', () => {
  // What the client sent: method, whether the text went along, the persisted hash.
  const recording = () => {
    const sent: Array<{ method: string; text: boolean; hash: string | null; documentId: string | null }> = [];
    const recordingFetch: typeof fetch = (input, init) => {
      const url = new URL(input instanceof Request ? input.url : input);
      const body = init?.body ? (JSON.parse(init.body as string) as Record<string, any>) : null;
      const extensions = body?.extensions ?? JSON.parse(url.searchParams.get('extensions') ?? 'null');
      sent.push({
        method: init?.method ?? 'GET',
        text: typeof (body?.query ?? url.searchParams.get('query')) === 'string',
        hash: extensions?.persistedQuery?.sha256Hash ?? null,
        documentId: body?.documentId ?? null,
      });
      return fetch(input, init);
    };
    return { sent, recordingFetch };
  };
  const variables = { refs: [{ namespace: 'demo', name: 'redis' }], latest: 1 };

  it("automatic: Apollo's PersistedQueryLink sends the hash, the text once on PERSISTED_QUERY_NOT_FOUND, then the hash alone", async () => {
    const apq = await startStack();
    try {
      const first = recording();
      const one = createSwrGatewayClient({ uri: apq.url, token: 'demo', fetch: first.recordingFetch, persistedQueries: 'automatic' });
      const answer = await one.query({ query: RepositoriesDashboardDocument, variables });
      expect(answer.error).toBeUndefined();
      expect(answer.data?.repositories[0]?.syncJobs?.totalCount).toBe(12);
      const hash = first.sent[0]!.hash;
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
      expect(first.sent).toEqual([
        { method: 'GET', text: false, hash, documentId: null },
        { method: 'POST', text: true, hash, documentId: null },
      ]);
      // Another browser, the same operation: the gateway knows the hash now.
      const second = recording();
      const two = createSwrGatewayClient({ uri: apq.url, token: 'demo', fetch: second.recordingFetch, persistedQueries: 'automatic' });
      expect((await two.query({ query: RepositoriesDashboardDocument, variables })).data?.repositories[0]?.name).toBe('redis');
      expect(second.sent).toEqual([{ method: 'GET', text: false, hash, documentId: null }]);
    } finally {
      await apq.close();
    }
  });

  it('trusted: ids from the manifest `npm run persist` writes, against a gateway that runs nothing else', async () => {
    const manifestPath = new URL('../../examples/apollo-client/persisted-query-manifest.json', import.meta.url).pathname;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { operations: Array<{ id: string; name: string }> };
    const trusted = await startStack({ env: { PERSISTED_DOCUMENTS: manifestPath, PERSISTED_DOCUMENTS_ONLY: 'true' } });
    try {
      const { sent, recordingFetch } = recording();
      const client = createSwrGatewayClient({
        uri: trusted.url,
        token: 'demo',
        fetch: recordingFetch,
        persistedQueries: { manifest },
      });
      const answer = await client.query({ query: RepositoriesDashboardDocument, variables });
      expect(answer.error).toBeUndefined();
      expect(answer.data?.repositories[0]?.syncJobs?.totalCount).toBe(12);
      const id = manifest.operations.find((operation) => operation.name === 'RepositoriesDashboard')!.id;
      expect(sent).toEqual([{ method: 'POST', text: false, hash: id, documentId: null }]);
      // Without persisted queries a client sends its texts: a manifest document's own text runs (it
      // is trusted word for word, as over graphql-ws), any other is refused before reaching SWR.
      const plain = createSwrGatewayClient({ uri: trusted.url, token: 'demo' });
      const same = await plain.query({ query: RepositoriesDashboardDocument, variables, fetchPolicy: 'network-only' });
      expect(same.data?.repositories[0]?.syncJobs?.totalCount).toBe(12);
      trusted.simulator.clearRequests();
      const other = parse('query Other { repository(namespace: "demo", name: "redis") { name } }');
      await expect(plain.query({ query: other, fetchPolicy: 'network-only' })).rejects.toThrow('Only persisted documents run here');
      expect(trusted.simulator.requests).toHaveLength(0);
    } finally {
      await trusted.close();
    }
  });
});

describe('live updates with Apollo Client (examples/apollo-client/live-sync-jobs.ts)', () => {
  let live: Stack;
  beforeAll(async () => {
    live = await startStack({ env: { WATCH_INTERVAL_MS: '100' } });
  });
  afterAll(() => live.close());

  it('subscribes over graphql-ws and keeps the watched list current: new jobs at the top, statuses in place', async () => {
    const client = createSwrGatewayClient({ uri: live.url, token: 'demo', webSocketImpl: WebSocket });
    const jobs = watchSyncJobs(client, { namespace: 'demo', name: 'redis', first: 5 });
    const seen: string[][] = [];
    const watching = jobs.subscribe(({ data }) => {
      const edges = data?.repository?.syncJobs?.edges;
      if (edges) seen.push(edges.map((edge) => `${edge.node!.id}:${edge.node!.status}`));
    });
    await vi.waitFor(() => expect(seen.length).toBeGreaterThan(0));
    const initial = seen.at(-1)!;
    expect(initial).toHaveLength(5);

    const changes: string[] = [];
    const stop = followSyncJobChanges(client, { namespace: 'demo', name: 'redis' }, (change) => changes.push(change.kind));
    await vi.waitFor(() => expect(live.app.live.subscribers).toBe(1));
    await vi.waitFor(() => expect(live.simulator.requests.length).toBeGreaterThan(1));

    const [job] = live.simulator.createJobs({ namespace: 'demo', repository: 'redis' });
    await vi.waitFor(() => expect(seen.at(-1)).toEqual([`${job!.id}:WAITING`, ...initial]));
    expect(cachedSyncJobs(client, jobs)?.totalCount).toBe(13);

    live.simulator.updateJob({ namespace: 'demo', repository: 'redis', id: job!.id, status: 'running' });
    await vi.waitFor(() => expect(seen.at(-1)).toEqual([`${job!.id}:RUNNING`, ...initial]));
    expect(changes).toEqual(['CREATED', 'UPDATED']);
    // The newer list pages on from the server's cursors as before.
    expect(await loadNextSyncJobs(client, jobs, 5)).toBe(true);
    await vi.waitFor(() => expect(seen.at(-1)).toHaveLength(11));

    stop();
    watching.unsubscribe();
    await vi.waitFor(() => expect(live.app.live.subscribers).toBe(0));
    client.stop();
  });
});
