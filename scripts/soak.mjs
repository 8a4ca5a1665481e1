// `npm run soak`: a bounded load test of the built gateway (dist/main.js) against the soak
// simulator (scripts/soak-simulator.mjs), both child processes on 127.0.0.1.
//
//   node scripts/soak.mjs [--duration SECONDS] [--concurrency N] [--max-operations N]
//
// N workers send random operations (one repository page, a second page from its cursor, a
// three-repository dashboard) as one of four tenants, and check every answer against the
// simulator's layout: a node of another tenant is a leak; a wrong count, id, page or missing
// sibling is an anomaly. Two repositories are faulty (503, and slower than SWR_TIMEOUT_MS), so
// UPSTREAM_ERROR and UPSTREAM_TIMEOUT are expected; any other code fails the run. The gateway's
// RSS is sampled every second. It prints a table and one `SOAK_RESULT {json}` line, and exits 0
// only when the run is clean. Every wait has a deadline, and the children are killed on every way
// out (end, error, SIGINT/SIGTERM, watchdog).
import { spawn } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import {
  SOAK_BACKGROUND_LATENCY_MS,
  SOAK_FAULTS,
  SOAK_NAMESPACE,
  SOAK_REPOSITORY_COUNT,
  SOAK_SLOW_LATENCY_MS,
  SOAK_TENANT_COUNT,
  soakFirstJobId,
  soakJobCount,
  soakRepositories,
  soakTenant,
} from './soak-simulator.mjs';

const MAIN = new URL('../dist/main.js', import.meta.url);
const SIMULATOR = new URL('./soak-simulator.mjs', import.meta.url);
const ROOT = new URL('../', import.meta.url);

/** The gateway's deadline per upstream call; the slow repository answers after SOAK_SLOW_LATENCY_MS. */
const SWR_TIMEOUT_MS = 1000;
/** Codes the injected faults explain. Anything else fails the run. */
const EXPECTED_CODES = new Set(Object.values(SOAK_FAULTS).map((fault) => fault.code));
/**
 * COLLATERAL: a lookup of a repository that answers in time (a healthy one, or the 503 one,
 * which the gateway retries) may still end in UPSTREAM_TIMEOUT when the gateway is saturated:
 * the deadline covers every try and backoff, and event-loop delay and waits for a pooled upstream
 * connection count against it. That is the contract's code for a missed deadline, so it does not
 * fail the run; past this share of those lookups it does, since a gateway that times out
 * everything must not pass.
 */
const MAX_COLLATERAL_TIMEOUT_RATE = 0.1;
const STARTUP_TIMEOUT_MS = 15_000;
/** One operation may take this long before it counts as a transport error (the gateway hung). */
const REQUEST_TIMEOUT_MS = 15_000;
/** After the duration, in-flight operations get this long to finish before they are aborted. */
const DRAIN_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 3_000;
const KILL_WAIT_MS = 2_000;
const WARMUP_REQUESTS = 24;
/**
 * Preloaded into the gateway (dist/main.js is not ours to change): when the soak process dies
 * without a chance to stop it (SIGKILL), the gateway is re-parented, notices within a second and
 * stops itself with the SIGTERM it handles. An unref'd timer: it never keeps the gateway alive.
 */
const ORPHAN_GUARD = `data:text/javascript,${encodeURIComponent(
  'const parent = process.ppid; setInterval(() => { if (process.ppid !== parent) process.kill(process.pid, "SIGTERM"); }, 1000).unref();',
)}`;
const PAGE_SIZE = 10;
const DASHBOARD_PAGE_SIZE = 5;
const DASHBOARD_REFS = 3;
const MAX_SAMPLES = 5;

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

// ---------------------------------------------------------------------------------------------
// Options

/** Reads the command line; exits 2 with a message on a bad value. */
function optionsFromArgv(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        duration: { type: 'string', default: '60' },
        concurrency: { type: 'string', default: '200' },
        'max-operations': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    usage(error.message);
  }
  if (values.help) usage();
  const duration = Number(values.duration);
  if (!Number.isFinite(duration) || duration <= 0 || duration > 3600) usage(`--duration: expected seconds in (0, 3600], received ${JSON.stringify(values.duration)}`);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 10_000) {
    usage(`--concurrency: expected an integer 1..10000, received ${JSON.stringify(values.concurrency)}`);
  }
  let maxOperations = Infinity;
  if (values['max-operations'] !== undefined) {
    maxOperations = Number(values['max-operations']);
    if (!Number.isInteger(maxOperations) || maxOperations < 1) {
      usage(`--max-operations: expected a positive integer, received ${JSON.stringify(values['max-operations'])}`);
    }
  }
  return { durationMs: duration * 1000, concurrency, maxOperations };
}

/** Prints the usage (to stderr with the problem, exit 2; else to stdout, exit 0). */
function usage(problem) {
  const text = 'usage: node scripts/soak.mjs [--duration SECONDS (60)] [--concurrency N (200)] [--max-operations N (no cap)]';
  if (problem) {
    console.error(`soak: ${problem}\n${text}`);
    process.exit(2);
  }
  console.log(text);
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// Children: started with a deadline, always stopped

/** Every child still to be stopped; the exit handler SIGKILLs whatever is left. */
const children = new Set();

/** Spawns a node child whose output is read line by line; stderr keeps its last lines for reports. */
function spawnChild(name, args, env) {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  const handle = { name, child, stderrTail: [], exited: false, exitCode: null, exitSignal: null };
  children.add(handle);
  child.once('exit', (code, signal) => {
    handle.exited = true;
    handle.exitCode = code;
    handle.exitSignal = signal;
    children.delete(handle);
  });
  child.once('error', () => {});
  child.stdin.on('error', () => {});
  createInterface({ input: child.stderr }).on('line', (line) => {
    handle.stderrTail.push(line);
    if (handle.stderrTail.length > 20) handle.stderrTail.shift();
  });
  return handle;
}

/** Resolves with the value `match(line)` returns for a stdout line; rejects on exit or after `timeoutMs`. */
function waitForLine(handle, timeoutMs, match) {
  return new Promise((resolve, reject) => {
    const seen = [];
    const lines = createInterface({ input: handle.child.stdout });
    const done = (fn, value) => {
      clearTimeout(timer);
      handle.child.off('exit', onExit);
      lines.off('line', onLine);
      fn(value);
    };
    const describe = () => `stdout: ${JSON.stringify(seen.slice(-5))}, stderr: ${JSON.stringify(handle.stderrTail.slice(-5))}`;
    const timer = setTimeout(() => done(reject, new Error(`${handle.name} did not start within ${timeoutMs} ms; ${describe()}`)), timeoutMs);
    const onExit = (code, signal) => done(reject, new Error(`${handle.name} exited (${signal ?? code}) before it was ready; ${describe()}`));
    const onLine = (line) => {
      seen.push(line);
      if (seen.length > 20) seen.shift();
      const value = match(line);
      if (value !== undefined) done(resolve, { value, lines });
    };
    handle.child.once('exit', onExit);
    lines.on('line', onLine);
    if (handle.exited) onExit(handle.exitCode, handle.exitSignal);
  });
}

/** SIGTERM, then SIGKILL after STOP_GRACE_MS; resolves when the child is gone (or given up on). */
async function stopChild(handle) {
  if (handle.exited) return;
  const gone = new Promise((resolve) => handle.child.once('exit', resolve));
  const within = (ms) => Promise.race([gone.then(() => true), new Promise((resolve) => setTimeout(resolve, ms, false))]);
  handle.child.kill('SIGTERM');
  if (await within(STOP_GRACE_MS)) return;
  handle.stoppedHard = true;
  handle.child.kill('SIGKILL');
  await within(KILL_WAIT_MS);
}

/** Last resort, synchronous (exit handlers cannot wait): SIGKILL every child still running. */
function killChildrenNow() {
  for (const handle of children) {
    try {
      handle.child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

process.on('exit', killChildrenNow);

// ---------------------------------------------------------------------------------------------
// Statistics

/** Counters of one run; every worker records into the same one. */
function createStats() {
  return {
    operations: 0,
    statuses: {},
    errorCodes: {},
    transportErrors: 0,
    transportErrorKinds: {},
    leaks: 0,
    anomalies: 0,
    healthyLookups: 0,
    timelyLookups: 0,
    collateralTimeouts: 0,
    collateralTimeoutsBy: {},
    slowest: [],
    shapes: {},
    samples: { leaks: [], anomalies: [], transportErrors: [], unexpectedCodes: [], collateralTimeouts: [] },
    latenciesMs: [],
  };
}

const increment = (map, key, by = 1) => {
  map[key] = (map[key] ?? 0) + by;
};
const sample = (list, value) => {
  if (list.length < MAX_SAMPLES) list.push(value);
};

// ---------------------------------------------------------------------------------------------
// Load

const pick = (items) => items[Math.floor(Math.random() * items.length)];
const repositoryIndex = (name) => Number(name.slice('repo-'.length));

/** Distinct random repository indexes. */
function pickRepositories(count) {
  const chosen = new Set();
  while (chosen.size < count) chosen.add(Math.floor(Math.random() * SOAK_REPOSITORY_COUNT));
  return [...chosen].map((index) => soakRepositories[index]);
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
    noteSlowest(stats, ms, `${tenant.domainName} ${variables.name ?? variables.refs.map((ref) => ref.name).join(',')}${variables.after ? ' (page 2)' : ''}`);
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

/**
 * Records the errors of one answer and returns them by repository. `repositoryAt(path)` names the
 * repository an error path belongs to (undefined for an error outside any repository).
 */
function errorsByRepository(stats, body, repositoryAt) {
  const byRepository = new Map();
  for (const error of body.errors ?? []) {
    const code = error?.extensions?.code ?? 'NO_CODE';
    increment(stats.errorCodes, code);
    const repository = Array.isArray(error.path) ? repositoryAt(error.path) : undefined;
    if (!EXPECTED_CODES.has(code)) sample(stats.samples.unexpectedCodes, JSON.stringify({ repository, message: error.message, path: error.path, extensions: error.extensions }));
    if (repository === undefined) {
      anomaly(stats, `error outside a repository: ${JSON.stringify(error)}`);
      continue;
    }
    byRepository.set(repository, [...(byRepository.get(repository) ?? []), code]);
  }
  return byRepository;
}

/** Keeps the MAX_SAMPLES slowest operations, slowest first. */
function noteSlowest(stats, ms, what) {
  const slowest = stats.slowest;
  if (slowest.length === MAX_SAMPLES && ms <= slowest[slowest.length - 1].ms) return;
  slowest.push({ ms: Math.round(ms), what });
  slowest.sort((a, b) => b.ms - a.ms);
  slowest.length = Math.min(slowest.length, MAX_SAMPLES);
}

/** Counts a wrong answer that is not a leak, keeping the first few. */
function anomaly(stats, description) {
  stats.anomalies += 1;
  sample(stats.samples.anomalies, description);
}

/**
 * Checks one repository's connection as tenant `tenant` saw it: each node's tenant (a leak
 * otherwise), then the page itself. `codes` are the errors reported at this repository.
 */
function checkConnection(stats, tenant, name, connection, codes, { offset, size, pageInfo }) {
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
    if (connection !== null && connection !== undefined) anomaly(stats, `${where}: the faulty repository answered ${JSON.stringify(connection).slice(0, 200)}`);
    if (!collateralTimeout && (codes.length !== 1 || codes[0] !== fault.code)) anomaly(stats, `${where}: expected one ${fault.code}, got ${JSON.stringify(codes)}`);
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
    if (connection.pageInfo?.hasNextPage !== hasNextPage) problems.push(`hasNextPage ${connection.pageInfo?.hasNextPage}, expected ${hasNextPage}`);
    if (connection.pageInfo?.hasPreviousPage !== offset > 0) problems.push(`hasPreviousPage ${connection.pageInfo?.hasPreviousPage}, expected ${offset > 0}`);
  }
  if (problems.length > 0) anomaly(stats, `${where}: ${problems.join('; ')}`);
}

/** One page of one repository (`after` = a cursor of the same tenant, or null); returns its connection. */
async function runRepositoryPage(context, tenant, name, after, offset) {
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
  const codes = errorsByRepository(context.stats, body, (path) => (path[0] === 'repositories' && typeof path[1] === 'number' ? names[path[1]] : undefined));
  const repositories = body.data?.repositories;
  if (!Array.isArray(repositories) || repositories.length !== names.length) {
    anomaly(context.stats, `${tenant.domainName} dashboard ${names}: repositories is ${JSON.stringify(repositories)?.slice(0, 200)}`);
    return;
  }
  names.forEach((name, index) => {
    const repository = repositories[index];
    if (repository?.name !== name || repository?.namespace !== SOAK_NAMESPACE) {
      anomaly(context.stats, `${tenant.domainName} dashboard ref ${index}: expected ${name}, got ${JSON.stringify(repository)?.slice(0, 200)}`);
      return;
    }
    checkConnection(context.stats, tenant, name, repository.syncJobs, codes.get(name) ?? [], { offset: 0, size: DASHBOARD_PAGE_SIZE, pageInfo: false });
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
];

/** One worker: random tenant, random shape, until the time is up or the operations are spent. */
async function worker(context) {
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

// ---------------------------------------------------------------------------------------------
// Memory

/** The resident set size of `pid` in MB, or null where /proc is not there (not Linux) or it exited. */
function rssMegabytes(pid) {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round((Number(match[1]) / 1024) * 10) / 10 : null;
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) `pid` has used, or null without /proc; clock ticks are 100/s on Linux. */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Report

/** The p-th percentile of sorted latencies, to 0.1 ms; null when there are none. */
function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] * 10) / 10;
}

const formatCounts = (map) =>
  Object.keys(map).length === 0
    ? 'none'
    : Object.entries(map)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, count]) => `${key}: ${count}`)
        .join(', ');

/** Why the run failed (empty = passed). */
function failuresOf(result) {
  const failures = [];
  if (result.operations === 0) failures.push('no operation was made');
  if (result.leaks !== 0) failures.push(`${result.leaks} cross-token leaks`);
  if (result.transportErrors !== 0) failures.push(`${result.transportErrors} transport errors`);
  const badStatuses = Object.keys(result.statuses).filter((status) => status !== '200');
  if (badStatuses.length > 0) failures.push(`HTTP statuses other than 200: ${badStatuses.join(', ')}`);
  const badCodes = Object.keys(result.errorCodes).filter((code) => !EXPECTED_CODES.has(code));
  if (badCodes.length > 0) failures.push(`unexpected error codes: ${badCodes.join(', ')}`);
  if (result.anomalies !== 0) failures.push(`${result.anomalies} anomalies (wrong pages, or errors on healthy repositories)`);
  if (result.collateralTimeoutRate > MAX_COLLATERAL_TIMEOUT_RATE) {
    failures.push(`${result.collateralTimeouts} of ${result.timelyLookups} lookups that answer in time timed out (more than ${MAX_COLLATERAL_TIMEOUT_RATE * 100}%)`);
  }
  if (result.gatewayExitedEarly) failures.push('the gateway exited during the run');
  return failures;
}

/** The human-readable table, the samples, then the SOAK_RESULT line. */
function printReport(result, options) {
  const rows = [
    ['duration', `${result.durationSeconds} s, ${options.concurrency} workers${Number.isFinite(options.maxOperations) ? `, at most ${options.maxOperations} operations` : ''}`],
    ['upstream', `${SOAK_TENANT_COUNT} tenants × ${SOAK_REPOSITORY_COUNT} repositories, ${SOAK_BACKGROUND_LATENCY_MS} ms latency; repo-38 → 503, repo-39 → ${SOAK_SLOW_LATENCY_MS} ms (SWR_TIMEOUT_MS ${SWR_TIMEOUT_MS})`],
    ['operations', `${result.operations} (${result.opsPerSecond}/s); shapes ${formatCounts(result.shapes)}`],
    ['latency ms', `p50 ${result.latencyMs.p50}, p95 ${result.latencyMs.p95}, p99 ${result.latencyMs.p99}, max ${result.latencyMs.max}`],
    ['HTTP statuses', formatCounts(result.statuses)],
    ['error codes', formatCounts(result.errorCodes)],
    ['transport errors', result.transportErrors === 0 ? '0' : `${result.transportErrors} (${formatCounts(result.transportErrorKinds)})`],
    ['leaks', String(result.leaks)],
    ['anomalies', String(result.anomalies)],
    [
      'collateral timeouts',
      `${result.collateralTimeouts} of ${result.timelyLookups} lookups outside the slow repository (${(result.collateralTimeoutRate * 100).toFixed(2)}%)` +
        (result.collateralTimeouts > 0 ? `: ${formatCounts(result.collateralTimeoutsBy)}; the gateway was saturated (see COLLATERAL in soak.mjs)` : ''),
    ],
    ['gateway RSS MB', `start ${result.rssStartMB}, end ${result.rssEndMB}, peak ${result.rssPeakMB}`],
    ['gateway CPU', result.gatewayCpuSeconds === null ? 'n/a' : `${result.gatewayCpuSeconds} s (${result.gatewayCpuPercent}% of one core)`],
    ['gateway log', result.gatewayLogWarnings === 0 ? 'no warnings' : `${result.gatewayLogWarnings} warning/error lines`],
    ['verdict', result.failures.length === 0 ? 'PASS' : `FAIL: ${result.failures.join('; ')}`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log('\nswr-gateway soak');
  for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value}`);
  console.log(`  slowest operations: ${result.slowest.map(({ ms, what }) => `${ms} ms ${what}`).join('; ')}`);
  for (const [kind, list] of Object.entries(result.samples)) {
    if (list.length === 0) continue;
    console.log(`  first ${kind}:`);
    for (const line of list) console.log(`    ${line}`);
  }
  if (result.gatewayLogSamples.length > 0) {
    console.log('  first gateway warnings:');
    for (const line of result.gatewayLogSamples) console.log(`    ${line.slice(0, 400)}`);
  }
  const { samples, slowest, gatewayLogSamples, failures, ...summary } = result;
  console.log(`SOAK_RESULT ${JSON.stringify({ ...summary, passed: failures.length === 0, failures })}`);
}

// ---------------------------------------------------------------------------------------------
// Main

async function main() {
  const options = optionsFromArgv(process.argv.slice(2));
  for (const file of [MAIN, new URL('../dist/simulator/index.js', import.meta.url)]) {
    if (!existsSync(file)) throw new Error(`${file.pathname} is missing: run \`npm run build\` first (npm run soak does)`);
  }
  // Nothing may outlive its welcome: past this point the run is abandoned and the children killed.
  const watchdogMs = 2 * STARTUP_TIMEOUT_MS + options.durationMs + DRAIN_TIMEOUT_MS + 30_000;
  setTimeout(() => {
    console.error(`soak: watchdog: still running after ${watchdogMs} ms; killing the children`);
    killChildrenNow();
    process.exit(1);
  }, watchdogMs).unref();

  const env = { PATH: process.env.PATH ?? '' };
  const simulator = spawnChild('simulator', [SIMULATOR.pathname, '--exit-with-stdin'], env);
  const { value: simulatorUrl } = await waitForLine(simulator, STARTUP_TIMEOUT_MS, (line) => (/^http:\/\/127\.0\.0\.1:\d+$/.test(line.trim()) ? line.trim() : undefined));

  // LOG_LEVEL=info, not warn: the "listening on" line (how PORT=0 is learnt) is an info line, and
  // the gateway logs nothing else at info until shutdown; warnings and errors are counted below.
  const gateway = spawnChild('gateway', [`--import=${ORPHAN_GUARD}`, MAIN.pathname], {
    ...env,
    SWR_ENDPOINT: simulatorUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    SWR_TIMEOUT_MS: String(SWR_TIMEOUT_MS),
  });
  const { value: gatewayUrl, lines: gatewayLines } = await waitForLine(gateway, STARTUP_TIMEOUT_MS, (line) => {
    try {
      const entry = JSON.parse(line);
      return /listening on http:\/\//.test(String(entry.msg)) ? `http://${entry.host}:${entry.port}/graphql` : undefined;
    } catch {
      return undefined;
    }
  });
  // Keep reading the gateway's log (a full pipe would block it): count pino warn (40) and above.
  let gatewayLogWarnings = 0;
  const gatewayLogSamples = [];
  gatewayLines.on('line', (line) => {
    let level = 0;
    try {
      level = JSON.parse(line).level;
    } catch {
      level = 50;
    }
    if (level >= 40) {
      gatewayLogWarnings += 1;
      if (gatewayLogSamples.length < MAX_SAMPLES) gatewayLogSamples.push(line);
    }
  });

  const agent = new Agent({ connections: options.concurrency, keepAliveTimeout: 30_000, pipelining: 1 });
  const drain = new AbortController();
  // Every in-flight request listens to it: as many listeners as workers, by design.
  setMaxListeners(0, drain.signal);
  const stats = createStats();
  const context = {
    stats,
    agent,
    url: gatewayUrl,
    signal: drain.signal,
    tenants: Array.from({ length: SOAK_TENANT_COUNT }, (_, index) => soakTenant(index)),
    maxOperations: options.maxOperations,
    reserved: 0,
    endAt: Infinity,
    stopped: () => Date.now() >= context.endAt || gateway.exited || interrupted,
  };

  try {
    // Warm-up (not counted): every tenant once, so start-up costs are not counted as growth.
    const warmup = { ...context, stats: createStats(), maxOperations: Infinity, endAt: Infinity };
    for (let index = 0; index < WARMUP_REQUESTS; index += 1) {
      await runRepositoryPage(warmup, warmup.tenants[index % SOAK_TENANT_COUNT], soakRepositories[index % 30], null, 0);
    }
    if (warmup.stats.transportErrors > 0 || warmup.stats.anomalies > 0 || warmup.stats.leaks > 0) {
      throw new Error(`warm-up failed: ${JSON.stringify({ ...warmup.stats, latenciesMs: undefined })}`);
    }

    const rssStartMB = rssMegabytes(gateway.child.pid);
    const cpuStart = cpuSeconds(gateway.child.pid);
    let rssPeakMB = rssStartMB;
    const sampler = setInterval(() => {
      const rss = rssMegabytes(gateway.child.pid);
      if (rss !== null && (rssPeakMB === null || rss > rssPeakMB)) rssPeakMB = rss;
    }, 1000);
    let lastProgress = Date.now();
    const progress = setInterval(() => {
      const now = Date.now();
      if (now - lastProgress < 10_000) return;
      lastProgress = now;
      console.error(`soak: ${stats.operations} operations, gateway RSS ${rssMegabytes(gateway.child.pid)} MB`);
    }, 1000);

    const startedAt = performance.now();
    loadStarted = true;
    context.endAt = Date.now() + options.durationMs;
    const workers = Array.from({ length: options.concurrency }, () => worker(context));
    // In-flight operations finish by themselves (the slowest waits SWR_TIMEOUT_MS); past the drain
    // deadline they are aborted, and count as transport errors: the gateway did not answer.
    const drainTimer = setTimeout(() => drain.abort(new Error('not answered before the drain deadline')), options.durationMs + DRAIN_TIMEOUT_MS);
    await Promise.all(workers);
    clearTimeout(drainTimer);
    const elapsedSeconds = (performance.now() - startedAt) / 1000;
    clearInterval(sampler);
    clearInterval(progress);

    const rssEndMB = rssMegabytes(gateway.child.pid);
    const cpuEnd = cpuSeconds(gateway.child.pid);
    const gatewayCpuSeconds = cpuStart === null || cpuEnd === null ? null : Math.round((cpuEnd - cpuStart) * 100) / 100;
    if (rssEndMB !== null && (rssPeakMB === null || rssEndMB > rssPeakMB)) rssPeakMB = rssEndMB;
    const sorted = Float64Array.from(stats.latenciesMs).sort();
    const result = {
      operations: stats.operations,
      durationSeconds: Math.round(elapsedSeconds * 10) / 10,
      opsPerSecond: Math.round((stats.operations / elapsedSeconds) * 10) / 10,
      concurrency: options.concurrency,
      statuses: stats.statuses,
      errorCodes: stats.errorCodes,
      transportErrors: stats.transportErrors,
      transportErrorKinds: stats.transportErrorKinds,
      leaks: stats.leaks,
      anomalies: stats.anomalies,
      healthyLookups: stats.healthyLookups,
      timelyLookups: stats.timelyLookups,
      collateralTimeouts: stats.collateralTimeouts,
      collateralTimeoutsBy: stats.collateralTimeoutsBy,
      collateralTimeoutRate: stats.timelyLookups === 0 ? 0 : Math.round((stats.collateralTimeouts / stats.timelyLookups) * 10_000) / 10_000,
      shapes: stats.shapes,
      latencyMs: { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: percentile(sorted, 100) },
      rssStartMB,
      rssEndMB,
      rssPeakMB,
      gatewayCpuSeconds,
      gatewayCpuPercent: gatewayCpuSeconds === null ? null : Math.round((gatewayCpuSeconds / elapsedSeconds) * 100),
      gatewayLogWarnings,
      gatewayExitedEarly: gateway.exited,
      samples: stats.samples,
      slowest: stats.slowest,
      gatewayLogSamples,
    };
    if (interrupted) result.interrupted = true;
    result.failures = failuresOf(result);
    if (interrupted) result.failures.push('interrupted');
    if (gateway.exited) result.failures.push(`gateway exit ${gateway.exitSignal ?? gateway.exitCode}; stderr ${JSON.stringify(gateway.stderrTail.slice(-5))}`);
    printReport(result, options);
    return result.failures.length === 0 ? 0 : 1;
  } finally {
    await agent.close().catch(() => {});
    await stopChild(gateway);
    await stopChild(simulator);
    for (const handle of [gateway, simulator]) {
      if (handle.stoppedHard) console.error(`soak: the ${handle.name} did not stop within ${STOP_GRACE_MS} ms of SIGTERM; killed`);
    }
  }
}

let interrupted = false;
let loadStarted = false;
// Ctrl-C (or a SIGTERM from a runner): the workers stop, the report says so, the children are stopped.
// A second signal does not wait for that.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    // Before the load starts there is nothing to report: stop at once.
    if (interrupted || !loadStarted) {
      killChildrenNow();
      process.exit(130);
    }
    interrupted = true;
    console.error(`soak: ${signal}: stopping`);
  });
}

main().then(
  (code) => process.exit(code),
  async (error) => {
    console.error(`soak: ${error?.stack ?? error}`);
    await Promise.all([...children].map(stopChild)).catch(() => {});
    process.exit(1);
  },
);
process.on('uncaughtException', (error) => {
  console.error(`soak: uncaught ${error?.stack ?? error}`);
  killChildrenNow();
  process.exit(1);
});
process.on('unhandledRejection', (error) => {
  console.error(`soak: unhandled rejection ${error?.stack ?? error}`);
  killChildrenNow();
  process.exit(1);
});
