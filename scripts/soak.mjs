// `npm run soak`: a bounded load test of the built gateway (dist/main.js) against the soak
// simulator (scripts/soak-simulator.mjs), both child processes on 127.0.0.1.
//
//   node scripts/soak.mjs [--duration SECONDS] [--concurrency N] [--max-operations N]
//
// N workers send random operations (one repository page, a second page from its cursor, a
// three-repository dashboard) as one of four tenants, and check every answer against the
// simulator's layout: a node of another tenant is a leak; a wrong count, id, page or missing
// sibling is an anomaly. Two repositories are faulty (503, and slower than SWR_TIMEOUT_MS), so
// UPSTREAM_ERROR and UPSTREAM_TIMEOUT are expected; any other code fails the run, and so do too
// many timeouts of repositories that answer in time (COLLATERAL, in soak/expected-errors.mjs). The
// gateway's RSS is sampled every second. It prints a table and one `SOAK_RESULT {json}` line, and
// exits 0 only when the run is clean. Every wait has a deadline, and the children are killed on
// every way out (end, error, SIGINT/SIGTERM, watchdog).
//
// This file is the orchestration; the parts are in scripts/soak/: options.mjs (flags),
// children.mjs (the two processes), operations.mjs (what the workers send), check-answer.mjs (what
// each answer must be), stats.mjs (counters), expected-errors.mjs, report.mjs (result, verdict,
// output). Process handling and RSS/CPU sampling are shared with the benchmark (bench/lib/).
import { setMaxListeners } from 'node:events';
import { existsSync } from 'node:fs';
import { Agent } from 'undici';
import { killAllChildrenNow, STOP_GRACE_MS, stopAllChildren } from '../bench/lib/processes.mjs';
import { rssMbOf, startProcessSampler } from '../bench/lib/process-sampler.mjs';
import { SOAK_TENANT_COUNT, soakRepositories, soakTenant } from './soak-simulator.mjs';
import { spawnGateway, spawnSimulator, STARTUP_TIMEOUT_MS } from './soak/children.mjs';
import { runRepositoryPage, worker } from './soak/operations.mjs';
import { optionsFromArgv } from './soak/options.mjs';
import { printReport, resultFrom } from './soak/report.mjs';
import { createStats } from './soak/stats.mjs';

const REQUIRED_BUILD = [new URL('../dist/main.js', import.meta.url), new URL('../dist/simulator/index.js', import.meta.url)];
/** After the duration, in-flight operations get this long to finish before they are aborted. */
const DRAIN_TIMEOUT_MS = 20_000;
const WARMUP_REQUESTS = 24;
/** The gateway's RSS is sampled this often; a progress line goes to stderr every PROGRESS_MS. */
const SAMPLE_MS = 1000;
const PROGRESS_MS = 10_000;

let interrupted = false;
let loadStarted = false;

async function main() {
  const options = optionsFromArgv(process.argv.slice(2));
  for (const file of REQUIRED_BUILD) {
    if (!existsSync(file)) throw new Error(`${file.pathname} is missing: run \`npm run build\` first (npm run soak does)`);
  }
  // Nothing may outlive its welcome: past this point the run is abandoned and the children killed.
  const watchdogMs = 2 * STARTUP_TIMEOUT_MS + options.durationMs + DRAIN_TIMEOUT_MS + 30_000;
  setTimeout(() => {
    console.error(`soak: watchdog: still running after ${watchdogMs} ms; killing the children`);
    killAllChildrenNow();
    process.exit(1);
  }, watchdogMs).unref();

  const env = { PATH: process.env.PATH ?? '' };
  const simulator = await spawnSimulator(env);
  const gateway = await spawnGateway(simulator.url, env);

  const agent = new Agent({ connections: options.concurrency, keepAliveTimeout: 30_000, pipelining: 1 });
  const drain = new AbortController();
  // Every in-flight request listens to it: as many listeners as workers, by design.
  setMaxListeners(0, drain.signal);
  const stats = createStats();
  const context = {
    stats,
    agent,
    url: gateway.url,
    signal: drain.signal,
    tenants: Array.from({ length: SOAK_TENANT_COUNT }, (_, index) => soakTenant(index)),
    maxOperations: options.maxOperations,
    reserved: 0,
    endAt: Infinity,
    stopped: () => Date.now() >= context.endAt || gateway.handle.exited || interrupted,
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

    const sampler = startProcessSampler(gateway.handle.pid, SAMPLE_MS);
    let lastProgress = Date.now();
    const progress = setInterval(() => {
      const now = Date.now();
      if (now - lastProgress < PROGRESS_MS) return;
      lastProgress = now;
      const rss = rssMbOf(gateway.handle.pid);
      console.error(`soak: ${stats.operations} operations, gateway RSS ${rss === null ? null : Math.round(rss * 10) / 10} MB`);
    }, 1000);

    const startedAt = performance.now();
    loadStarted = true;
    context.endAt = Date.now() + options.durationMs;
    const workers = Array.from({ length: options.concurrency }, () => worker(context));
    // In-flight operations finish by themselves (the slowest waits SWR_TIMEOUT_MS); past the drain
    // deadline they are aborted, and count as transport errors: the gateway did not answer.
    const drainTimer = setTimeout(
      () => drain.abort(new Error('not answered before the drain deadline')),
      options.durationMs + DRAIN_TIMEOUT_MS,
    );
    await Promise.all(workers);
    clearTimeout(drainTimer);
    const elapsedSeconds = (performance.now() - startedAt) / 1000;
    clearInterval(progress);
    const usage = sampler.stop();

    const result = resultFrom({ stats, options, elapsedSeconds, usage, gatewayLog: gateway.log, gateway: gateway.handle, interrupted });
    printReport(result, options);
    return result.failures.length === 0 ? 0 : 1;
  } finally {
    await agent.close().catch(() => {});
    await gateway.handle.stop();
    await simulator.handle.stop();
    for (const handle of [gateway.handle, simulator.handle]) {
      if (handle.stoppedHard) console.error(`soak: the ${handle.name} did not stop within ${STOP_GRACE_MS} ms of SIGTERM; killed`);
    }
  }
}

// Ctrl-C (or a SIGTERM from a runner): the workers stop, the report says so, the children are stopped.
// A second signal does not wait for that.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    // Before the load starts there is nothing to report: stop at once.
    if (interrupted || !loadStarted) {
      killAllChildrenNow();
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
    await stopAllChildren().catch(() => {});
    process.exit(1);
  },
);
process.on('uncaughtException', (error) => {
  console.error(`soak: uncaught ${error?.stack ?? error}`);
  killAllChildrenNow();
  process.exit(1);
});
process.on('unhandledRejection', (error) => {
  console.error(`soak: unhandled rejection ${error?.stack ?? error}`);
  killAllChildrenNow();
  process.exit(1);
});
