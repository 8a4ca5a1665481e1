// The bare proxy limit: the least a Node.js process can do to serve the bench's GraphQL operations.
// A plain `http` server that reads the JSON request, makes the same SWR calls as the gateway with
// undici (one keep-alive Pool, sized for the load), and writes the JSON the GraphQL response would
// contain, built by hand (cursors included): no GraphQL parsing, validation or execution, no
// checks of the upstream body. Its throughput is the ceiling for any Node process doing this job.
//
// It dispatches on `operationName` and reads `variables`, so it answers only the bench operations:
//   BenchOnePage       { namespace, name, first }  → data.repository.syncJobs (every SyncJob field)
//   BenchOnePageSmall  { namespace, name, first }  → data.repository.syncJobs.nodes[].{ id status }
//   BenchDashboard     { refs, first }             → data.repositories[].{ name, syncJobs { totalCount nodes {
//                                                     id status tag createdAt } } }
//
// Environment: SWR_ENDPOINT (required), UPSTREAM_CONNECTIONS (default 128), PORT (default 0),
// HOST (default 127.0.0.1). Prints one JSON line with `port` once it listens; stops on SIGTERM/SIGINT.
import { createServer } from 'node:http';
import { Pool } from 'undici';

const endpoint = process.env.SWR_ENDPOINT;
if (!endpoint) {
  console.error('bare-proxy: SWR_ENDPOINT is required, e.g. http://127.0.0.1:4010');
  process.exit(1);
}
const upstreamConnections = Number(process.env.UPSTREAM_CONNECTIONS ?? 128);
if (!Number.isInteger(upstreamConnections) || upstreamConnections < 1) {
  console.error(`bare-proxy: UPSTREAM_CONNECTIONS must be a positive integer, got '${process.env.UPSTREAM_CONNECTIONS}'`);
  process.exit(1);
}

/** The gateway's cursor format (base64url of `swr-sync-job:v1:{order}:{position}`), so both hand out the same cursors. */
const CURSOR_PREFIX = 'swr-sync-job:v1:desc:';
const KNOWN_STATUSES = new Set(['WAITING', 'RUNNING', 'SUCCESS', 'FAILED', 'TIMEOUT', 'CANCEL', 'EXISTED']);
const CONTENT_RANGE = /^(\d+)-(\d+)\/(\d+)$/;

const pool = new Pool(new URL(endpoint).origin, { connections: upstreamConnections, keepAliveTimeout: 30_000 });

/** Raised when SWR does not answer 200; becomes a GraphQL-style error. */
class UpstreamError extends Error {}

/** One page of a repository's jobs, newest first, with the total from Content-Range (null if absent). */
async function fetchPage(namespace, name, limit, offset, token) {
  const filter = encodeURIComponent(`limit::${limit}|offset::${offset}|order::desc`);
  const { statusCode, headers, body } = await pool.request({
    method: 'GET',
    path: `/v2/manage/namespaces/${namespace}/repos/${name.replaceAll('/', '$')}/sync_job?filter=${filter}`,
    headers: { 'x-auth-token': token, 'content-type': 'application/json', accept: 'application/json' },
  });
  const text = await body.text();
  if (statusCode !== 200) throw new UpstreamError(`SWR answered ${statusCode} for ${namespace}/${name}`);
  const range = CONTENT_RANGE.exec(String(headers['content-range'] ?? ''));
  return { jobs: JSON.parse(text), total: range ? Number(range[3]) : null };
}

const statusOf = (status) => {
  const upper = status.toUpperCase();
  return KNOWN_STATUSES.has(upper) ? upper : 'UNKNOWN';
};

/** Every SyncJob scalar field, named and mapped as the schema has them. */
const fullNodeFromJob = (job) => ({
  id: String(job.id),
  status: statusOf(job.status),
  tag: job.tag,
  namespace: job.namespace,
  repoName: job.repoName.replaceAll('$', '/'),
  remoteRegionId: job.remoteRegionId,
  remoteNamespace: job.remoteNamespace,
  override: job.override,
  domainId: job.domainID,
  domainName: job.domainName,
  syncOperatorId: job.syncOperatorId,
  syncOperatorName: job.syncOperatorName,
  createdAt: job.createdAt,
  updatedAt: job.updatedAt,
});

/** BenchOnePage: the first `first` jobs as a Relay connection. */
async function onePage({ namespace, name, first }, token) {
  const { jobs, total } = await fetchPage(namespace, name, first, 0, token);
  const edges = jobs.map((job, position) => ({
    cursor: Buffer.from(`${CURSOR_PREFIX}${position}`).toString('base64url'),
    node: fullNodeFromJob(job),
  }));
  const syncJobs = {
    totalCount: total,
    edges,
    pageInfo: {
      hasNextPage: total === null ? jobs.length === first : jobs.length < total,
      hasPreviousPage: false,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
  return { data: { repository: { syncJobs } } };
}

/** BenchOnePageSmall: the same page, only `nodes { id status }`. */
async function onePageSmall({ namespace, name, first }, token) {
  const { jobs } = await fetchPage(namespace, name, first, 0, token);
  const nodes = jobs.map((job) => ({ id: String(job.id), status: statusOf(job.status) }));
  return { data: { repository: { syncJobs: { nodes } } } };
}

/** BenchDashboard: every ref at once; a failing repository is null with an error, like the gateway. */
async function dashboard({ refs, first }, token) {
  const settled = await Promise.allSettled(refs.map((ref) => fetchPage(ref.namespace, ref.name, first, 0, token)));
  const errors = [];
  const repositories = settled.map((outcome, index) => {
    if (outcome.status === 'rejected') {
      errors.push({ message: outcome.reason.message, path: ['repositories', index, 'syncJobs'] });
      return { name: refs[index].name, syncJobs: null };
    }
    const { jobs, total } = outcome.value;
    const nodes = jobs.map((job) => ({ id: String(job.id), status: statusOf(job.status), tag: job.tag, createdAt: job.createdAt }));
    return { name: refs[index].name, syncJobs: { totalCount: total, nodes } };
  });
  return errors.length === 0 ? { data: { repositories } } : { errors, data: { repositories } };
}

const OPERATIONS = { BenchOnePage: onePage, BenchOnePageSmall: onePageSmall, BenchDashboard: dashboard };

/** Reads the whole request body. */
async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function handle(req, res) {
  if (req.method !== 'POST' || req.url !== '/graphql') {
    req.resume();
    return sendJson(res, 404, { errors: [{ message: 'POST /graphql only' }] });
  }
  const token = req.headers['x-auth-token'];
  const { operationName, variables } = JSON.parse(await readBody(req));
  if (typeof token !== 'string' || token === '') return sendJson(res, 401, { errors: [{ message: 'X-Auth-Token is required' }] });
  const operation = OPERATIONS[operationName];
  if (operation === undefined) {
    return sendJson(res, 400, {
      errors: [{ message: `unknown operation ${operationName}; this proxy serves ${Object.keys(OPERATIONS).join(', ')}` }],
    });
  }
  try {
    sendJson(res, 200, await operation(variables, token));
  } catch (error) {
    if (!(error instanceof UpstreamError)) throw error;
    sendJson(res, 200, { errors: [{ message: error.message }], data: null });
  }
}

const server = createServer((req, res) => {
  handle(req, res).catch((error) => {
    if (res.headersSent) res.destroy();
    else sendJson(res, 500, { errors: [{ message: `bare-proxy: ${error.message}` }] });
  });
});

server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  const { port, address } = server.address();
  console.log(JSON.stringify({ msg: `bare-proxy listening on http://${address}:${port}/graphql`, port }));
});

let stopping = false;
/** Stops listening, closes idle connections and the pool, then exits. */
function stop() {
  if (stopping) process.exit(1);
  stopping = true;
  server.close();
  server.closeAllConnections();
  pool.close().finally(() => process.exit(0));
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
