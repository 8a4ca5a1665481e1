// The seven targets (eight with --baseline), in the order every round runs them, and how each is started. Every server is
// its own child process on 127.0.0.1 with a port the OS chose, pointed at the bench simulator.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort, ROOT, startServer } from './processes.mjs';

/** NODE_ENV as a deployment would have it, the same for every server. */
const NODE_ENV = 'production';
const GATEWAY_START_ATTEMPTS = 3;

/**
 * `kind`: 'rest' (asked the SWR page directly), 'graphql' (POST /graphql, the gateway's schema) or
 * 'mesh' (POST /graphql, the schema GraphQL Mesh generates from the OpenAPI description: its own
 * request bodies, see lib/workloads.mjs). `workloads`: the workload ids it can serve; the others
 * are reported as n/a. `cached`: a second identical request must not reach SWR (the response
 * cache answers it). `sameBodyAs`: its verified answer must be byte for byte that target's.
 */
/** The gateway with tracing on, beside the same gateway with it off (the default). */
export const TRACED_ID = 'swr-gateway+tracing';
/** The gateway with its response cache on (in memory), beside the same gateway with it off (the default). */
export const CACHED_ID = 'swr-gateway+cache';
/** The response cache's TTL for CACHED_ID: longer than any run, so nearly every request is a hit. */
const CACHE_TTL_MS = 60_000;

export const TARGETS = [
  {
    id: 'direct',
    kind: 'rest',
    workloads: ['one-page'],
    what: "the REST call to the simulator itself (`GET …/sync_job?filter=…` with X-Auth-Token); its RSS is the simulator's",
  },
  {
    id: 'bare-proxy',
    kind: 'graphql',
    workloads: ['one-page', 'one-page-small', 'dashboard'],
    what:
      '`bench/peers/bare-proxy.mjs`: node:http + one undici Pool, the same SWR calls, the response JSON built by hand; ' +
      'no GraphQL (the ceiling for a Node process)',
  },
  {
    id: 'apollo-peer',
    kind: 'graphql',
    workloads: ['one-page', 'one-page-small', 'dashboard'],
    what:
      '`bench/peers/apollo-peer.mjs`: Apollo Server 5 standalone, a RESTDataSource per request, graphql-relay cursors ' +
      '(the typical implementation)',
  },
  {
    id: 'mesh-hive',
    kind: 'mesh',
    workloads: ['one-page', 'one-page-small', 'dashboard'],
    what:
      "`bench/peers/mesh-hive/mesh-hive.mjs`: The Guild's stack: an OpenAPI 3 description of the sync_job operation composed " +
      "at start-up by GraphQL Mesh (compose-cli + @omnigraph/openapi), served by Hive Gateway's runtime on node:http " +
      '(transport-rest), X-Auth-Token forwarded through `operationHeaders`; its generated field ' +
      "`ShowSyncJob(namespace, repository, filter): [SyncJob]` returns SWR's jobs as they are (no cursors, no totalCount)",
  },
  {
    id: 'swr-gateway',
    kind: 'graphql',
    workloads: ['one-page', 'one-page-small', 'dashboard', 'entities', 'node', 'persisted', 'drift'],
    what:
      `\`${['node', ...gatewayNodeArgs(), 'dist/main.js'].join(' ')}\` (as \`npm start\` runs it) ` +
      'with SWR_ENDPOINT = the simulator, LOG_LEVEL=warn',
  },
  {
    id: TRACED_ID,
    kind: 'graphql',
    workloads: ['one-page'],
    what:
      'the same with OpenTelemetry on: OTEL_EXPORTER_OTLP_ENDPOINT = an OTLP/HTTP sink (`bench/otlp-sink.mjs`), ' +
      'every operation and SWR call traced and exported',
  },
  {
    id: CACHED_ID,
    kind: 'graphql',
    workloads: ['one-page', 'one-page-small'],
    cached: true,
    sameBodyAs: 'swr-gateway',
    what:
      `the same with its response cache on: RESPONSE_CACHE_TTL_MS=${CACHE_TTL_MS} (in memory, no Redis), ` +
      "so nearly every request is a cache hit; its answers are byte for byte swr-gateway's",
  },
];

/** The id of the gateway of another commit (`--baseline DIR`), measured beside this one. */
export const BASELINE_ID = 'swr-gateway@baseline';

/**
 * The targets a run measures: TARGETS, plus the baseline gateway when `baseline` names the
 * directory of another build, narrowed to `only` when given (an unknown id is an error).
 */
export function targetsFor({ baseline, only }) {
  const gateway = TARGETS.find((target) => target.id === 'swr-gateway');
  const all = baseline
    ? [
        ...TARGETS,
        { ...gateway, id: BASELINE_ID, what: `the same, built from ${baseline} (another commit), for a before/after in one run` },
      ]
    : TARGETS;
  if (!only) return all;
  const unknown = only.filter((id) => !all.some((target) => target.id === id));
  if (unknown.length > 0)
    throw new Error(`--only: no target ${unknown.join(', ')}; the targets are ${all.map((target) => target.id).join(', ')}`);
  return all.filter((target) => only.includes(target.id));
}

/** Use first: the bench simulator (demo data + bench-0 … bench-19), with its IPC call counter. */
export function startSimulator() {
  return startServer({ name: 'simulator', script: 'bench/simulator.mjs', env: { NODE_ENV }, ready: { line: true }, ipc: true });
}

/**
 * Use to start every target's server against `simulator`; resolves to the targets with `pid`,
 * `baseUrl`, `graphqlUrl` and `handle` filled in (the direct target is the simulator itself).
 */
export async function startTargets(simulator, { upstreamConnections, baseline, only }) {
  const env = { NODE_ENV, SWR_ENDPOINT: simulator.baseUrl };
  const starters = {
    direct: async () => simulator,
    'bare-proxy': () =>
      startServer({
        name: 'bare-proxy',
        script: 'bench/peers/bare-proxy.mjs',
        env: { ...env, UPSTREAM_CONNECTIONS: String(upstreamConnections) },
        ready: { line: true },
      }),
    'apollo-peer': () => startServer({ name: 'apollo-peer', script: 'bench/peers/apollo-peer.mjs', env, ready: { line: true } }),
    'mesh-hive': () => startServer({ name: 'mesh-hive', script: 'bench/peers/mesh-hive/mesh-hive.mjs', env, ready: { line: true } }),
    'swr-gateway': () => startGateway(env),
    [BASELINE_ID]: () => startGateway(env, baseline),
    [CACHED_ID]: () => startGateway({ ...env, RESPONSE_CACHE_TTL_MS: String(CACHE_TTL_MS) }, null, CACHED_ID),
    [TRACED_ID]: async () => {
      const sink = await startServer({ name: 'otlp-sink', script: 'bench/otlp-sink.mjs', env: {}, ready: { line: true } });
      // (The sink is a child like the others: stopped with them.)
      return startGateway({ ...env, OTEL_EXPORTER_OTLP_ENDPOINT: sink.baseUrl, OTEL_SERVICE_NAME: 'swr-gateway-bench' }, null, TRACED_ID);
    },
  };
  const targets = targetsFor({ baseline, only });
  const handles = await Promise.all(targets.map((target) => starters[target.id]()));
  return targets.map((target, index) => ({
    ...target,
    handle: handles[index],
    pid: handles[index].pid,
    baseUrl: handles[index].baseUrl,
    graphqlUrl: target.kind === 'rest' ? null : `${handles[index].baseUrl}/graphql`,
  }));
}

/**
 * dist/main.js logs its port only at LOG_LEVEL=info, and the bench runs it at warn (a log line
 * per operation would be measured too), so it gets a free port and is ready when /readyz says so.
 * Another process may take that port in between; then it fails with EADDRINUSE and we try again.
 */
/**
 * The Node options `npm start` runs the gateway with (package.json's start script, between `node`
 * and `dist/main.js`), so that the bench measures the gateway as it is run: this tree's, or with
 * `directory` (the --baseline build) that commit's own.
 */
export function gatewayNodeArgs(directory = null) {
  const start = JSON.parse(readFileSync(new URL('package.json', rootOf(directory)), 'utf8')).scripts.start;
  const words = start.trim().split(/\s+/);
  if (words[0] !== 'node' || words.at(-1) !== 'dist/main.js')
    throw new Error(`package.json's start script is not "node [options] dist/main.js": ${start}`);
  return words.slice(1, -1);
}

/** The tree of a gateway build: this one, or the --baseline directory. */
function rootOf(directory) {
  return directory ? new URL(`file://${resolve(directory)}/`) : ROOT;
}

async function startGateway(env, directory = null, id = directory ? BASELINE_ID : 'swr-gateway') {
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    try {
      return await startServer({
        name: id,
        script: directory ? new URL('dist/main.js', rootOf(directory)).pathname : 'dist/main.js',
        nodeArgs: gatewayNodeArgs(directory),
        env: { ...env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn' },
        ready: { url: `http://127.0.0.1:${port}/readyz` },
      });
    } catch (error) {
      if (attempt >= GATEWAY_START_ATTEMPTS || !/EADDRINUSE/.test(error.message)) throw error;
    }
  }
}
