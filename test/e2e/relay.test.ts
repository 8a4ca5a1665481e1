import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema, parse, print, printType, specifiedDirectives, visit, type FieldDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  commitLocalUpdate,
  ConnectionHandler,
  createOperationDescriptor,
  fetchQuery,
  requestSubscription,
  type GraphQLTaggedNode,
} from 'relay-runtime';
import WebSocket from 'ws';
import repositorySyncJobsQueryNode from '../../examples/relay/__generated__/RepositorySyncJobsQuery.graphql.js';
import syncJobListSubscriptionNode from '../../examples/relay/__generated__/SyncJobListSubscription.graphql.js';
import { CLIENT_SCHEMA_HEADER, printClientSchema } from '../../examples/relay/print-schema.mjs';
import { createRelayEnvironment } from '../../examples/relay/relay-environment.js';
import { syncJobChangesConfig, type SyncJobChangesOperation } from '../../examples/relay/sync-job-changes.js';
import { createSchema } from '../../src/graphql/schema.js';
import { startStack, type Stack } from '../support/stack.js';

// examples/relay is compiled by relay-compiler against the client-facing schema. These tests keep
// the committed schema.graphql and artifacts fresh, prove that the schema satisfies Relay's
// connection rules (and that a schema breaking them fails to compile), and run the operations
// Relay generates against the gateway.

// The artifacts relay-compiler wrote: what babel-plugin-relay puts in place of each graphql`` tag in an app.
const repositorySyncJobsQuery = repositorySyncJobsQueryNode;
const syncJobListSubscription = syncJobListSubscriptionNode as GraphQLTaggedNode;

const RELAY_EXAMPLE = fileURLToPath(new URL('../../examples/relay/', import.meta.url));
const ARTIFACTS = join(RELAY_EXAMPLE, '__generated__');
// relay-compiler's package resolves to its platform's binary, or null where it has none.
const relayCompiler = createRequire(import.meta.url)('relay-compiler') as string | null;

const clientSchema = printClientSchema(createSchema());
const temporaryDirectories: string[] = [];
afterAll(() => {
  for (const directory of temporaryDirectories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

interface Compilation {
  status: number | null;
  /** stdout and stderr, without colours. */
  output: string;
  /** File name → content of what relay-compiler wrote to __generated__. */
  artifacts: Record<string, string>;
  /** What it wrote to persisted-queries.json (persistConfig). */
  persisted: string;
}

// Copies examples/relay (sources and relay.config.json, not its artifacts) into a fresh
// directory, with `schema` as its schema.graphql, and runs relay-compiler there.
function compileRelayExample(schema: string): Compilation {
  expect(relayCompiler, `relay-compiler has no binary for ${process.platform}/${process.arch}`).toBeTruthy();
  const directory = mkdtempSync(join(tmpdir(), 'swr-relay-'));
  temporaryDirectories.push(directory);
  cpSync(RELAY_EXAMPLE, directory, { recursive: true, filter: (source) => !source.includes('__generated__') });
  mkdirSync(join(directory, '__generated__'));
  writeFileSync(join(directory, 'schema.graphql'), schema);
  // As `npm run relay` does: the persisted documents are written afresh, never added to old ones.
  writeFileSync(join(directory, 'persisted-queries.json'), '{}');
  const run = spawnSync(relayCompiler!, [], { cwd: directory, encoding: 'utf8', timeout: 60_000 });
  return {
    status: run.status,
    // ANSI colour codes out (ESC [ … m).
    output: `${run.stdout}${run.stderr}`.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), ''),
    artifacts: readArtifacts(join(directory, '__generated__')),
    persisted: readFileSync(join(directory, 'persisted-queries.json'), 'utf8'),
  };
}

const readArtifacts = (directory: string) =>
  Object.fromEntries(
    readdirSync(directory)
      .sort()
      .map((file) => [file, readFileSync(join(directory, file), 'utf8')]),
  );

// The schema without one field of one type, printed again (so descriptions stay well-formed).
function withoutField(sdl: string, typeName: string, fieldName: string): string {
  const mutated = print(
    visit(parse(sdl), {
      ObjectTypeDefinition: (node) =>
        node.name.value === typeName
          ? { ...node, fields: node.fields?.filter((field: FieldDefinitionNode) => field.name.value !== fieldName) }
          : undefined,
    }),
  );
  expect(mutated).not.toBe(print(parse(sdl)));
  return mutated;
}

// The persisted documents relay-compiler wrote (persistConfig): SHA-256 id → operation text.
const PERSISTED = join(RELAY_EXAMPLE, 'persisted-queries.json');
const persistedDocuments = () => JSON.parse(readFileSync(PERSISTED, 'utf8')) as Record<string, string>;

// The id Relay sends for a generated query artifact (its `params.id`, a `doc_id`), and its text.
function operationIdOf(artifact: string): string {
  const match = /"id": "([0-9a-f]{64})"/.exec(readFileSync(join(ARTIFACTS, artifact), 'utf8'));
  expect(match, `no persisted id in ${artifact}`).not.toBeNull();
  return match![1]!;
}
function operationTextOf(artifact: string): string {
  const text = persistedDocuments()[operationIdOf(artifact)];
  expect(text, `${artifact}'s id is not in persisted-queries.json`).toBeTypeOf('string');
  return text!;
}

describe('examples/relay: the client schema', () => {
  it('is committed as examples/relay/schema.graphql (run `npm run relay`)', () => {
    expect(readFileSync(join(RELAY_EXAMPLE, 'schema.graphql'), 'utf8')).toBe(`${CLIENT_SCHEMA_HEADER}${clientSchema}\n`);
  });

  it('is the served schema without the federation types, fields and directives', () => {
    const served = createSchema();
    const client = buildSchema(clientSchema);
    const isFederationName = (name: string) => /^_[^_]|^link__|^federation__/.test(name);
    const clientTypes = Object.keys(client.getTypeMap()).sort();

    expect(clientTypes).toEqual(
      Object.keys(served.getTypeMap())
        .filter((name) => !isFederationName(name))
        .sort(),
    );
    for (const name of clientTypes.filter((type) => type !== 'Query'))
      expect(printType(client.getType(name)!)).toBe(printType(served.getType(name)!));
    expect(Object.keys(served.getQueryType()!.getFields()).sort()).toEqual([
      '_entities',
      '_service',
      'node',
      'nodes',
      'repositories',
      'repository',
    ]);
    expect(Object.keys(client.getQueryType()!.getFields())).toEqual(['repository', 'repositories', 'node', 'nodes']);
    expect(client.getDirectives().map((directive) => directive.name)).toEqual(specifiedDirectives.map((directive) => directive.name));
    expect(clientSchema).not.toMatch(/_entities|_service|_Any|_Entity|@link|@key|@shareable|link__|federation__/);
  });
});

describe('examples/relay: relay-compiler', () => {
  it('compiles the pagination fragment and queries into exactly the committed __generated__ artifacts (run `npm run relay`)', () => {
    const compilation = compileRelayExample(clientSchema);
    expect(compilation.output).toContain('Compilation completed');
    expect(compilation.status).toBe(0);
    expect(Object.keys(compilation.artifacts)).toEqual([
      'RepositorySyncJobsQuery.graphql.ts',
      'SyncJobListPaginationQuery.graphql.ts',
      'SyncJobListSubscription.graphql.ts',
      'SyncJobList_repository.graphql.ts',
    ]);
    // The refetch query Relay generates for a fragment on a Node: `node(id:)`.
    expect(operationTextOf('SyncJobListPaginationQuery.graphql.ts')).toMatch(
      /node\(id: \$id\) \{\s+__typename\s+\.\.\.SyncJobList_repository/,
    );
    expect(compilation.artifacts).toEqual(readArtifacts(ARTIFACTS));
    expect(compilation.persisted).toBe(readFileSync(PERSISTED, 'utf8'));
    // Every operation is persisted under the SHA-256 of its text (what APQ clients send as well).
    const documents = persistedDocuments();
    expect(Object.keys(documents)).toHaveLength(3);
    for (const [id, text] of Object.entries(documents)) expect(createHash('sha256').update(text).digest('hex')).toBe(id);
  });

  it.each([
    [
      'PageInfo has no hasNextPage',
      () => withoutField(clientSchema, 'PageInfo', 'hasNextPage'),
      /@connection used on invalid field 'syncJobs'.*'pageInfo \{ hasNextPage \}'/,
    ],
    [
      'PageInfo has no endCursor',
      () => withoutField(clientSchema, 'PageInfo', 'endCursor'),
      /@connection used on invalid field 'syncJobs'.*'pageInfo \{ endCursor \}'/,
    ],
    [
      'edges have no cursor',
      () => withoutField(clientSchema, 'SyncJobEdge', 'cursor'),
      /@connection used on invalid field 'syncJobs'.*'edges \{ cursor \}'/,
    ],
    [
      'the connection has no pageInfo',
      () => withoutField(clientSchema, 'SyncJobConnection', 'pageInfo'),
      /@connection used on invalid field 'syncJobs'.*'pageInfo'/,
    ],
    [
      'edges are not a list',
      () => clientSchema.replace('edges: [SyncJobEdge!]!', 'edges: SyncJobEdge!'),
      /@connection used on invalid field 'syncJobs'.*'edges'/,
    ],
    [
      'Repository is no Node',
      () => clientSchema.replace('type Repository implements Node {', 'type Repository {'),
      /Invalid use of @refetchable on fragment 'SyncJobList_repository'/,
    ],
  ])('fails to compile when %s', (_case, mutate, message) => {
    const schema = mutate();
    expect(schema).not.toBe(clientSchema);
    const compilation = compileRelayExample(schema);
    expect(compilation.status).not.toBe(0);
    expect(compilation.output).toMatch(message);
    expect(compilation.output).toContain('Compilation failed');
  });
});

describe('examples/relay: the operations Relay generates', () => {
  let stack: Stack;
  beforeAll(async () => {
    // The documents Relay persisted, which the app names by doc_id (the tests' own checks send text).
    stack = await startStack({ env: { PERSISTED_DOCUMENTS: PERSISTED } });
  });
  afterAll(() => stack.close());

  type Connection = {
    totalCount: number;
    edges: Array<{ cursor: string; node: { id: string } }>;
    pageInfo: { endCursor: string | null; hasNextPage: boolean };
  };
  const idsOf = (connection: Connection) => connection.edges.map((edge) => edge.node.id);
  // As the example's Relay environment sends an operation: by its persisted id, without its text.
  const queryDocument = async (artifact: string, { variables }: { variables: Record<string, unknown> }) => {
    const response = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': 'token-demo' },
      body: JSON.stringify({ doc_id: operationIdOf(artifact), variables }),
    });
    return (await response.json()) as { data?: any; errors?: unknown[] };
  };

  it('page through all 47 demo/nginx jobs: the page query, then the refetch query `node(id:)` after each endCursor', async () => {
    const everything = await stack.query(`{ repository(namespace: "demo", name: "nginx") { syncJobs(first: 47) { nodes { id } } } }`);
    const expectedIds = (everything.data.repository.syncJobs.nodes as Array<{ id: string }>).map((node) => node.id);

    const first = await queryDocument('RepositorySyncJobsQuery.graphql.ts', {
      variables: { namespace: 'demo', name: 'nginx' },
    });
    expect(first.errors).toBeUndefined();
    const id = first.data.repository.id as string;
    const pages: Connection[] = [first.data.repository.syncJobs];
    stack.simulator.clearRequests();
    while (pages.at(-1)!.pageInfo.hasNextPage) {
      const next = await queryDocument('SyncJobListPaginationQuery.graphql.ts', {
        variables: { id, count: 10, cursor: pages.at(-1)!.pageInfo.endCursor },
      });
      expect(next.errors).toBeUndefined();
      expect(next.data.node).toMatchObject({ __typename: 'Repository', id, namespace: 'demo', name: 'nginx' });
      pages.push(next.data.node.syncJobs as Connection);
    }

    expect(pages.map((page) => page.edges.length)).toEqual([10, 10, 10, 10, 7]);
    expect(pages.flatMap(idsOf)).toEqual(expectedIds);
    expect(pages.every((page) => page.totalCount === 47)).toBe(true);
    // One SWR call per page; `node(id:)` itself costs none.
    expect(stack.simulator.requests).toHaveLength(4);
  });

  it('loads the next page exactly when jobs are pushed between pages (no job repeated, none skipped)', async () => {
    const first = await queryDocument('RepositorySyncJobsQuery.graphql.ts', {
      variables: { namespace: 'demo', name: 'redis' },
    });
    const page1 = first.data.repository.syncJobs as Connection;
    const pushed = stack.simulator.createJobs({ namespace: 'demo', repository: 'redis', count: 3 });
    const next = await queryDocument('SyncJobListPaginationQuery.graphql.ts', {
      variables: { id: first.data.repository.id, count: 10, cursor: page1.pageInfo.endCursor },
    });
    const page2 = next.data.node.syncJobs as Connection;
    const now = await stack.query(`{ repository(namespace: "demo", name: "redis") { syncJobs(first: 15) { nodes { id } } } }`);
    const all = (now.data.repository.syncJobs.nodes as Array<{ id: string }>).map((node) => node.id);
    expect(all.slice(0, 3)).toEqual(pushed.map((job) => String(job.id)).reverse());
    expect([...idsOf(page1), ...idsOf(page2)]).toEqual(all.slice(3));
    stack.simulator.deleteJobs({ namespace: 'demo', repository: 'redis', ids: pushed.map((job) => job.id) });
  });

  it('refetch with another order starts that order from the beginning', async () => {
    const first = await queryDocument('RepositorySyncJobsQuery.graphql.ts', {
      variables: { namespace: 'demo', name: 'redis' },
    });
    const refetched = await queryDocument('SyncJobListPaginationQuery.graphql.ts', {
      variables: { id: first.data.repository.id, order: 'ASC' },
    });
    const newest = await stack.query(`{ repository(namespace: "demo", name: "redis") { syncJobs(first: 12) { nodes { id } } } }`);
    expect(refetched.errors).toBeUndefined();
    expect(idsOf(refetched.data.node.syncJobs as Connection)).toEqual(
      (newest.data.repository.syncJobs.nodes as Array<{ id: string }>)
        .map((node) => node.id)
        .toReversed()
        .slice(0, 10),
    );
  });
});

describe('examples/relay: live updates in a Relay store', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { WATCH_INTERVAL_MS: '100', PERSISTED_DOCUMENTS: PERSISTED } });
  });
  afterAll(() => stack.close());

  it('prepends each CREATED job to the newest-first connection, writes UPDATED statuses by id (and only prepends new jobs)', async () => {
    const environment = createRelayEnvironment('token-demo', { url: stack.url, webSocketImpl: WebSocket });
    const variables = { namespace: 'demo', name: 'redis' };
    environment.retain(createOperationDescriptor(repositorySyncJobsQuery, variables));
    const loaded = (await fetchQuery(environment, repositorySyncJobsQuery, variables).toPromise()) as { repository: { id?: string } };
    expect(loaded.repository).not.toBeNull();
    // What a SyncJobList shows: the connection's nodes, as the store holds them.
    const listed = () => {
      let ids: string[] = [];
      commitLocalUpdate(environment, (store) => {
        const repository = store.getRoot().getLinkedRecord('repository', variables);
        const connection = ConnectionHandler.getConnection(repository, 'SyncJobList_syncJobs', { order: 'DESC' })!;
        ids = (connection.getLinkedRecords('edges') ?? []).map((edge) => String(edge?.getLinkedRecord('node')?.getValue('id')));
      });
      return ids;
    };
    const statusOf = (id: string) => environment.getStore().getSource().get(id)?.['status'];
    const repositoryId = (() => {
      let id = '';
      commitLocalUpdate(environment, (store) => (id = store.getRoot().getLinkedRecord('repository', variables).getDataID()));
      return id;
    })();
    const before = listed();
    expect(before).toHaveLength(10);

    let events = 0;
    const config = syncJobChangesConfig(syncJobListSubscription, { id: repositoryId, ...variables });
    const subscription = requestSubscription<SyncJobChangesOperation>(environment, { ...config, onNext: () => (events += 1) });
    await vi.waitFor(() => expect(stack.app.live.subscribers).toBe(1));
    await vi.waitFor(() => expect(stack.simulator.requests.length).toBeGreaterThan(1));

    const [job] = stack.simulator.createJobs({ namespace: 'demo', repository: 'redis' });
    await vi.waitFor(() => expect(listed()).toEqual([String(job!.id), ...before]));
    expect(statusOf(String(job!.id))).toBe('WAITING');

    stack.simulator.updateJob({ namespace: 'demo', repository: 'redis', id: job!.id, status: 'success' });
    await vi.waitFor(() => expect(statusOf(String(job!.id))).toBe('SUCCESS'));
    expect(listed()).toEqual([String(job!.id), ...before]);

    // A job the list has not loaded (the 12th newest) changes: its event arrives, the list stays as it was.
    const unloaded = (await stack.query('{ repository(namespace: "demo", name: "redis") { syncJobs(first: 12) { nodes { id } } } }')).data
      .repository.syncJobs.nodes[11].id as string;
    const seen = events;
    stack.simulator.updateJob({ namespace: 'demo', repository: 'redis', id: Number(unloaded), status: 'cancel' });
    await vi.waitFor(() => expect(events).toBe(seen + 1));
    expect(listed()).toEqual([String(job!.id), ...before]);
    subscription.dispose();
    await vi.waitFor(() => expect(stack.app.live.subscribers).toBe(0));
  });
});
