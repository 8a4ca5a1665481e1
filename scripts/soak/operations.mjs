// What the soak's workers send: three operation shapes (one repository page, a second page from
// its cursor, a three-repository dashboard), each posted as a random tenant and its answer checked
// (check-answer.mjs), and a hostile request now and then (hostile.mjs).
import { request } from 'undici';
import { SOAK_NAMESPACE, SOAK_REPOSITORY_COUNT, soakRepositories } from '../soak-simulator.mjs';
import { checkConnection, errorsByRepository } from './check-answer.mjs';
import { runHostile } from './hostile.mjs';
import { anomaly, increment, noteSlowest, sample } from './stats.mjs';

/** One operation may take this long before it counts as a transport error (the gateway hung). */
const REQUEST_TIMEOUT_MS = 15_000;
const PAGE_SIZE = 10;
const DASHBOARD_PAGE_SIZE = 5;
const DASHBOARD_REFS = 3;

const REPOSITORY_QUERY = /* GraphQL */ `
  query SoakRepository($namespace: String!, $name: String!, $after: String) {
    repository(namespace: $namespace, name: $name) {
      name
      syncJobs(first: ${PAGE_SIZE}, after: $after) {
        totalCount
        nodes { id domainId domainName namespace repoName }
        pageInfo { endCursor hasNextPage hasPreviousPage }
      }
    }
  }
`;

const DASHBOARD_QUERY = /* GraphQL */ `
  query SoakDashboard($refs: [RepositoryRef!]!) {
    repositories(refs: $refs) {
      namespace
      name
      syncJobs(first: ${DASHBOARD_PAGE_SIZE}) {
        totalCount
        nodes { id domainId domainName namespace repoName }
      }
    }
  }
`;

/**
 * Use for one worker of a run: random tenant, random shape, until `context.stopped()` or the
 * operations (`context.maxOperations`, reserved before each shape runs) are spent.
 */
export async function worker(context) {
  const tenants = context.tenants;
  while (!context.stopped()) {
    let shape = pick(SHAPES);
    if (context.reserved + shape.cost > context.maxOperations) shape = SHAPES[0];
    if (context.reserved + shape.cost > context.maxOperations) return;
    context.reserved += shape.cost;
    increment(context.stats.shapes, shape.name);
    await shape.run(context, pick(tenants));
  }
}

/**
 * Use for one page of one repository (also the warm-up): `after` is a cursor of the same tenant,
 * or null, and `offset` where that page starts. Returns its connection, or null.
 */
export async function runRepositoryPage(context, tenant, name, after, offset) {
  const body = await postOperation(context, tenant, REPOSITORY_QUERY, { namespace: SOAK_NAMESPACE, name, after });
  if (body === null) return null;
  const codes = errorsByRepository(context.stats, body, (path) => (path[0] === 'repository' ? name : undefined));
  const repository = body.data?.repository;
  if (repository?.name !== name) {
    anomaly(context.stats, `${tenant.domainName} ${name}: repository is ${JSON.stringify(repository)?.slice(0, 200)}`);
    return null;
  }
  checkConnection(context.stats, tenant, name, repository.syncJobs, codes.get(name) ?? [], { offset, size: PAGE_SIZE, pageInfo: true });
  return repository.syncJobs ?? null;
}

/** A three-repository dashboard: every ref answers for itself, a faulty one never takes its siblings down. */
async function runDashboard(context, tenant) {
  const names = pickRepositories(DASHBOARD_REFS);
  const refs = names.map((name) => ({ namespace: SOAK_NAMESPACE, name }));
  const body = await postOperation(context, tenant, DASHBOARD_QUERY, { refs });
  if (body === null) return;
  const codes = errorsByRepository(context.stats, body, (path) =>
    path[0] === 'repositories' && typeof path[1] === 'number' ? names[path[1]] : undefined,
  );
  const repositories = body.data?.repositories;
  if (!Array.isArray(repositories) || repositories.length !== names.length) {
    anomaly(context.stats, `${tenant.domainName} dashboard ${names}: repositories is ${JSON.stringify(repositories)?.slice(0, 200)}`);
    return;
  }
  names.forEach((name, index) => {
    const repository = repositories[index];
    if (repository?.name !== name || repository?.namespace !== SOAK_NAMESPACE) {
      anomaly(
        context.stats,
        `${tenant.domainName} dashboard ref ${index}: expected ${name}, got ${JSON.stringify(repository)?.slice(0, 200)}`,
      );
      return;
    }
    checkConnection(context.stats, tenant, name, repository.syncJobs, codes.get(name) ?? [], {
      offset: 0,
      size: DASHBOARD_PAGE_SIZE,
      pageInfo: false,
    });
  });
}

/** The operation shapes a worker picks from; `cost` is how many operations one counts for. */
const SHAPES = [
  { name: 'repository', cost: 1, run: (context, tenant) => runRepositoryPage(context, tenant, pickRepositories(1)[0], null, 0) },
  { name: 'dashboard', cost: 1, run: runDashboard },
  {
    name: 'two-pages',
    cost: 2,
    run: async (context, tenant) => {
      const name = pickRepositories(1)[0];
      const first = await runRepositoryPage(context, tenant, name, null, 0);
      const cursor = first?.pageInfo?.endCursor;
      // A faulty repository has no first page; the second is then not asked (and not counted).
      if (typeof cursor !== 'string' || context.stopped()) {
        context.reserved -= 1;
        return;
      }
      await runRepositoryPage(context, tenant, name, cursor, PAGE_SIZE);
    },
  },
  { name: 'hostile', cost: 1, run: runHostile },
];

/** Posts one operation; returns the parsed body, or null after recording a transport error or bad status. */
async function postOperation(context, tenant, query, variables) {
  const { stats, agent, url, signal } = context;
  const startedAt = performance.now();
  stats.operations += 1;
  let status;
  let text;
  try {
    const response = await request(url, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-auth-token': tenant.token },
      body: JSON.stringify({ query, variables }),
      signal,
      headersTimeout: REQUEST_TIMEOUT_MS,
      bodyTimeout: REQUEST_TIMEOUT_MS,
    });
    status = response.statusCode;
    text = await response.body.text();
  } catch (error) {
    const kind = error?.code ?? error?.name ?? 'Error';
    stats.transportErrors += 1;
    increment(stats.transportErrorKinds, kind);
    sample(stats.samples.transportErrors, `${kind}: ${error?.message ?? error}`);
    return null;
  } finally {
    const ms = performance.now() - startedAt;
    stats.latenciesMs.push(ms);
    noteSlowest(
      stats,
      ms,
      `${tenant.domainName} ${variables.name ?? variables.refs.map((ref) => ref.name).join(',')}${variables.after ? ' (page 2)' : ''}`,
    );
  }
  increment(stats.statuses, String(status));
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    stats.transportErrors += 1;
    increment(stats.transportErrorKinds, 'BAD_JSON');
    sample(stats.samples.transportErrors, `BAD_JSON (HTTP ${status}): ${text.slice(0, 200)}`);
    return null;
  }
  if (status !== 200) sample(stats.samples.anomalies, `HTTP ${status}: ${text.slice(0, 300)}`);
  return body;
}

/** A random item of `items`. */
function pick(items) {
  return items[Math.floor(Math.random() * items.length)];
}

/** `count` distinct random repository names. */
function pickRepositories(count) {
  const chosen = new Set();
  while (chosen.size < count) chosen.add(Math.floor(Math.random() * SOAK_REPOSITORY_COUNT));
  return [...chosen].map((index) => soakRepositories[index]);
}
