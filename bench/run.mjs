// `npm run bench`: measures swr-gateway against the same work done directly, by a bare Node proxy,
// by a typical Apollo Server peer and by GraphQL Mesh + Hive Gateway over an OpenAPI description,
// all as separate processes on 127.0.0.1 against the bench simulator, and writes bench/RESULTS.md.
// See bench/README.md; `--help` lists the flags.
//
//   1. start the simulator, then every target (lib/targets.mjs)
//   2. run the workloads' prepare steps (a cursor taken before SWR changes, a persisted query
//      registered, …), then check every target's answer to every workload it serves once
//      (lib/workloads.mjs); abort with the problems if one is wrong
//   3. per workload: warm up, then rounds of autocannon runs interleaved across targets, sampling
//      the server's RSS and CPU time and counting the simulator's requests around each run
//   4. live updates (lib/live.mjs): 1,000 SSE subscribers of a gateway of their own (not with --skip-live)
//   5. print the summary; write the report (not with --smoke)
//
// Every wait has a deadline, a watchdog bounds the whole run, and the children are stopped on
// every way out (end, error, SIGINT/SIGTERM, watchdog; lib/processes.mjs for the rest).
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchDataFrom } from './lib/bench-data.mjs';
import { createSampleBuffer, runLoad } from './lib/load.mjs';
import { optionsFromArgv, USAGE } from './lib/options.mjs';
import { startProcessSampler } from './lib/process-sampler.mjs';
import { stopAllChildren } from './lib/processes.mjs';
import { goalsFrom, renderMarkdown, renderSummary, rowsFrom } from './lib/report.mjs';
import { runLiveBench } from './lib/live.mjs';
import { startSimulator, startTargets } from './lib/targets.mjs';
import { createWorkloads, requestFor } from './lib/workloads.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const REQUIRED_BUILD = ['dist/main.js', 'dist/simulator/index.js'];
const VERIFY_TIMEOUT_MS = 15_000;
/**
 * After a run, operations cut off at its end may still be running in the server (Apollo, for one,
 * does not stop when its caller goes) and calling the simulator. The run is over for the server
 * once the simulator has seen no new request for QUIET_MS (at most SETTLE_MAX_MS), so those calls
 * and that CPU are charged to it, not to the next target.
 */
const QUIET_MS = 300;
const SETTLE_POLL_MS = 100;
const SETTLE_MAX_MS = 10_000;
const STOP_CHILDREN_MS = 8_000;
/** What the live-updates phase may take (about half a minute in a full run). */
const LIVE_BUDGET_MS = 5 * 60_000;

const argv = process.argv.slice(2);
let options;
try {
  options = optionsFromArgv(argv);
} catch (error) {
  console.error(`bench: ${error.message}\n\n${USAGE}`);
  process.exit(2);
}
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}

const startedAt = Date.now();
const loadBefore = os.loadavg()[0];
/** The load run in progress, stopped on the way out. */
let currentLoad = null;
let finishing = false;

/** The one way out: stop the load and every child (bounded), then exit with `code`. */
async function finish(code, error) {
  if (finishing) return;
  finishing = true;
  if (error) console.error(`\nbench: ${error.message ?? error}`);
  currentLoad?.stop();
  await Promise.race([stopAllChildren(), new Promise((resolve) => setTimeout(resolve, STOP_CHILDREN_MS))]);
  process.exit(code);
}

process.once('SIGINT', () => void finish(130, new Error('interrupted (SIGINT); children stopped')));
process.once('SIGTERM', () => void finish(143, new Error('terminated (SIGTERM); children stopped')));

main().then(
  (code) => finish(code),
  (error) => finish(1, error),
);

async function main() {
  const missing = REQUIRED_BUILD.filter((path) => !existsSync(new URL(`../${path}`, import.meta.url)));
  if (missing.length > 0) throw new Error(`${missing.join(', ')} missing: run \`npm run build\` first (\`npm run bench\` does)`);
  let workloads;
  try {
    workloads = selectWorkloads(createWorkloads(benchDataFrom(await import('../dist/simulator/index.js'))), options.workloads);
  } catch (error) {
    console.error(`bench: ${error.message}\n\n${USAGE}`);
    return 2;
  }

  const pairs = (targets, workloads) =>
    workloads.reduce((count, workload) => count + targets.filter((t) => t.workloads.includes(workload.id)).length, 0);
  log(
    `starting the simulator and the targets (${options.smoke ? 'smoke' : `${options.rounds} rounds × ${options.durationS} s`}, ` +
      `${options.connections} connections)`,
  );
  const simulator = await startSimulator();
  const targets = await startTargets(simulator, options);
  log(
    `ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s: simulator ${simulator.baseUrl}; ${targets
      .filter((t) => t.id !== 'direct')
      .map((t) => `${t.id} ${t.baseUrl} (pid ${t.pid})`)
      .join(', ')}`,
  );

  // Each run: its duration, autocannon's last tick, and the settle (at most SETTLE_MAX_MS).
  const perRunS = (durationS) => durationS + 2 + SETTLE_MAX_MS / 1000;
  const budgetMs =
    120_000 +
    (options.skipLive ? 0 : LIVE_BUDGET_MS) +
    pairs(targets, workloads) * ((options.warmupS > 0 ? perRunS(options.warmupS) : 0) + options.rounds * perRunS(options.durationS)) * 1000;
  setTimeout(() => void finish(1, new Error(`watchdog: the run took longer than ${Math.round(budgetMs / 1000)} s`)), budgetMs).unref();

  const prepared = await prepareAll(targets, workloads, simulator.baseUrl);
  const verified = await verifyAll(targets, workloads, simulator.baseUrl, prepared);
  const failures = verified.filter((result) => result.problems.length > 0);
  if (failures.length > 0) {
    const detail = failures
      .map((f) => `  ${f.target.id} × ${f.workload.id}:\n${f.problems.map((p) => `    - ${p}`).join('\n')}`)
      .join('\n');
    throw new Error(`correctness check failed, nothing measured:\n${detail}`);
  }

  const measurements = await measureAll(targets, workloads, simulator, verified);

  // Live updates last, in processes of their own (lib/live.mjs): the request targets are stopped
  // first, so that 1,000 streams and their watches share the machine with nothing else.
  let live = null;
  if (!options.skipLive) {
    await stopAllChildren();
    live = await runLiveBench({ smoke: options.smoke, log });
  }

  const table = rowsFrom(workloads, targets, measurements);
  const goals = [...goalsFrom(table), ...(live?.goals ?? [])];
  const meta = runMetadata();
  console.log(renderSummary({ table, goals, meta, extraSection: live?.summary.join('\n') }));
  if (!options.smoke) {
    const output = options.output === 'bench/RESULTS.md' ? resolvePath(ROOT, options.output) : resolvePath(options.output);
    const verification = verified.map((v) => `${v.target.id} × ${v.workload.id}: correct; ${describeUpstream(v)}`);
    writeFileSync(
      output,
      renderMarkdown({ table, goals, meta, targets, verification, previousPath: output, extraSection: live?.markdown }),
    );
    log(`wrote ${output}`);
  }
  log(`done in ${meta.wallTime}`);

  const troubled = table.flatMap(({ workload, rows }) =>
    rows.filter((row) => row.applicable && (row.errors > 0 || row.non2xx > 0)).map((row) => `${row.target} × ${workload.id}`),
  );
  if (troubled.length > 0) {
    console.error(`bench: errors or non-2xx answers under load: ${troubled.join(', ')} (see the tables)`);
    return 1;
  }
  return 0;
}

/** `--workloads`: the workloads named, in their own order (an unknown id is an error). */
function selectWorkloads(workloads, only) {
  if (!only) return workloads;
  const unknown = only.filter((id) => !workloads.some((workload) => workload.id === id));
  if (unknown.length > 0)
    throw new Error(`--workloads: no workload ${unknown.join(', ')}; the workloads are ${workloads.map((w) => w.id).join(', ')}`);
  return workloads.filter((workload) => only.includes(workload.id));
}

/**
 * Runs each workload's prepare step (if any) with the targets serving it, before anything is
 * verified; returns the problems found, by `${workload}/${target}`.
 */
async function prepareAll(targets, workloads, simulatorUrl) {
  const problems = new Map();
  for (const workload of workloads.filter((w) => w.prepare)) {
    const here = targets.filter((t) => t.workloads.includes(workload.id));
    if (here.length === 0) continue;
    const found = await workload.prepare({ targets: here, simulatorUrl, send });
    for (const [targetId, list] of found ?? []) if (list.length > 0) problems.set(`${workload.id}/${targetId}`, list);
    log(
      `prepared ${workload.id} for ${here.map((t) => t.id).join(', ')}` +
        `${found?.size > 0 ? ` (problems: ${[...found.keys()].join(', ')})` : ''}`,
    );
  }
  return problems;
}

/**
 * Asks every target every workload it serves once; records problems, upstream calls, and the body
 * to expect under load. A target whose prepare step failed is not asked (its problems are those).
 */
async function verifyAll(targets, workloads, simulatorUrl, prepared) {
  const results = [];
  for (const workload of workloads) {
    for (const target of targets.filter((t) => t.workloads.includes(workload.id))) {
      const preparation = prepared.get(`${workload.id}/${target.id}`);
      if (preparation) {
        results.push({ target, workload, problems: preparation.map((p) => `prepare: ${p}`), upstreamCalls: 0, filters: [] });
        log(`verify ${target.id} × ${workload.id}: WRONG (its prepare step failed)`);
        continue;
      }
      const request = requestFor(target, workload);
      await controlRequests(simulatorUrl, 'DELETE');
      const first = await send(request);
      const recorded = await controlRequests(simulatorUrl, 'GET');
      // A second answer tells whether the body is stable enough to compare byte for byte under load
      // (and, from a cached target, must come from its cache: no SWR call).
      if (target.cached) await controlRequests(simulatorUrl, 'DELETE');
      const second = await send(request);
      const problems = workload.check(target.kind, first);
      for (const call of recorded.filter((r) => r.status !== 200))
        problems.push(`an upstream call was answered ${call.status}: ${call.path}?${call.rawQuery}`);
      if (second.status !== first.status)
        problems.push(`a second identical request was answered ${second.status}, the first ${first.status}`);
      if (target.cached) {
        const again = await controlRequests(simulatorUrl, 'GET');
        if (again.length > 0)
          problems.push(
            `a second identical request made ${again.length} upstream call${again.length === 1 ? '' : 's'}: not served from the cache`,
          );
        if (second.text !== first.text) problems.push('the cached answer differs from the first one');
      }
      // The same answer as another target's (the gateway with its cache on against the gateway), when that one ran.
      const reference = target.sameBodyAs && results.find((r) => r.workload === workload && r.target.id === target.sameBodyAs);
      if (reference && reference.text !== undefined && reference.text !== first.text)
        problems.push(`the body differs from ${target.sameBodyAs}'s answer to the same request`);
      const result = {
        target,
        workload,
        problems,
        upstreamCalls: recorded.length,
        filters: [...new Set(recorded.map((r) => r.filter))],
        expectBody: first.text === second.text ? first.text : undefined,
        text: first.text,
      };
      results.push(result);
      log(
        `verify ${target.id} × ${workload.id}: ` +
          `${problems.length === 0 ? 'correct' : `WRONG (${problems.length} problem${problems.length === 1 ? '' : 's'})`}; ` +
          `${describeUpstream(result)}`,
      );
    }
  }
  return results;
}

/** Warm-up, then interleaved rounds, per workload; returns measurements by `${workload}/${target}`. */
async function measureAll(targets, workloads, simulator, verified) {
  const measurements = new Map();
  const idWidth = Math.max(...targets.map((target) => target.id.length));
  for (const workload of workloads) {
    const here = targets.filter((t) => t.workloads.includes(workload.id));
    const expectBodyOf = (target) => verified.find((v) => v.target === target && v.workload === workload).expectBody;
    if (options.warmupS > 0) {
      for (const target of here) {
        await load(target, workload, options.warmupS, expectBodyOf(target), createSampleBuffer());
        await settle(simulator);
      }
    }
    for (let round = 1; round <= options.rounds; round += 1) {
      for (const target of here) {
        const key = `${workload.id}/${target.id}`;
        const measured = measurements.get(key) ?? { rounds: [], latencies: createSampleBuffer(), peakRssMb: null };
        measurements.set(key, measured);

        await simulator.request({ type: 'begin' }, 'begun');
        const sampler = startProcessSampler(target.pid);
        const run = await load(target, workload, options.durationS, expectBodyOf(target), measured.latencies);
        await settle(simulator);
        const { peakRssMb, cpuMs } = sampler.stop();
        const { upstreamCalls } = await simulator.request({ type: 'end' }, 'counted');

        measured.rounds.push({ ...run, upstreamCalls, cpuMs });
        if (peakRssMb !== null) measured.peakRssMb = Math.max(measured.peakRssMb ?? 0, peakRssMb);
        const perOp = (value) => (value === null ? 'n/a' : (value / Math.max(1, run.sent)).toFixed(2));
        const trouble =
          run.errors + run.mismatches + run.non2xx > 0
            ? `, ${run.non2xx} non-2xx, ${run.errors} errors, ${run.mismatches} wrong bodies`
            : '';
        log(
          `${workload.id} round ${round}/${options.rounds} ${target.id.padEnd(idWidth)} ` +
            `${String(Math.round(run.reqPerSec)).padStart(5)} req/s, ` +
            `p99 so far ${measured.latencies.percentiles(99)[0]?.toFixed(1) ?? 'n/a'} ms, RSS ${peakRssMb?.toFixed(1) ?? 'n/a'} MB, ` +
            `${perOp(cpuMs)} CPU ms/op, ${perOp(upstreamCalls)} calls/op${trouble}`,
        );
      }
    }
  }
  return measurements;
}

/**
 * Waits until the simulator has had no new request for QUIET_MS (see QUIET_MS). Not in smoke
 * mode: its figures are not meant to be read, and it must stay brief.
 */
async function settle(simulator) {
  if (options.smoke) return;
  const deadline = Date.now() + SETTLE_MAX_MS;
  let last = -1;
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    const { upstreamCalls } = await simulator.request({ type: 'peek' }, 'peeked');
    if (upstreamCalls !== last) {
      last = upstreamCalls;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= QUIET_MS) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
  }
}

/** One autocannon run of `target` on `workload`. */
async function load(target, workload, durationS, expectBody, latencies) {
  try {
    return await runLoad({
      request: requestFor(target, workload),
      connections: options.connections,
      durationS,
      expectBody,
      latencies,
      onStart: (instance) => (currentLoad = instance),
    });
  } finally {
    currentLoad = null;
  }
}

/** One request with a deadline; the answer as `{ status, headers, text }`. */
async function send({ url, method, headers, body }) {
  const response = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(VERIFY_TIMEOUT_MS) });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** The simulator's control API for recorded requests: DELETE clears them, GET returns them. */
async function controlRequests(simulatorUrl, method) {
  const response = await fetch(`${simulatorUrl}/__simulator/requests`, { method, signal: AbortSignal.timeout(VERIFY_TIMEOUT_MS) });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`simulator control API: ${method} /__simulator/requests answered ${response.status}: ${text.slice(0, 200)}`);
  return method === 'GET' ? JSON.parse(text) : null;
}

/** "1 upstream call (limit::20|offset::0|order::desc)" for the verification log. */
function describeUpstream({ upstreamCalls, filters }) {
  const shown = filters.length <= 2 ? filters.join(', ') : `${filters.slice(0, 2).join(', ')}, …`;
  return `${upstreamCalls} upstream call${upstreamCalls === 1 ? '' : 's'} (${shown})`;
}

/** Machine, command and settings for the report. */
function runMetadata() {
  const cpus = os.cpus();
  const seconds = Math.round((Date.now() - startedAt) / 1000);
  const command =
    process.env.npm_lifecycle_event === 'bench'
      ? `npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`
      : `node bench/run.mjs${argv.length > 0 ? ` ${argv.join(' ')}` : ''}`;
  const cpuModel = cpus[0]?.model.trim() || 'unknown CPU';
  return {
    cpuModel,
    cores: cpus.length,
    memoryGb: (os.totalmem() / 1024 ** 3).toFixed(1),
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    node: process.version,
    date: new Date().toISOString(),
    command,
    settings:
      `${options.rounds} round${options.rounds === 1 ? '' : 's'} × ${options.durationS} s per target and workload, ` +
      `${options.connections} connections, ${options.warmupS} s warm-up, bare-proxy pool ${options.upstreamConnections}`,
    machine: `${cpuModel}, ${cpus.length} cores, Node ${process.version}, load average ${loadBefore.toFixed(2)} before`,
    loadBefore: loadBefore.toFixed(2),
    loadAfter: os.loadavg()[0].toFixed(2),
    wallTime: seconds >= 60 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds} s`,
  };
}

function log(message) {
  console.log(`bench: ${message}`);
}
