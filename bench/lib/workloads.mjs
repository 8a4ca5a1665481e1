// The three workloads: what each target is asked, and what it must answer. Expected answers are
// computed from the bench data (lib/bench-data.mjs), not taken from any target, so a target that
// is wrong in the same way as another still fails.
//
// The mesh-hive peer (kind 'mesh') serves the schema GraphQL Mesh generates from the OpenAPI
// description of the sync_job operation (bench/peers/mesh-hive/), not the gateway's, so it gets its
// own operation per workload (`meshOperation`): the same SWR page(s) through the generated field
// `ShowSyncJob(namespace, repository, filter): [SyncJob]`, whose jobs are SWR's own objects (SWR's
// field names and values: integer id, lower-case status, domainID, '$' in repoName; no cursors, no
// totalCount). Its answers are checked against the simulator's jobs as SWR serves them.
import { BENCH_NAMESPACE, BENCH_REPOSITORIES, BENCH_TOKEN, jobsOf } from './bench-data.mjs';

const ONE_PAGE_SIZE = 20;
const DASHBOARD_PAGE_SIZE = 5;
const ENTITIES_PAGE_SIZE = 5;
const ENTITY_COUNT = 10;

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

const MESH_ONE_PAGE_QUERY = /* GraphQL */ `query BenchOnePageMesh($namespace: ${MESH_NAMESPACE_TYPE}, $repository: ${MESH_REPOSITORY_TYPE}, $filter: String!) {
  ${MESH_FIELD}(namespace: $namespace, repository: $repository, filter: $filter) { ${SWR_SYNC_JOB_FIELDS.join(' ')} }
}`;

/** The dashboard as Mesh's schema allows it: one alias of the field per repository (aliases cannot contain '-'). */
const meshAlias = (name) => name.replaceAll('-', '_');
const MESH_DASHBOARD_QUERY = /* GraphQL */ `query BenchDashboardMesh($namespace: ${MESH_NAMESPACE_TYPE}, $filter: String!) {
${BENCH_REPOSITORIES.map((name) => `  ${meshAlias(name)}: ${MESH_FIELD}(namespace: $namespace, repository: "${name}", filter: $filter) { id status tag createdAt }`).join('\n')}
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
 * Use to get the workloads for bench `data` (the simulator's data). Each has `id`, `title`,
 * `describe` (for the report), `operation` (the GraphQL request body), `meshOperation` (the body
 * for the mesh-hive peer, where it can serve the workload), and `check(targetKind, response)`
 * returning a list of problems (empty when the answer is right), where response is
 * `{ status, headers, text }` and targetKind is 'graphql', 'mesh' or 'rest'.
 */
export function createWorkloads(data) {
  const newest = (name, count) => jobsOf(data, BENCH_NAMESPACE, name).slice(-count).reverse();
  const totalOf = (name) => jobsOf(data, BENCH_NAMESPACE, name).length;

  const onePageJobs = newest('nginx', ONE_PAGE_SIZE);
  const dashboardRefs = BENCH_REPOSITORIES.map((name) => ({ namespace: BENCH_NAMESPACE, name }));
  const entityNames = BENCH_REPOSITORIES.slice(0, ENTITY_COUNT);

  return [
    {
      id: 'one-page',
      title: 'One repository page',
      describe: `\`repository(namespace: "demo", name: "nginx") { syncJobs(first: ${ONE_PAGE_SIZE}) { totalCount edges { cursor node { <all ${SYNC_JOB_FIELDS.length} SyncJob scalars> } } pageInfo { … } } }\`; mesh-hive: \`${MESH_FIELD}(namespace: "demo", repository: "nginx", filter: "${ONE_PAGE_FILTER}") { <all ${SWR_SYNC_JOB_FIELDS.length} SyncJob fields> }\` (no cursors, no totalCount); direct: \`GET ${ONE_PAGE_PATH}\``,
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
      id: 'dashboard',
      title: '20-repository dashboard',
      describe: `\`repositories(refs: [bench-0 … bench-19]) { name syncJobs(first: ${DASHBOARD_PAGE_SIZE}) { totalCount nodes { id status tag createdAt } } }\`; mesh-hive: ${BENCH_REPOSITORIES.length} aliases \`bench_N: ${MESH_FIELD}(namespace: "demo", repository: "bench-N", filter: "${DASHBOARD_FILTER}") { id status tag createdAt }\` (no totalCount)`,
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
      describe: `\`_entities(representations: [${ENTITY_COUNT} × Repository bench-0 … bench-${ENTITY_COUNT - 1}]) { ... on Repository { syncJobs(first: ${ENTITIES_PAGE_SIZE}) { totalCount nodes { id } } } }\` (federation: swr-gateway only)`,
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
  ];
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
  const operation = target.kind === 'mesh' ? workload.meshOperation : workload.operation;
  if (operation === undefined) throw new Error(`${target.id} has no request for the ${workload.id} workload`);
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
