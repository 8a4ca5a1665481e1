// The SWR simulator the benchmark runs against, in its own process so its CPU and memory are not
// the measured server's. Run alone (after `npm run build`): `node bench/simulator.mjs`; it prints
// one JSON line `{"msg":"… listening on http://127.0.0.1:PORT","port":PORT,"url":…}` and runs until
// SIGTERM/SIGINT. SIMULATOR_PORT picks the port (default 0: the OS chooses).
//
// Data: the demo data plus bench-0 … bench-19 and bench-drift (see lib/bench-data.mjs). With
// BENCH_LIVE_REPOSITORIES=<n> (the live-updates phase, lib/live.mjs), also live-0 … live-<n-1>
// (lib/live-data.mjs), and the process answers one more IPC message:
//   {type: 'livePolls'}  answers {type: 'livePolled', polls: [[repository, atMs], …]}: the
//                        sync_job requests for a live-* repository since the last 'livePolls',
//                        each with the time it arrived (performance.timeOrigin + now(), ms)
//
// Counting upstream calls. The control API (`GET /__simulator/requests`) returns every recorded
// request in full and keeps at most the newest 10 000, so at bench rates (thousands of requests a
// second for tens of seconds) it would both undercount and cost a large JSON body. Started by
// bench/run.mjs (with an IPC channel), this process therefore also answers two messages:
//   {type: 'begin'}  forget what was recorded, start counting (the record is drained every 100 ms,
//                    so it never grows during a run)
//   {type: 'peek'}   answers {type: 'peeked', upstreamCalls}: requests so far (to wait for quiet)
//   {type: 'end'}    stop counting; answers {type: 'counted', upstreamCalls}
// Between runs the record is left alone, so the control API still shows what a single verification
// request caused.
import { isDeepStrictEqual } from 'node:util';
import { benchDataFrom } from './lib/bench-data.mjs';
import { addLiveRepositories, liveRepositoryCountFrom } from './lib/live-data.mjs';

const DRAIN_INTERVAL_MS = 100;
/** Live poll times kept between two 'livePolls' (100 watches at 1 s for over 15 minutes). */
const MAX_LIVE_POLLS = 100_000;

const simulatorModule = await import('../dist/simulator/index.js');
const data = benchDataFrom(simulatorModule);
const liveRepositories = liveRepositoryCountFrom(process.env);
if (liveRepositories > 0) addLiveRepositories(simulatorModule, data, liveRepositories);
assertDemoDataKept(simulatorModule, data);

const simulator = simulatorModule.createSwrSimulator({ data });
const livePolls = liveRepositories > 0 ? recordLivePolls(simulator) : null;
const url = await simulator.listen(Number(process.env.SIMULATOR_PORT ?? 0), '127.0.0.1');
const port = Number(new URL(url).port);
console.log(JSON.stringify({ msg: `SWR bench simulator listening on ${url}`, url, port }));

let counted = 0;
let drainTimer = null;

/** Moves what the simulator recorded into the count (synchronous: nothing arrives in between). */
function drain() {
  counted += simulator.requests.length;
  simulator.clearRequests();
}

process.on('message', (message) => {
  if (message?.type === 'begin') {
    clearInterval(drainTimer);
    simulator.clearRequests();
    counted = 0;
    drainTimer = setInterval(drain, DRAIN_INTERVAL_MS);
    process.send({ type: 'begun' });
  } else if (message?.type === 'peek') {
    // No drain: outside begin/end the record stays as the control API shows it.
    process.send({ type: 'peeked', upstreamCalls: counted + simulator.requests.length });
  } else if (message?.type === 'end') {
    clearInterval(drainTimer);
    drainTimer = null;
    drain();
    process.send({ type: 'counted', upstreamCalls: counted });
  } else if (message?.type === 'livePolls' && livePolls) {
    process.send({ type: 'livePolled', polls: livePolls.splice(0) });
  }
});

let stopping = false;
/** Closes the listener (and its keep-alive sockets), then exits. */
function stop() {
  if (stopping) process.exit(1);
  stopping = true;
  clearInterval(drainTimer);
  simulator.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The parent's IPC channel closes when it dies, however it died.
process.on('disconnect', stop);

/**
 * The arrival time of every sync_job request for a live-* repository, kept apart from the record
 * (which 'begin' and the control API clear). The simulator records a request on arrival, before
 * it answers it from the data, so this is when that poll read the repository.
 */
function recordLivePolls(swr) {
  const polls = [];
  const record = swr.requests;
  const push = record.push;
  record.push = function pushAndStamp(...requests) {
    const at = performance.timeOrigin + performance.now();
    for (const request of requests) if (request.repository?.startsWith('live-')) polls.push([request.repository, at]);
    // Bounded for a run nobody drains: the oldest go.
    if (polls.length > MAX_LIVE_POLLS) polls.splice(0, polls.length - MAX_LIVE_POLLS);
    return push.apply(this, requests);
  };
  return polls;
}

/** "Demo data plus": the demo repositories must be exactly what demo mode serves. */
function assertDemoDataKept({ createDemoData, DEMO_NAMESPACE, DEMO_REPOSITORIES }, benchData) {
  const demo = createDemoData().tenants[0].namespaces[DEMO_NAMESPACE];
  for (const name of Object.keys(DEMO_REPOSITORIES)) {
    if (!isDeepStrictEqual(benchData.tenants[0].namespaces[DEMO_NAMESPACE][name], demo[name])) {
      console.error(`bench simulator: demo repository ${DEMO_NAMESPACE}/${name} differs from createDemoData()`);
      process.exit(1);
    }
  }
}
