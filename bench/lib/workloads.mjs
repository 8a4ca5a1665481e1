// The workloads: what each target is asked, and what it must answer. Expected answers are
// computed from the bench data (lib/bench-data.mjs), not taken from any target, so a target that
// is wrong in the same way as another still fails.
//
// A workload may need a step before it is verified (`prepare`): the drift workload takes a cursor
// from each gateway and then changes SWR underneath it, the persisted workload registers its text
// with each gateway, the node workload checks the global id it sends. Its requests may then differ
// per target (`operationFor`), but each target's request stays the same for the whole run, so its
// answer can be compared byte for byte under load.
//
// The mesh-hive peer (kind 'mesh') serves the schema GraphQL Mesh generates from the OpenAPI
// description of the sync_job operation (bench/peers/mesh-hive/), not the gateway's, so it gets its
// own operation per workload (`meshOperation`): the same SWR page(s) through the generated field
// `ShowSyncJob(namespace, repository, filter): [SyncJob]`, whose jobs are SWR's own objects (SWR's
// field names and values: integer id, lower-case status, domainID, '$' in repoName; no cursors, no
// totalCount). Its answers are checked against the simulator's jobs as SWR serves them.
import { createHash } from 'node:crypto';
import { BENCH_NAMESPACE, BENCH_REPOSITORIES, BENCH_TOKEN, DRIFT_REPOSITORY, jobsOf } from './bench-data.mjs';

const ONE_PAGE_SIZE = 20;
const DASHBOARD_PAGE_SIZE = 5;
const ENTITIES_PAGE_SIZE = 5;
const ENTITY_COUNT = 10;
const NODE_PAGE_SIZE = 20;
const DRIFT_PAGE_SIZE = 10;
/** Jobs created at the head of bench-drift after the cursor was taken: how far its job moves. */
const DRIFT_CREATED = 3;
const REQUEST_TIMEOUT_MS = 15_000;

/** Every scalar field of SyncJob. */
const SYNC_JOB_FIELDS = [
  'id',
  'status',
  'tag',
  'namespace',
  'repoName',
  'remoteRegionId',
  'remoteNamespace',
  'override',
  'domainId',
  'domainName',
  'syncOperatorId',
  'syncOperatorName',
  'createdAt',
  'updatedAt',
];

const ONE_PAGE_QUERY = /* GraphQL */ `query BenchOnePage($namespace: String!, $name: String!, $first: Int) {
  repository(namespace: $namespace, name: $name) {
    syncJobs(first: $first) {
      totalCount
      edges { cursor node { ${SYNC_JOB_FIELDS.join(' ')} } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}`;

/** The same page as ONE_PAGE_QUERY with a small selection: what the GraphQL layer costs when the page is light. */
const ONE_PAGE_SMALL_QUERY = /* GraphQL */ `
  query BenchOnePageSmall($namespace: String!, $name: String!, $first: Int) {
    repository(namespace: $namespace, name: $name) {
      syncJobs(first: $first) {
        nodes {
          id
          status
        }
      }
    }
  }
`;

/** A page reached through Relay's object identification, as Relay's refetch and pagination queries do. */
const NODE_QUERY = /* GraphQL */ `
  query BenchNode($id: ID!, $first: Int) {
    node(id: $id) {
      ... on Repository {
        syncJobs(first: $first) {
          totalCount
          nodes {
            id
            status
            tag
            createdAt
          }
        }
      }
    }
  }
`;

/** What the node workload's prepare step asks to check the id it computed. */
const NODE_ID_QUERY = /* GraphQL */ `
  query BenchNodeId($namespace: String!, $name: String!) {
    repository(namespace: $namespace, name: $name) {
      id
    }
  }
`;

/** Page 1 of bench-drift, asked once per gateway before SWR changes: its endCursor is the drift workload's `after`. */
const DRIFT_FIRST_PAGE_QUERY = /* GraphQL */ `
  query BenchDriftFirstPage($namespace: String!, $name: String!, $first: Int) {
    repository(namespace: $namespace, name: $name) {
      syncJobs(first: $first) {
        totalCount
        nodes {
          id
        }
        pageInfo {
          endCursor
        }
      }
    }
  }
`;

const DRIFT_QUERY = /* GraphQL */ `
  query BenchDrift($namespace: String!, $name: String!, $first: Int, $after: String) {
    repository(namespace: $namespace, name: $name) {
      syncJobs(first: $first, after: $after) {
        totalCount
        edges {
          cursor
          node {
            id
            status
            tag
            createdAt
          }
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

const DASHBOARD_QUERY = /* GraphQL */ `
  query BenchDashboard($refs: [RepositoryRef!]!, $first: Int) {
    repositories(refs: $refs) {
      name
      syncJobs(first: $first) {
        totalCount
        nodes {
          id
          status
          tag
          createdAt
        }
      }
    }
  }
`;

/** SyncJob as SWR (and so Mesh's generated type) has it: the documented fields, in the document's order. */
const SWR_SYNC_JOB_FIELDS = [
  'createdAt',
  'domainID',
  'domainName',
  'id',
  'namespace',
  'override',
  'remoteNamespace',
  'remoteRegionId',
  'repoName',
  'status',
  'syncOperatorId',
  'syncOperatorName',
  'tag',
  'updatedAt',
];

/**
 * Mesh's field for GET /v2/manage/namespaces/{namespace}/repos/{repository}/sync_job (operationId
 * ShowSyncJob). The path parameters have length limits in the description, so Mesh gives them
 * scalars of their own: variables must be declared with those names.
 */
const MESH_FIELD = 'ShowSyncJob';
const MESH_NAMESPACE_TYPE = 'queryInput_ShowSyncJob_namespace!';
const MESH_REPOSITORY_TYPE = 'queryInput_ShowSyncJob_repository!';

/** The variables of the one-page queries for Mesh. */
const MESH_PAGE_VARIABLES = `$namespace: ${MESH_NAMESPACE_TYPE}, $repository: ${MESH_REPOSITORY_TYPE}, $filter: String!`;

const MESH_ONE_PAGE_QUERY = /* GraphQL */ `query BenchOnePageMesh(${MESH_PAGE_VARIABLES}) {
  ${MESH_FIELD}(namespace: $namespace, repository: $repository, filter: $filter) { ${SWR_SYNC_JOB_FIELDS.join(' ')} }
}`;

const MESH_ONE_PAGE_SMALL_QUERY = /* GraphQL */ `query BenchOnePageSmallMesh(${MESH_PAGE_VARIABLES}) {
  ${MESH_FIELD}(namespace: $namespace, repository: $repository, filter: $filter) { id status }
}`;

/** The dashboard as Mesh's schema allows it: one alias of the field per repository (aliases cannot contain '-'). */
const meshAlias = (name) => name.replaceAll('-', '_');
const meshDashboardLine = (name) =>
  `  ${meshAlias(name)}: ${MESH_FIELD}(namespace: $namespace, repository: "${name}", filter: $filter) { id status tag createdAt }`;
const MESH_DASHBOARD_QUERY = /* GraphQL */ `query BenchDashboardMesh($namespace: ${MESH_NAMESPACE_TYPE}, $filter: String!) {
${BENCH_REPOSITORIES.map(meshDashboardLine).join('\n')}
}`;

const ENTITIES_QUERY = /* GraphQL */ `query BenchEntities($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Repository { syncJobs(first: ${ENTITIES_PAGE_SIZE}) { totalCount nodes { id } } }
  }
}`;

/** The same page as the one-page query, straight from SWR (what the `direct` target asks). */
const ONE_PAGE_FILTER = `limit::${ONE_PAGE_SIZE}|offset::0|order::desc`;
const ONE_PAGE_PATH = `/v2/manage/namespaces/${BENCH_NAMESPACE}/repos/nginx/sync_job?filter=${encodeURIComponent(ONE_PAGE_FILTER)}`;
const DASHBOARD_FILTER = `limit::${DASHBOARD_PAGE_SIZE}|offset::0|order::desc`;

/**
 * The global id of a repository as the gateway issues it (src/model/node-id.ts): base64url of
 * `Repository:{namespace}:{name}`. Opaque to clients; the node workload's prepare step checks it
 * against the gateway's own `Repository.id`, so a change of format shows there, not as a wrong page.
 */
export const repositoryNodeId = (namespace, name) => Buffer.from(`Repository:${namespace}:${name}`, 'utf8').toString('base64url');

/** Automatic persisted queries: a document's id is the SHA-256 of its text, in hex. */
const sha256Hex = (text) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Use to get the workloads for bench `data` (the simulator's data). Each has `id`, `title`,
 * `describe` (for the report), `operation` (the GraphQL request body), `meshOperation` (the body
 * for the mesh-hive peer, where it can serve the workload), and `check(targetKind, response)`
 * returning a list of problems (empty when the answer is right), where response is
 * `{ status, headers, text }` and targetKind is 'graphql', 'mesh' or 'rest'.
 *
 * Some also have `prepare({ targets, simulatorUrl, send })`, to run once before any target is
 * verified, with the targets serving the workload and `send(request)` (one request with a
 * deadline, answering `{ status, headers, text }`); it resolves to a Map from target id to the
 * problems found (a target with problems is not asked the workload), and may set the body a
 * target gets from then on (`operationFor(target)`, used by requestFor).
 */
export function createWorkloads(data) {
  const newest = (name, count) => jobsOf(data, BENCH_NAMESPACE, name).slice(-count).reverse();
  const totalOf = (name) => jobsOf(data, BENCH_NAMESPACE, name).length;

  const onePageJobs = newest('nginx', ONE_PAGE_SIZE);
  const onePageSmall = {
    operationName: 'BenchOnePageSmall',
    query: ONE_PAGE_SMALL_QUERY,
    variables: { namespace: BENCH_NAMESPACE, name: 'nginx', first: ONE_PAGE_SIZE },
  };
  const checkOnePageSmall = (kind, response) => {
    if (kind === 'mesh') {
      return checkGraphql(response, (data) =>
        differences(
          data?.[MESH_FIELD],
          onePageJobs.map((job) => swrFields(job, ['id', 'status'])),
          `data.${MESH_FIELD}`,
        ),
      );
    }
    return checkGraphql(response, (data) =>
      differences(
        data?.repository,
        { syncJobs: { nodes: onePageJobs.map((job) => nodeFromJob(job, ['id', 'status'])) } },
        'data.repository',
      ),
    );
  };
  const persistedHash = sha256Hex(ONE_PAGE_SMALL_QUERY);
  const persistedOperation = {
    operationName: onePageSmall.operationName,
    variables: onePageSmall.variables,
    extensions: { persistedQuery: { version: 1, sha256Hash: persistedHash } },
  };
  const nginxNodeId = repositoryNodeId(BENCH_NAMESPACE, 'nginx');
  const nodeJobs = newest('nginx', NODE_PAGE_SIZE);
  const drift = createDrift(data);
  const dashboardRefs = BENCH_REPOSITORIES.map((name) => ({ namespace: BENCH_NAMESPACE, name }));
  const entityNames = BENCH_REPOSITORIES.slice(0, ENTITY_COUNT);

  return [
    {
      id: 'one-page',
      title: 'One repository page',
      describe:
        `\`repository(namespace: "demo", name: "nginx") { syncJobs(first: ${ONE_PAGE_SIZE}) { totalCount edges { cursor node { ` +
        `<all ${SYNC_JOB_FIELDS.length} SyncJob scalars> } } pageInfo { … } } }\`; ` +
        `mesh-hive: \`${MESH_FIELD}(namespace: "demo", repository: "nginx", filter: "${ONE_PAGE_FILTER}") { ` +
        `<all ${SWR_SYNC_JOB_FIELDS.length} SyncJob fields> }\` (no cursors, no totalCount); ` +
        `direct: \`GET ${ONE_PAGE_PATH}\``,
      operation: {
        operationName: 'BenchOnePage',
        query: ONE_PAGE_QUERY,
        variables: { namespace: BENCH_NAMESPACE, name: 'nginx', first: ONE_PAGE_SIZE },
      },
      meshOperation: {
        operationName: 'BenchOnePageMesh',
        query: MESH_ONE_PAGE_QUERY,
        variables: { namespace: BENCH_NAMESPACE, repository: 'nginx', filter: ONE_PAGE_FILTER },
      },
      restPath: ONE_PAGE_PATH,
      check(kind, response) {
        if (kind === 'rest') return checkRestPage(response, onePageJobs, totalOf('nginx'));
        if (kind === 'mesh') {
          return checkGraphql(response, (data) =>
            differences(
              data?.[MESH_FIELD],
              onePageJobs.map((job) => swrFields(job, SWR_SYNC_JOB_FIELDS)),
              `data.${MESH_FIELD}`,
            ),
          );
        }
        return checkGraphql(response, (data) => {
          const connection = data?.repository?.syncJobs;
          const problems = checkCursors(connection);
          const withoutCursors = connection && {
            ...connection,
            edges: connection.edges?.map(({ node }) => ({ node })),
            pageInfo: { hasNextPage: connection.pageInfo?.hasNextPage, hasPreviousPage: connection.pageInfo?.hasPreviousPage },
          };
          const expected = {
            totalCount: totalOf('nginx'),
            edges: onePageJobs.map((job) => ({ node: nodeFromJob(job, SYNC_JOB_FIELDS) })),
            pageInfo: { hasNextPage: true, hasPreviousPage: false },
          };
          return [...problems, ...differences(withoutCursors, expected, 'data.repository.syncJobs')];
        });
      },
    },
    {
      id: 'one-page-small',
      title: 'One repository page, small selection',
      describe:
        `\`repository(namespace: "demo", name: "nginx") { syncJobs(first: ${ONE_PAGE_SIZE}) { nodes { id status } } }\`: ` +
        `the one-page workload's page, two fields per job; ` +
        `mesh-hive: \`${MESH_FIELD}(namespace: "demo", repository: "nginx", filter: "${ONE_PAGE_FILTER}") { id status }\``,
      operation: onePageSmall,
      meshOperation: {
        operationName: 'BenchOnePageSmallMesh',
        query: MESH_ONE_PAGE_SMALL_QUERY,
        variables: { namespace: BENCH_NAMESPACE, repository: 'nginx', filter: ONE_PAGE_FILTER },
      },
      check: checkOnePageSmall,
    },
    {
      id: 'dashboard',
      title: '20-repository dashboard',
      describe:
        `\`repositories(refs: [bench-0 … bench-19]) { name syncJobs(first: ${DASHBOARD_PAGE_SIZE}) { totalCount nodes { ` +
        `id status tag createdAt } } }\`; ` +
        `mesh-hive: ${BENCH_REPOSITORIES.length} aliases ` +
        `\`bench_N: ${MESH_FIELD}(namespace: "demo", repository: "bench-N", filter: "${DASHBOARD_FILTER}") { id status tag createdAt }\` ` +
        `(no totalCount)`,
      operation: {
        operationName: 'BenchDashboard',
        query: DASHBOARD_QUERY,
        variables: { refs: dashboardRefs, first: DASHBOARD_PAGE_SIZE },
      },
      meshOperation: {
        operationName: 'BenchDashboardMesh',
        query: MESH_DASHBOARD_QUERY,
        variables: { namespace: BENCH_NAMESPACE, filter: DASHBOARD_FILTER },
      },
      check(kind, response) {
        if (kind === 'mesh') {
          return checkGraphql(response, (data) => {
            const expected = Object.fromEntries(
              BENCH_REPOSITORIES.map((name) => [
                meshAlias(name),
                newest(name, DASHBOARD_PAGE_SIZE).map((job) => swrFields(job, ['id', 'status', 'tag', 'createdAt'])),
              ]),
            );
            return differences(data, expected, 'data');
          });
        }
        return checkGraphql(response, (data) => {
          const expected = BENCH_REPOSITORIES.map((name) => ({
            name,
            syncJobs: {
              totalCount: totalOf(name),
              nodes: newest(name, DASHBOARD_PAGE_SIZE).map((job) => nodeFromJob(job, ['id', 'status', 'tag', 'createdAt'])),
            },
          }));
          return differences(data?.repositories, expected, 'data.repositories');
        });
      },
    },
    {
      id: 'entities',
      title: `\`_entities\` (${ENTITY_COUNT} representations)`,
      describe:
        `\`_entities(representations: [${ENTITY_COUNT} × Repository bench-0 … bench-${ENTITY_COUNT - 1}]) { ` +
        `... on Repository { syncJobs(first: ${ENTITIES_PAGE_SIZE}) { totalCount nodes { id } } } }\` ` +
        `(federation: swr-gateway only)`,
      operation: {
        operationName: 'BenchEntities',
        query: ENTITIES_QUERY,
        variables: { representations: entityNames.map((name) => ({ __typename: 'Repository', namespace: BENCH_NAMESPACE, name })) },
      },
      check(kind, response) {
        return checkGraphql(response, (data) => {
          const expected = entityNames.map((name) => ({
            syncJobs: { totalCount: totalOf(name), nodes: newest(name, ENTITIES_PAGE_SIZE).map((job) => ({ id: String(job.id) })) },
          }));
          return differences(data?._entities, expected, 'data._entities');
        });
      },
    },
    {
      id: 'node',
      title: 'One page through `node(id:)`',
      describe:
        `\`node(id: "${nginxNodeId}") { ... on Repository { syncJobs(first: ${NODE_PAGE_SIZE}) { totalCount nodes { ` +
        `id status tag createdAt } } } }\`: ` +
        `demo/nginx's page reached by its global id, as Relay refetches it (swr-gateway only: the peers have no \`Node\`)`,
      operation: { operationName: 'BenchNode', query: NODE_QUERY, variables: { id: nginxNodeId, first: NODE_PAGE_SIZE } },
      /** Checks that the id computed here is the one the gateway gives demo/nginx. */
      async prepare({ targets, send }) {
        const problems = new Map();
        for (const target of targets) {
          const response = await send(
            graphqlRequest(target, {
              operationName: 'BenchNodeId',
              query: NODE_ID_QUERY,
              variables: { namespace: BENCH_NAMESPACE, name: 'nginx' },
            }),
          );
          const found = checkGraphql(response, (data) => differences(data?.repository?.id, nginxNodeId, 'data.repository.id'));
          if (found.length > 0)
            problems.set(
              target.id,
              found.map((problem) => `the global id of demo/nginx: ${problem}`),
            );
        }
        return problems;
      },
      check(kind, response) {
        return checkGraphql(response, (data) =>
          differences(
            data?.node,
            {
              syncJobs: {
                totalCount: totalOf('nginx'),
                nodes: nodeJobs.map((job) => nodeFromJob(job, ['id', 'status', 'tag', 'createdAt'])),
              },
            },
            'data.node',
          ),
        );
      },
    },
    {
      id: 'persisted',
      title: 'Persisted document (APQ hash only)',
      describe:
        `the one-page-small operation sent as ` +
        `\`{ operationName, variables, extensions: { persistedQuery: { version: 1, sha256Hash: "${persistedHash.slice(0, 12)}…" } } }\`, ` +
        `no text: an automatic persisted query, registered once per gateway before verification (swr-gateway only)`,
      operation: persistedOperation,
      /**
       * Per gateway: the hash alone is not known yet (PERSISTED_QUERY_NOT_FOUND), then the text
       * with its hash runs and registers it, as Apollo Client's APQ link does.
       */
      async prepare({ targets, send }) {
        const problems = new Map();
        for (const target of targets) {
          const found = [];
          const unknown = await send(graphqlRequest(target, persistedOperation));
          const code = codeOf(unknown);
          if (code !== 'PERSISTED_QUERY_NOT_FOUND')
            found.push(
              'the hash before registration: expected PERSISTED_QUERY_NOT_FOUND, ' +
                `got HTTP ${unknown.status} ${code ?? unknown.text.slice(0, 200)}`,
            );
          const registered = await send(graphqlRequest(target, { ...persistedOperation, query: ONE_PAGE_SMALL_QUERY }));
          found.push(...checkOnePageSmall(target.kind, registered).map((problem) => `registering the text: ${problem}`));
          if (found.length > 0) problems.set(target.id, found);
        }
        return problems;
      },
      check: checkOnePageSmall,
    },
    {
      id: 'drift',
      title: `Paging while SWR changed (stable cursor, ${DRIFT_CREATED} jobs created)`,
      describe:
        `\`repository(namespace: "demo", name: "${DRIFT_REPOSITORY}") { ` +
        `syncJobs(first: ${DRIFT_PAGE_SIZE}, after: <page 1's endCursor>) { ` +
        `totalCount edges { cursor node { id status tag createdAt } } pageInfo { … } } }\`, ` +
        `asked after ${DRIFT_CREATED} jobs were created at the head of ${DRIFT_REPOSITORY} since page 1 was read: ` +
        `the ${DRIFT_PAGE_SIZE} jobs after the cursor's job, none of page 1 again ` +
        `(swr-gateway only: an offset cursor would repeat ${DRIFT_CREATED} jobs)`,
      operation: drift.operation,
      prepare: drift.prepare,
      operationFor: drift.operationFor,
      check: drift.check,
    },
  ];
}

/**
 * The drift workload. prepare: every gateway is asked page 1 of bench-drift (first: 10, DESC)
 * and keeps its endCursor; then the simulator creates DRIFT_CREATED jobs at the head of the list
 * (once, for all gateways, so every cursor's job has moved by the same amount). The answer to
 * `first: 10, after: <cursor>` is then the 10 jobs after the cursor's job in the list as it is
 * now: the data's jobs plus the created ones (as the simulator returned them), newest first.
 */
function createDrift(data) {
  const original = jobsOf(data, BENCH_NAMESPACE, DRIFT_REPOSITORY);
  const firstPage = newestFirst(original).slice(0, DRIFT_PAGE_SIZE);
  const cursors = new Map();
  let expected = null;
  const operation = {
    operationName: 'BenchDrift',
    query: DRIFT_QUERY,
    variables: { namespace: BENCH_NAMESPACE, name: DRIFT_REPOSITORY, first: DRIFT_PAGE_SIZE, after: null },
  };
  return {
    operation,
    operationFor(target) {
      const after = cursors.get(target.id);
      if (after === undefined) throw new Error(`the drift workload has no cursor of ${target.id} (its prepare step did not run or failed)`);
      return { ...operation, variables: { ...operation.variables, after } };
    },
    async prepare({ targets, simulatorUrl, send }) {
      const problems = new Map();
      for (const target of targets) {
        const response = await send(
          graphqlRequest(target, {
            operationName: 'BenchDriftFirstPage',
            query: DRIFT_FIRST_PAGE_QUERY,
            variables: { namespace: BENCH_NAMESPACE, name: DRIFT_REPOSITORY, first: DRIFT_PAGE_SIZE },
          }),
        );
        let endCursor;
        const found = checkGraphql(response, (body) => {
          const connection = body?.repository?.syncJobs;
          endCursor = connection?.pageInfo?.endCursor;
          return differences(
            { totalCount: connection?.totalCount, nodes: connection?.nodes },
            { totalCount: original.length, nodes: firstPage.map((job) => ({ id: String(job.id) })) },
            'page 1: data.repository.syncJobs',
          );
        });
        if (found.length === 0 && (typeof endCursor !== 'string' || endCursor === '')) found.push('page 1 has no endCursor');
        if (found.length > 0) problems.set(target.id, found);
        else cursors.set(target.id, endCursor);
      }
      if (cursors.size === 0) return problems;

      const change = { create: { namespace: BENCH_NAMESPACE, repository: DRIFT_REPOSITORY, count: DRIFT_CREATED } };
      const response = await fetch(`${simulatorUrl}/__simulator/changes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(change),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      if (!response.ok)
        throw new Error(`simulator control API: POST /__simulator/changes answered ${response.status}: ${text.slice(0, 200)}`);
      const { created } = JSON.parse(text);
      if (!Array.isArray(created) || created.length !== DRIFT_CREATED)
        throw new Error(`simulator control API: expected ${DRIFT_CREATED} created jobs, got ${text.slice(0, 200)}`);

      const now = newestFirst([...original, ...created]);
      const anchor = now.findIndex((job) => job.id === firstPage.at(-1).id);
      if (anchor !== DRIFT_PAGE_SIZE - 1 + DRIFT_CREATED)
        throw new Error(
          `the drift workload: the created jobs are not all at the head of ${DRIFT_REPOSITORY} (the cursor's job is at ${anchor})`,
        );
      const page = now.slice(anchor + 1, anchor + 1 + DRIFT_PAGE_SIZE);
      expected = {
        totalCount: now.length,
        edges: page.map((job) => ({ node: nodeFromJob(job, ['id', 'status', 'tag', 'createdAt']) })),
        pageInfo: { hasNextPage: anchor + 1 + DRIFT_PAGE_SIZE < now.length, hasPreviousPage: true },
      };
      return problems;
    },
    check(kind, response) {
      if (expected === null) return ['the drift workload was not prepared'];
      return checkGraphql(response, (body) => {
        const connection = body?.repository?.syncJobs;
        const problems = checkCursors(connection);
        const repeated = (connection?.edges ?? []).filter((edge) => firstPage.some((job) => String(job.id) === edge?.node?.id));
        if (repeated.length > 0)
          problems.push(
            `${repeated.length} job${repeated.length === 1 ? '' : 's'} of page 1 again: ${repeated.map((edge) => edge.node.id).join(', ')}`,
          );
        const withoutCursors = connection && {
          ...connection,
          edges: connection.edges?.map(({ node }) => ({ node })),
          pageInfo: { hasNextPage: connection.pageInfo?.hasNextPage, hasPreviousPage: connection.pageInfo?.hasPreviousPage },
        };
        return [...problems, ...differences(withoutCursors, expected, 'data.repository.syncJobs')];
      });
    },
  };
}

/** Jobs in the gateway's DESC order: newest first, jobs of the same instant by id, descending. */
function newestFirst(jobs) {
  const instant = (job) => job.createdAt;
  return [...jobs].sort((a, b) => (instant(a) === instant(b) ? b.id - a.id : instant(a) < instant(b) ? 1 : -1));
}

/** The `extensions.code` of a GraphQL answer's first error, or null. */
function codeOf(response) {
  try {
    return JSON.parse(response.text)?.errors?.[0]?.extensions?.code ?? null;
  } catch {
    return null;
  }
}

/** Use to build the HTTP request a target gets for a workload: a GraphQL POST, or the direct REST GET. */
export function requestFor(target, workload) {
  if (target.kind === 'rest') {
    return {
      url: `${target.baseUrl}${workload.restPath}`,
      method: 'GET',
      headers: { 'x-auth-token': BENCH_TOKEN, accept: 'application/json' },
    };
  }
  const operation = workload.operationFor?.(target) ?? (target.kind === 'mesh' ? workload.meshOperation : workload.operation);
  if (operation === undefined) throw new Error(`${target.id} has no request for the ${workload.id} workload`);
  return graphqlRequest(target, operation);
}

/** A GraphQL POST of `operation` (the JSON body: query or extensions, variables, operationName) to `target`. */
function graphqlRequest(target, operation) {
  return {
    url: target.graphqlUrl,
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-auth-token': BENCH_TOKEN },
    body: JSON.stringify(operation),
  };
}

/** A job as the GraphQL API shows it (the schema's names, enum case, '/' in names), limited to `fields`. */
function nodeFromJob(job, fields) {
  const status = job.status.toUpperCase();
  const all = {
    ...job,
    id: String(job.id),
    status,
    repoName: job.repoName.replaceAll('$', '/'),
    domainId: job.domainID,
  };
  return Object.fromEntries(fields.map((field) => [field, all[field]]));
}

/** A job as SWR serves it (so as Mesh passes it on), limited to `fields`; a field SWR lacks stays undefined, so its absence shows. */
function swrFields(job, fields) {
  return Object.fromEntries(fields.map((field) => [field, job[field]]));
}

/** A 200 JSON answer without `errors`, whose `data` passes `checkData`. */
function checkGraphql(response, checkData) {
  if (response.status !== 200) return [`HTTP ${response.status}: ${response.text.slice(0, 300)}`];
  let body;
  try {
    body = JSON.parse(response.text);
  } catch {
    return [`the body is not JSON: ${response.text.slice(0, 300)}`];
  }
  if (body.errors !== undefined) return [`errors: ${JSON.stringify(body.errors).slice(0, 500)}`];
  return checkData(body.data);
}

/** SWR's own answer: 200, the documented Content-Range, and exactly the expected jobs. */
function checkRestPage(response, jobs, total) {
  if (response.status !== 200) return [`HTTP ${response.status}: ${response.text.slice(0, 300)}`];
  const problems = [];
  const range = response.headers.get('content-range');
  if (range !== `0-${jobs.length}/${total}`)
    problems.push(`Content-Range is ${JSON.stringify(range)}, expected "0-${jobs.length}/${total}"`);
  let body;
  try {
    body = JSON.parse(response.text);
  } catch {
    return [...problems, `the body is not JSON: ${response.text.slice(0, 300)}`];
  }
  return [...problems, ...differences(body, jobs, 'body')];
}

/** Cursors: non-empty, distinct, and pageInfo's start/end are the first/last edge's. */
function checkCursors(connection) {
  const edges = connection?.edges;
  if (!Array.isArray(edges)) return [];
  const cursors = edges.map((edge) => edge?.cursor);
  const problems = [];
  if (cursors.some((cursor) => typeof cursor !== 'string' || cursor === '')) problems.push('an edge has no cursor');
  if (new Set(cursors).size !== cursors.length) problems.push('two edges share a cursor');
  if (connection.pageInfo?.startCursor !== (cursors[0] ?? null)) problems.push("pageInfo.startCursor is not the first edge's cursor");
  if (connection.pageInfo?.endCursor !== (cursors.at(-1) ?? null)) problems.push("pageInfo.endCursor is not the last edge's cursor");
  return problems;
}

/** Where `actual` and `expected` differ (same keys, same values, arrays in order); at most 5 places. */
function differences(actual, expected, path, found = []) {
  if (found.length >= 5) return found;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) found.push(`${path}: expected an array of ${expected.length}, got ${brief(actual)}`);
    else if (actual.length !== expected.length) found.push(`${path}: expected ${expected.length} items, got ${actual.length}`);
    else expected.forEach((item, index) => differences(actual[index], item, `${path}[${index}]`, found));
  } else if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      found.push(`${path}: expected an object, got ${brief(actual)}`);
    } else {
      for (const key of Object.keys(expected)) differences(actual[key], expected[key], `${path}.${key}`, found);
      for (const key of Object.keys(actual)) if (!(key in expected)) found.push(`${path}.${key}: not asked for, got ${brief(actual[key])}`);
    }
  } else if (actual !== expected) {
    found.push(`${path}: expected ${brief(expected)}, got ${brief(actual)}`);
  }
  return found.slice(0, 5);
}

const brief = (value) => (value === undefined ? 'undefined' : JSON.stringify(value).slice(0, 120));
