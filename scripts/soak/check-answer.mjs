// Checks every answer of the soak against the simulator's layout (scripts/soak-simulator.mjs):
// a node of another tenant is a leak; a wrong count, id, page or an error on a repository that
// should have answered is an anomaly. Errors are attributed to the repository their path names,
// so a faulty repository in a dashboard is checked on its own and its siblings are not excused.
import { SOAK_FAULTS, SOAK_NAMESPACE, soakFirstJobId, soakJobCount } from '../soak-simulator.mjs';
import { EXPECTED_CODES } from './expected-errors.mjs';
import { anomaly, increment, sample } from './stats.mjs';

/**
 * Use on every answer before its data: records its errors and returns their codes by repository.
 * `repositoryAt(path)` names the repository an error path belongs to (undefined for an error
 * outside any repository, itself an anomaly).
 */
export function errorsByRepository(stats, body, repositoryAt) {
  const byRepository = new Map();
  for (const error of body.errors ?? []) {
    const code = error?.extensions?.code ?? 'NO_CODE';
    increment(stats.errorCodes, code);
    const repository = Array.isArray(error.path) ? repositoryAt(error.path) : undefined;
    if (!EXPECTED_CODES.has(code))
      sample(
        stats.samples.unexpectedCodes,
        JSON.stringify({ repository, message: error.message, path: error.path, extensions: error.extensions }),
      );
    if (repository === undefined) {
      anomaly(stats, `error outside a repository: ${JSON.stringify(error)}`);
      continue;
    }
    byRepository.set(repository, [...(byRepository.get(repository) ?? []), code]);
  }
  return byRepository;
}

/**
 * Use for each repository of an answer: checks its connection as tenant `tenant` saw it, each
 * node's tenant (a leak otherwise), then the page itself. `codes` are the errors reported at this
 * repository; `pageInfo` says whether the query asked for it.
 */
export function checkConnection(stats, tenant, name, connection, codes, { offset, size, pageInfo }) {
  const fault = SOAK_FAULTS[name];
  const where = `${tenant.domainName} ${SOAK_NAMESPACE}/${name} offset ${offset}`;
  // Not injected (see COLLATERAL): the deadline passed first, on a repository that answers in time.
  const collateralTimeout = fault?.code !== 'UPSTREAM_TIMEOUT' && codes.length === 1 && codes[0] === 'UPSTREAM_TIMEOUT';
  if (fault?.code !== 'UPSTREAM_TIMEOUT') stats.timelyLookups += 1;
  if (collateralTimeout) {
    const kind = fault ? name : 'healthy';
    increment(stats.collateralTimeoutsBy, kind);
    stats.collateralTimeouts += 1;
    sample(stats.samples.collateralTimeouts, where);
  }
  if (fault) {
    if (connection !== null && connection !== undefined)
      anomaly(stats, `${where}: the faulty repository answered ${JSON.stringify(connection).slice(0, 200)}`);
    if (!collateralTimeout && (codes.length !== 1 || codes[0] !== fault.code))
      anomaly(stats, `${where}: expected one ${fault.code}, got ${JSON.stringify(codes)}`);
    return;
  }
  stats.healthyLookups += 1;
  if (codes.length > 0 && !collateralTimeout) {
    anomaly(stats, `${where}: a healthy repository failed with ${JSON.stringify(codes)}`);
  }
  if (connection === null || connection === undefined) {
    if (codes.length === 0) anomaly(stats, `${where}: syncJobs is null without an error`);
    return;
  }
  const nodes = Array.isArray(connection.nodes) ? connection.nodes : [];
  for (const node of nodes) {
    const id = Number(node?.id);
    const ownId = id >= tenant.idBase && id < tenant.idBase + 1_000_000;
    if (node?.domainName !== tenant.domainName || node?.domainId !== tenant.domainId || !ownId) {
      stats.leaks += 1;
      sample(stats.samples.leaks, `${where}: caller ${tenant.domainName} got ${JSON.stringify(node)}`);
    }
  }
  const count = soakJobCount(tenant.index, repositoryIndex(name));
  const ids = nodes.map((node) => node?.id);
  const wantIds = expectedIds(tenant.index, name, offset, size);
  const problems = [];
  if (connection.totalCount !== count) problems.push(`totalCount ${connection.totalCount}, expected ${count}`);
  if (JSON.stringify(ids) !== JSON.stringify(wantIds)) problems.push(`ids ${JSON.stringify(ids)}, expected ${JSON.stringify(wantIds)}`);
  if (nodes.some((node) => node?.namespace !== SOAK_NAMESPACE || node?.repoName !== name)) problems.push('a node of another repository');
  if (pageInfo) {
    const hasNextPage = offset + size < count;
    if (connection.pageInfo?.hasNextPage !== hasNextPage)
      problems.push(`hasNextPage ${connection.pageInfo?.hasNextPage}, expected ${hasNextPage}`);
    if (connection.pageInfo?.hasPreviousPage !== offset > 0)
      problems.push(`hasPreviousPage ${connection.pageInfo?.hasPreviousPage}, expected ${offset > 0}`);
  }
  if (problems.length > 0) anomaly(stats, `${where}: ${problems.join('; ')}`);
}

/** `repo-7` → 7, the index the simulator's layout functions take. */
function repositoryIndex(name) {
  return Number(name.slice('repo-'.length));
}

/** The ids a page of a repository must hold: newest first, `size` items from `offset`. */
function expectedIds(tenantIndex, name, offset, size) {
  const k = repositoryIndex(name);
  const count = soakJobCount(tenantIndex, k);
  const newest = soakFirstJobId(tenantIndex, k) + count - 1;
  const ids = [];
  for (let position = offset; position < Math.min(count, offset + size); position += 1) ids.push(String(newest - position));
  return ids;
}
