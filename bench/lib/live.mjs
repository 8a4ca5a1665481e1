// The live-updates phase of the benchmark: N SSE subscribers to `syncJobChanged` over R
// repositories of one caller, against one gateway and a simulator of their own.
//
//   1. start the simulator with live-0 … live-<R-1> (BENCH_LIVE_REPOSITORIES, lib/live-data.mjs)
//      and dist/main.js as `npm start` runs it (LOG_LEVEL=warn, WATCH_INTERVAL_MS, every limit at
//      its default)
//   2. warm up (one subscription to demo/nginx, opened and closed), then read the idle gateway's RSS
//   3. open N subscriptions, N/R per repository, from this process (node:http, one socket each);
//      wait until every stream is open (its first `:` comment, which the gateway sends once the
//      subscription has started), /metrics counts N subscribers and R watches, and the watches
//      have polled; leave them idle for a few intervals; read the RSS again
//   4. rounds: create one job in each repository through the control API, wait until every
//      subscriber has its CREATED event for that job (anything missing, extra or wrong throws)
//   5. close every stream and stop both children (also when anything above failed)
//
// Times are `performance.timeOrigin + performance.now()` in ms, here and in the simulator (which
// stamps each poll of a live-* repository on arrival), so the two can be compared.
import { request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { BENCH_NAMESPACE, BENCH_TOKEN } from './bench-data.mjs';
import { LIVE_REPOSITORIES_ENV, liveRepository } from './live-data.mjs';
import { rssMbOf, startProcessSampler } from './process-sampler.mjs';
import { freePort, startServer } from './processes.mjs';
import { gatewayNodeArgs } from './targets.mjs';

const NODE_ENV = 'production';
const WATCH_INTERVAL_MS = 1_000;
const GATEWAY_START_ATTEMPTS = 3;

/** The full run and the smoke run. */
const PLANS = {
  full: { repositories: 100, perRepository: 10, rounds: 3, idleIntervals: 5 },
  smoke: { repositories: 10, perRepository: 5, rounds: 1, idleIntervals: 2 },
};

/** Subscriptions being opened at once (a burst of 1,000 connects would overflow the listen backlog). */
const OPEN_CONCURRENCY = 50;
/** Deadlines. */
const OPEN_TIMEOUT_MS = 15_000;
const METRICS_TIMEOUT_MS = 5_000;
const CHANGE_TIMEOUT_MS = 5_000;
const SETTLE_MS = 2_000;
const BASELINE_WINDOW_MS = 2_000;
const CLOSE_TIMEOUT_MS = 10_000;
const POLL_MS = 50;
/** Beyond the last change, how long the events of a round may take: two intervals and then some. */
const deliveryTimeoutMs = (intervalMs) => 2 * intervalMs + 5_000;
/** Descriptors the gateway keeps for itself (src/app.ts: the SWR pool, 128 by default, and a reserve of 256). */
const GATEWAY_RESERVED_FDS = 128 + 256;

const SUBSCRIPTION = `subscription LiveJobs($namespace: String!, $name: String!) {
  syncJobChanged(namespace: $namespace, name: $name) { kind job { id tag createdAt } }
}`;

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Use to run the live-updates phase: resolves to `{ rows, goals, markdown, summary }` (table rows
 * `{ name, value, note }`, goal rows `{ name, goal, value, mark }`, a RESULTS.md section, stdout
 * lines); throws when the gateway refuses, drops or fails to deliver to any subscriber, with what
 * was seen. `log(message)` gets progress lines.
 */
export async function runLiveBench({ smoke = false, log = () => {} } = {}) {
  const plan = { ...(smoke ? PLANS.smoke : PLANS.full), intervalMs: WATCH_INTERVAL_MS, smoke };
  plan.subscribers = plan.repositories * plan.perRepository;
  checkOpenFileLimit(plan.subscribers);

  const subscribers = [];
  let simulator = null;
  let gateway = null;
  try {
    log(`live: starting the simulator (${plan.repositories} live repositories) and the gateway (WATCH_INTERVAL_MS=${plan.intervalMs})`);
    simulator = await startServer({
      name: 'live-simulator',
      script: 'bench/simulator.mjs',
      env: { NODE_ENV, [LIVE_REPOSITORIES_ENV]: String(plan.repositories) },
      ready: { line: true },
      ipc: true,
    });
    gateway = await startLiveGateway({ NODE_ENV, SWR_ENDPOINT: simulator.baseUrl, WATCH_INTERVAL_MS: String(plan.intervalMs) });
    const result = await measure({ plan, simulator, gateway, subscribers, log });
    return result;
  } finally {
    for (const subscriber of subscribers) subscriber.close();
    await Promise.all([gateway?.stop(), simulator?.stop()]);
  }
}

/** The measurements, in order; `subscribers` is filled here and closed by the caller. */
async function measure({ plan, simulator, gateway, subscribers, log }) {
  const graphqlUrl = `${gateway.baseUrl}/graphql`;
  const freshRssMb = rssMbOf(gateway.pid);

  // Warm-up: the subscription path's code and compiled document, and /metrics, once.
  const warm = openSubscription(graphqlUrl, { namespace: BENCH_NAMESPACE, name: 'nginx' }, -1);
  await withTimeout(warm.established, OPEN_TIMEOUT_MS, 'the warm-up subscription (demo/nginx) did not open');
  warm.close();
  await waitForMetrics(gateway, (m) => m.subscribers === 0 && m.watches === 0, 'the warm-up subscription to end');
  await sleep(SETTLE_MS);
  const baseline = await sampleFor(gateway.pid, BASELINE_WINDOW_MS);
  const idleRssMb = baseline.endRssMb;
  const idleMemory = await readMetrics(gateway);
  log(`live: idle gateway RSS ${fmt(idleRssMb, 1)} MB (fresh ${fmt(freshRssMb, 1)} MB)`);

  // Open the subscriptions, N/R per repository.
  const repositories = Array.from({ length: plan.repositories }, (_, index) => liveRepository(index));
  const opening = startProcessSampler(gateway.pid);
  const openStart = now();
  const specs = repositories.flatMap((name) => Array.from({ length: plan.perRepository }, () => name));
  await forEachLimited(specs, OPEN_CONCURRENCY, async (name) => {
    const subscriber = openSubscription(graphqlUrl, { namespace: BENCH_NAMESPACE, name }, subscribers.length);
    subscribers.push(subscriber);
    await withTimeout(subscriber.established, OPEN_TIMEOUT_MS, `subscription ${subscriber.id} (${name}) did not open`);
  }).catch((error) => {
    throw new Error(`${error.message}; ${describeFailures(subscribers)}`);
  });
  const openMs = now() - openStart;
  const opened = opening.stop();
  const established = await waitForMetrics(
    gateway,
    (m) => m.subscribers === plan.subscribers && m.watches === plan.repositories,
    `${plan.subscribers} subscribers and ${plan.repositories} watches`,
  );
  // Every watch has polled (again) since its baseline.
  await waitForMetrics(
    gateway,
    (m) => m.polls >= established.polls + plan.repositories,
    `${plan.repositories} more polls`,
    3 * plan.intervalMs + METRICS_TIMEOUT_MS,
  );
  log(`live: ${plan.subscribers} subscriptions open in ${fmt(openMs, 0)} ms; idle for ${plan.idleIntervals} intervals`);
  assertHealthy(subscribers, 'after opening');

  // Idle.
  const idleStartPolls = (await readMetrics(gateway)).polls;
  await simulator.request({ type: 'livePolls' }, 'livePolled');
  const idle = await sampleFor(gateway.pid, plan.idleIntervals * plan.intervalMs);
  const idleWindowMs = idle.windowMs;
  const idleEnd = await readMetrics(gateway);
  const idlePeriods = periodsOf(pollsByRepository((await simulator.request({ type: 'livePolls' }, 'livePolled')).polls));
  assertHealthy(subscribers, 'while idle');
  const idleMemoryWith = idleEnd;
  const withSubscribersRssMb = idle.endRssMb;
  const aboveIdleMb = withSubscribersRssMb - idleRssMb;
  const idlePolls = idleEnd.polls - idleStartPolls;
  const idleCpuMsPerS = (idle.cpuMs / idleWindowMs) * 1000;
  log(
    `live: RSS with ${plan.subscribers} idle subscribers ${fmt(withSubscribersRssMb, 1)} MB, ${fmt(aboveIdleMb, 1)} MB above idle ` +
      `(${fmt((aboveIdleMb * 1024) / plan.subscribers, 1)} KB each)`,
  );

  // Change rounds.
  const rounds = [];
  for (let round = 1; round <= plan.rounds; round += 1) {
    rounds.push(await runChangeRound({ round, plan, simulator, gateway, subscribers, repositories, idleCpuMsPerS }));
    const last = rounds.at(-1);
    log(
      `live: round ${round}: ${last.events} events, change → event p50 ${fmt(last.latency.p50, 1)} / max ${fmt(last.latency.max, 1)} ms, ` +
        `poll → event max ${fmt(last.pollToEvent.max, 1)} ms, ${fmt(last.cpuMsPerEvent, 3)} CPU ms/event`,
    );
  }
  const afterRssMb = rssMbOf(gateway.pid);
  const final = await readMetrics(gateway);
  const gatewayOutput = gateway.tail.slice();

  // Close every stream: the gateway must let go of every subscriber and watch.
  for (const subscriber of subscribers) subscriber.close();
  const closed = await waitForMetrics(
    gateway,
    (m) => m.subscribers === 0 && m.watches === 0,
    'every subscriber to leave',
    CLOSE_TIMEOUT_MS,
  ).then(
    (m) => m,
    () => readMetrics(gateway),
  );

  return report({
    plan,
    freshRssMb,
    idleRssMb,
    baseline,
    idleMemory,
    idleMemoryWith,
    openMs,
    opened,
    withSubscribersRssMb,
    idle,
    idlePolls,
    idlePeriods: percentiles(idlePeriods),
    idleCpuMsPerS,
    aboveIdleMb,
    rounds,
    afterRssMb,
    final,
    closed,
    gatewayOutput,
  });
}

/**
 * One round: a job created in every repository, one after another, spread over one interval
 * (each change's send time recorded), then every subscriber's CREATED event for its repository's job awaited. The gateway's
 * CPU time is read from the first change to the last event.
 */
async function runChangeRound({ round, plan, simulator, gateway, subscribers, repositories, idleCpuMsPerS }) {
  await simulator.request({ type: 'livePolls' }, 'livePolled');
  const byRepository = new Map(repositories.map((name) => [name, subscribers.filter((s) => s.repository === name)]));
  const changes = new Map();
  let pending = subscribers.length;
  let allDelivered;
  const delivered = new Promise((resolve) => (allDelivered = resolve));
  let lastEventAt = null;
  const expectation = {
    round,
    changes,
    /** Called by a subscriber with each event it gets during the round; false when it is not the one expected. */
    take(subscriber, event) {
      const change = changes.get(subscriber.repository);
      if (!change || subscriber.roundEvents.has(round)) return false;
      // The poll may see the change before its answer reached us: the event waits for the id.
      if (change.jobId === null) {
        change.early.push([subscriber, event]);
        return true;
      }
      const kind = event.data?.syncJobChanged?.kind;
      const id = event.data?.syncJobChanged?.job?.id;
      if (event.errors || kind !== 'CREATED' || id !== String(change.jobId)) return false;
      subscriber.roundEvents.set(round, event.at);
      lastEventAt = event.at;
      pending -= 1;
      if (pending === 0) allDelivered();
      return true;
    },
  };
  for (const subscriber of subscribers) subscriber.expectation = expectation;

  // Event-loop delay over the round, the gateway's (prom-client's max since the last scrape: this
  // one resets it) and this process's (which reads every stream).
  await readMetrics(gateway);
  const ownDelay = monitorEventLoopDelay({ resolution: 10 });
  ownDelay.enable();
  const sampler = startProcessSampler(gateway.pid);
  const firstSentAt = now();
  // Spread over one interval, so the waits for the next poll cover the whole interval whatever
  // the watches' phases are.
  // In an order of their own each round: the watches started in repository order, so changes in
  // that order would meet each watch at about the same point of its period.
  const spacingMs = plan.intervalMs / repositories.length;
  for (const [index, name] of shuffled(repositories, round).entries()) {
    const due = firstSentAt + index * spacingMs;
    if (due > now()) await sleep(due - now());
    const change = { jobId: null, sentAt: now(), early: [] };
    changes.set(name, change);
    const answer = await postJson(`${simulator.baseUrl}/__simulator/changes`, { create: { namespace: BENCH_NAMESPACE, repository: name } });
    const jobId = answer.created?.[0]?.id;
    if (!Number.isInteger(jobId)) throw new Error(`the control API created no job in ${name}: ${JSON.stringify(answer)}`);
    change.jobId = jobId;
    for (const [subscriber, event] of change.early.splice(0)) {
      if (!expectation.take(subscriber, event)) subscriber.strays.push(event);
    }
  }
  const lastSentAt = now();
  try {
    await withTimeout(delivered, deliveryTimeoutMs(plan.intervalMs), 'timed out');
  } catch {
    // Reported below with what is missing.
  }
  const usage = sampler.stop();
  ownDelay.disable();
  const gatewayDelayMaxMs = (await readMetrics(gateway)).eventLoopDelayMaxMs;
  for (const subscriber of subscribers) subscriber.expectation = null;
  const missing = subscribers.filter((s) => !s.roundEvents.has(round));
  const strays = subscribers.flatMap((s) => s.strays.map((event) => ({ subscriber: s, event })));
  if (missing.length > 0 || strays.length > 0 || subscribers.some((s) => s.failure)) {
    const perRepository = [...byRepository]
      .map(([name, list]) => [name, list.filter((s) => !s.roundEvents.has(round)).length])
      .filter(([, n]) => n > 0);
    const stray = strays[0];
    const firstStray =
      strays.length > 0 ? ` (first: #${stray.subscriber.id} ${stray.subscriber.repository} ${JSON.stringify(stray.event)})` : '';
    throw new Error(
      `round ${round}: ${subscribers.length - missing.length} of ${subscribers.length} subscribers got their CREATED event within ` +
        `${deliveryTimeoutMs(plan.intervalMs)} ms of the last change; ` +
        `missing per repository: ${JSON.stringify(perRepository.slice(0, 10))}` +
        `${perRepository.length > 10 ? ` (+${perRepository.length - 10} more)` : ''}; unexpected events: ${strays.length}` +
        `${firstStray}; ` +
        describeFailures(subscribers),
    );
  }

  // Which poll found each change: the last poll of its repository before its first event arrived
  // (events leave right after the poll that found them, and the next poll is an interval later).
  const { polls } = await simulator.request({ type: 'livePolls' }, 'livePolled');
  const pollsOf = pollsByRepository(polls);
  const periods = periodsOf(pollsOf);
  const latencies = [];
  const waits = [];
  const pollToEvent = [];
  let unattributed = 0;
  for (const [name, list] of byRepository) {
    const change = changes.get(name);
    const times = list.map((s) => s.roundEvents.get(round));
    const firstEvent = Math.min(...times);
    const poll = (pollsOf.get(name) ?? []).filter((at) => at <= firstEvent).at(-1);
    const attributed = poll !== undefined && poll >= change.sentAt;
    if (attributed) waits.push(poll - change.sentAt);
    else unattributed += 1;
    for (const at of times) {
      latencies.push(at - change.sentAt);
      if (attributed) pollToEvent.push(at - poll);
    }
  }
  const windowMs = lastEventAt - firstSentAt;
  const events = subscribers.length;
  return {
    round,
    events,
    changes: changes.size,
    sendMs: lastSentAt - firstSentAt,
    windowMs,
    cpuMs: usage.cpuMs,
    cpuMsPerEvent: usage.cpuMs / events,
    // The watches poll all the while: their share over the window, at the idle rate, taken off.
    netCpuMsPerEvent: Math.max(0, usage.cpuMs - (idleCpuMsPerS * windowMs) / 1000) / events,
    latency: percentiles(latencies),
    pollToEvent: percentiles(pollToEvent),
    values: { latencies, waits, pollToEvent, periods },
    unattributed,
    peakRssMb: usage.peakRssMb,
    gatewayDelayMaxMs,
    ownDelayMaxMs: ownDelay.max / 1e6,
  };
}

/** The table, goals, RESULTS.md section and stdout lines. */
function report(m) {
  const { plan } = m;
  const perSubscriberKb = (m.aboveIdleMb * 1024) / plan.subscribers;
  // Over every event (and change) of every round.
  const pooled = (key) => percentiles(m.rounds.flatMap((r) => r.values[key]));
  const latency = pooled('latencies');
  const wait = pooled('waits');
  const pollToEvent = pooled('pollToEvent');
  const periods = pooled('periods');
  const all = (key) => m.rounds.map((r) => r[key]);
  const events = m.rounds.reduce((sum, r) => sum + r.events, 0);
  const cpuMs = m.rounds.reduce((sum, r) => sum + r.cpuMs, 0);
  const netCpuMs = m.rounds.reduce((sum, r) => sum + r.netCpuMsPerEvent * r.events, 0);
  const interval = plan.intervalMs;
  const maxLatency = latency.max;
  const triple = (p) => `${fmt(p.p50, 1)} / ${fmt(p.p99, 1)} / ${fmt(p.max, 1)}`;
  const rows = [
    {
      name: 'subscribers',
      value: `${plan.subscribers}`,
      note: `${plan.repositories} repositories × ${plan.perRepository}, one caller, SSE`,
    },
    { name: 'gateway RSS, fresh (MB)', value: fmt(m.freshRssMb, 1), note: 'just after /readyz answered 200' },
    { name: 'idle gateway RSS (MB)', value: fmt(m.idleRssMb, 1), note: 'after one warm-up subscription, opened and closed' },
    {
      name: `RSS with ${plan.subscribers} idle subscribers (MB)`,
      value: fmt(m.withSubscribersRssMb, 1),
      note: `end of ${plan.idleIntervals} idle intervals (peak ${fmt(m.idle.peakRssMb, 1)})`,
    },
    {
      name: 'RSS above the idle gateway (MB)',
      value: fmt(m.aboveIdleMb, 1),
      note: `above the fresh gateway: ${fmt(m.withSubscribersRssMb - m.freshRssMb, 1)}`,
    },
    { name: 'RSS per idle subscriber (KB)', value: fmt(perSubscriberKb, 1), note: '' },
    {
      name: 'V8 heap used / total, external (MB): idle → with subscribers',
      value:
        `${fmt(m.idleMemory.heapUsedMb, 1)} / ${fmt(m.idleMemory.heapTotalMb, 1)}, ${fmt(m.idleMemory.externalMb, 1)} → ` +
        `${fmt(m.idleMemoryWith.heapUsedMb, 1)} / ${fmt(m.idleMemoryWith.heapTotalMb, 1)}, ${fmt(m.idleMemoryWith.externalMb, 1)}`,
      note: "the gateway's /metrics (prom-client); used includes garbage not yet collected",
    },
    {
      name: `time to open ${plan.subscribers} subscriptions (ms)`,
      value: fmt(m.openMs, 0),
      note: `${OPEN_CONCURRENCY} at a time; gateway CPU ${fmt(m.opened.cpuMs / plan.subscribers, 2)} ms per subscription`,
    },
    {
      name: 'idle CPU, watches polling (ms per s)',
      value: fmt(m.idleCpuMsPerS, 1),
      note: `${fmt((m.idlePolls / m.idle.windowMs) * 1000, 1)} polls/s, ${fmt(m.idle.cpuMs / Math.max(1, m.idlePolls), 2)} CPU ms per poll`,
    },
    {
      name: 'events delivered',
      value: `${events}`,
      note: `${plan.rounds} round(s) × ${plan.repositories} changes × ${plan.perRepository} subscribers`,
    },
    {
      name: 'gateway CPU per event (ms)',
      value: fmt(cpuMs / events, 3),
      note:
        `first change to last event; net of idle polling ${fmt(netCpuMs / events, 3)}; ` +
        `per round ${m.rounds.map((r) => fmt(r.cpuMsPerEvent, 3)).join(' / ')}`,
    },
    {
      name: 'change → event p50 / p99 / max (ms)',
      value: triple(latency),
      note:
        `over ${latency.count} events; per round max ${m.rounds.map((r) => fmt(r.latency.max, 1)).join(' / ')}; ` +
        `expected ≤ WATCH_INTERVAL_MS (${interval}) + a few ms`,
    },
    { name: 'change → event max − WATCH_INTERVAL_MS (ms)', value: fmt(maxLatency - interval, 1), note: '≤ a few ms expected' },
    {
      name: 'change → the poll that saw it p50 / max (ms)',
      value: `${fmt(wait.p50, 1)} / ${fmt(wait.max, 1)}`,
      note:
        "the wait for the watch's next poll, from the simulator's arrival times" +
        `${sumOf(m.rounds, 'unattributed') > 0 ? `; ${sumOf(m.rounds, 'unattributed')} change(s) not attributed` : ''}`,
    },
    {
      name: 'watch period, poll to poll p50 / max (ms): idle; rounds',
      value: `${fmt(m.idlePeriods.p50, 1)} / ${fmt(m.idlePeriods.max, 1)}; ${fmt(periods.p50, 1)} / ${fmt(periods.max, 1)}`,
      note:
        `${m.idlePeriods.count} and ${periods.count} periods, at the simulator; ` +
        "a watch's next poll is due WATCH_INTERVAL_MS after its last one ended",
    },
    {
      name: 'poll → event p50 / p99 / max (ms)',
      value: triple(pollToEvent),
      note: 'the latency minus the wait: SWR answer, diff, resolve, write, and this process reading 1,000 sockets',
    },
    {
      name: 'event-loop delay max per round (ms): gateway; bench process',
      value: `${m.rounds.map((r) => fmt(r.gatewayDelayMaxMs, 0)).join(' / ')}; ${m.rounds.map((r) => fmt(r.ownDelayMaxMs, 0)).join(' / ')}`,
      note: "the gateway's from /metrics (nodejs_eventloop_lag_max_seconds), this process's from monitorEventLoopDelay; 10 ms resolution",
    },
    {
      name: 'RSS after the change rounds (MB)',
      value: fmt(m.afterRssMb, 1),
      note: `peak during the rounds ${fmt(Math.max(...all('peakRssMb')), 1)}`,
    },
    {
      name: 'after closing every stream: subscribers / watches',
      value: `${m.closed.subscribers} / ${m.closed.watches}`,
      note: `sockets evicted by the gateway: ${m.final.evicted}; gateway log lines at warn or above: ${m.gatewayOutput.length}`,
    },
  ];
  const goalRow = (name, goal, value, pass) => ({ name, goal, value, mark: pass === null ? '–' : pass ? '✅' : '❌' });
  const full = !plan.smoke && plan.subscribers === 1_000;
  const goals = [
    goalRow(
      '1,000 idle SSE subscribers: RSS above the idle gateway (MB)',
      '≤ 30',
      full ? fmt(m.aboveIdleMb, 1) : `${fmt(m.aboveIdleMb, 1)} (${plan.subscribers} subscribers, smoke)`,
      full ? m.aboveIdleMb <= 30 : null,
    ),
    goalRow('live: RSS per idle SSE subscriber (KB)', '–', fmt(perSubscriberKb, 1), null),
    goalRow('live: gateway CPU per event (ms)', '–', fmt(cpuMs / events, 3), null),
    goalRow(
      `live: change → event max (ms), WATCH_INTERVAL_MS = ${interval}`,
      `– (≤ ${interval} + a few ms expected)`,
      fmt(maxLatency, 1),
      null,
    ),
  ];
  const markdown = renderMarkdown({ plan, rows, goals, m });
  const summary = [
    `live updates (${plan.subscribers} SSE subscribers over ${plan.repositories} repositories, WATCH_INTERVAL_MS=${interval}):`,
    ...alignRows(rows.map((row) => [row.name, row.value, row.note])),
    'goals:',
    ...alignRows(goals.map((g) => [g.name, g.value, g.goal, g.mark])),
  ];
  if (m.gatewayOutput.length > 0) summary.push('gateway output (warn and above):', ...m.gatewayOutput.slice(-5).map((line) => `  ${line}`));
  return { rows, goals, markdown, summary };
}

/** The RESULTS.md section. */
function renderMarkdown({ plan, rows, goals, m }) {
  const table = (header, cells) => [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...cells.map((c) => `| ${c.join(' | ')} |`),
  ];
  return [
    '### Live updates',
    '',
    ...table(
      ['measure', 'value', 'note'],
      rows.map((row) => [row.name, row.value, row.note]),
    ),
    '',
    ...table(
      ['goal', 'measured', 'goal', ''],
      goals.map((g) => [g.name, g.value, g.goal, g.mark]),
    ),
    '',
    `One gateway (\`${['node', ...gatewayNodeArgs(), 'dist/main.js'].join(' ')}\`, LOG_LEVEL=warn, WATCH_INTERVAL_MS=${plan.intervalMs}, ` +
      `MAX_WATCHES, MAX_SUBSCRIPTIONS and HTTP_MAX_CONNECTIONS at their defaults) and a simulator of its own ` +
      `with ${plan.repositories} extra repositories (live-0 … live-${plan.repositories - 1}, 3–5 jobs each). ` +
      `The bench process opens ${plan.subscribers} SSE subscriptions ` +
      `(\`POST /graphql\`, \`Accept: text/event-stream\`, one token, so one watch per repository), ${plan.perRepository} per repository, ` +
      `each on its own socket; a stream counts as open at its first \`:\` comment (sent once the subscription has started), and the ` +
      `phase goes on once /metrics shows ${plan.subscribers} subscribers, ${plan.repositories} watches and a poll of each. RSS is VmRSS ` +
      `from /proc: the idle gateway's after one warm-up subscription (opened and closed, so code loaded once is not charged to the ` +
      `subscribers), then at the end of ${plan.idleIntervals} idle intervals with every subscriber open. Then, ${plan.rounds} time(s), ` +
      `one job is created in each repository through the simulator's control API, one after another, spread over one interval ` +
      `(so the waits for the next poll cover it), and every subscriber must get ` +
      `its CREATED event with that job's id (one missing, late by more than ${deliveryTimeoutMs(plan.intervalMs)} ms, wrong or ` +
      `extra fails the phase). CPU per event is the gateway's user + system time (/proc) from the first change to the last event ` +
      `÷ events (the watches' idle polling over the same window, at the rate measured while idle, is taken off for the net figure). ` +
      `Latency runs from sending the change to reading the event here; the watch reads SWR every interval, so up to one interval of ` +
      `it is the wait for the next poll: the simulator stamps each poll's arrival, which splits the latency into that wait and ` +
      `poll → event. Idle RSS sampled over ${fmt(m.baseline.windowMs / 1000, 0)} s (peak ${fmt(m.baseline.peakRssMb, 1)} MB).`,
    '',
  ].join('\n');
}

// --- SSE subscribers -------------------------------------------------------------------------

/**
 * Opens one subscription over SSE on a socket of its own. `established` resolves at the first
 * `:` comment (the gateway starts every stream with one, after the subscription has started) and
 * rejects when the answer is not a stream or the stream ends first. Events during a change round
 * go to `expectation.take`; anything else is a stray. An error result, `complete` or the end of
 * the stream (not closed by us) sets `failure`.
 */
function openSubscription(graphqlUrl, { namespace, name }, id) {
  const body = JSON.stringify({ query: SUBSCRIPTION, variables: { namespace, name }, operationName: 'LiveJobs' });
  let resolveEstablished;
  let rejectEstablished;
  const established = new Promise((resolve, reject) => {
    resolveEstablished = resolve;
    rejectEstablished = reject;
  });
  established.catch(() => {});
  const subscriber = {
    id,
    repository: name,
    established,
    isEstablished: false,
    failure: null,
    closing: false,
    expectation: null,
    roundEvents: new Map(),
    strays: [],
    close() {
      subscriber.closing = true;
      request.destroy();
    },
  };
  const fail = (why) => {
    if (subscriber.closing || subscriber.failure) return;
    subscriber.failure = why;
    rejectEstablished(new Error(why));
  };
  const request = httpRequest(graphqlUrl, {
    method: 'POST',
    agent: false,
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      'x-auth-token': BENCH_TOKEN,
      'content-length': Buffer.byteLength(body),
    },
  });
  request.on('error', (error) => fail(`socket error ${error.code ?? error.message}`));
  request.on('response', (response) => {
    response.setEncoding('utf8');
    const type = response.headers['content-type'] ?? '';
    if (response.statusCode !== 200 || !type.startsWith('text/event-stream')) {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => fail(`HTTP ${response.statusCode} ${type}: ${text.slice(0, 300)}`));
      return;
    }
    let buffer = '';
    response.on('data', (chunk) => {
      const at = now();
      buffer += chunk;
      let end;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        onBlock(block, at);
      }
    });
    response.on('end', () => fail('the stream ended'));
    response.on('error', (error) => fail(`stream error ${error.code ?? error.message}`));
  });
  const onBlock = (block, at) => {
    if (block.startsWith(':')) {
      if (!subscriber.isEstablished) {
        subscriber.isEstablished = true;
        resolveEstablished();
      }
      return;
    }
    const lines = block.split('\n');
    const event = lines
      .find((line) => line.startsWith('event:'))
      ?.slice(6)
      .trim();
    const data = lines
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trimStart())
      .join('\n');
    if (event === 'complete') return fail('the gateway completed the stream');
    if (event !== 'next') return fail(`unexpected SSE block ${JSON.stringify(block.slice(0, 200))}`);
    let result;
    try {
      result = JSON.parse(data);
    } catch {
      return fail(`unparsable event data ${JSON.stringify(data.slice(0, 200))}`);
    }
    if (result.errors) {
      const codes = result.errors.map((error) => error.extensions?.code ?? error.message).join(', ');
      const limit = result.errors.map((error) => error.extensions?.limit).filter(Boolean);
      return fail(`error result ${codes}${limit.length > 0 ? ` (limit: ${limit.join(', ')})` : ''}: ${result.errors[0]?.message}`);
    }
    const taken = subscriber.expectation?.take(subscriber, { ...result, at }) ?? false;
    if (!taken) subscriber.strays.push({ at, ...result });
  };
  request.end(body);
  return subscriber;
}

/** Throws when any subscriber failed or got an event outside a change round. */
function assertHealthy(subscribers, when) {
  const failed = subscribers.filter((s) => s.failure);
  const strays = subscribers.filter((s) => s.strays.length > 0);
  if (failed.length > 0 || strays.length > 0)
    throw new Error(`${when}: ${describeFailures(subscribers)}; ${strays.length} subscriber(s) got events nobody caused`);
}

/** How many subscribers failed, by reason, with an example. */
function describeFailures(subscribers) {
  const failed = subscribers.filter((s) => s.failure);
  if (failed.length === 0) return 'no stream failed';
  const reasons = new Map();
  for (const s of failed) reasons.set(s.failure, (reasons.get(s.failure) ?? 0) + 1);
  return `${failed.length} of ${subscribers.length} streams failed: ${[...reasons].map(([why, count]) => `${count} × ${why}`).join('; ')}`;
}

// --- processes, metrics, control API --------------------------------------------------------

/**
 * dist/main.js on a free port, as lib/targets.mjs starts it (its starter is not exported): the
 * Node options of `npm start`, LOG_LEVEL=warn, ready when /readyz answers 200; a lost race for
 * the port is retried.
 */
async function startLiveGateway(env) {
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    try {
      return await startServer({
        name: 'live-gateway',
        script: 'dist/main.js',
        nodeArgs: gatewayNodeArgs(),
        env: { ...env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn' },
        ready: { url: `http://127.0.0.1:${port}/readyz` },
      });
    } catch (error) {
      if (attempt >= GATEWAY_START_ATTEMPTS || !/EADDRINUSE/.test(error.message)) throw error;
    }
  }
}

/** The gateway's live-update figures from /metrics. */
async function readMetrics(gateway) {
  const response = await fetch(`${gateway.baseUrl}/metrics`, { signal: AbortSignal.timeout(METRICS_TIMEOUT_MS) });
  const text = await response.text();
  if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
  const value = (pattern) => {
    const match = new RegExp(`^${pattern} (\\S+)$`, 'm').exec(text);
    return match ? Number(match[1]) : 0;
  };
  return {
    subscribers: value('swr_gateway_live_subscribers'),
    watches: value('swr_gateway_live_watches'),
    polls: value('swr_gateway_live_polls_total\\{outcome="ok"\\}'),
    evicted: value('swr_gateway_http_connections_evicted'),
    heapUsedMb: value('nodejs_heap_size_used_bytes') / 2 ** 20,
    heapTotalMb: value('nodejs_heap_size_total_bytes') / 2 ** 20,
    externalMb: value('nodejs_external_memory_bytes') / 2 ** 20,
    eventLoopDelayMaxMs: value('nodejs_eventloop_lag_max_seconds') * 1000,
    connections: value('swr_gateway_http_connections'),
  };
}

/** Polls /metrics until `ready(metrics)`; throws with the last reading after `timeoutMs`. */
async function waitForMetrics(gateway, ready, what, timeoutMs = METRICS_TIMEOUT_MS) {
  const deadline = now() + timeoutMs;
  for (;;) {
    const last = await readMetrics(gateway);
    if (ready(last)) return last;
    if (now() > deadline)
      throw new Error(`the gateway's /metrics did not show ${what} within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
    await sleep(POLL_MS);
  }
}

/** Samples `pid` (RSS every 200 ms, CPU time) for `ms`. */
async function sampleFor(pid, ms) {
  const startedAt = now();
  const sampler = startProcessSampler(pid);
  await sleep(ms);
  return { ...sampler.stop(), windowMs: now() - startedAt };
}

/** POSTs JSON to the control API; resolves to the JSON answer (throws on a non-200). */
async function postJson(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(CHANGE_TIMEOUT_MS),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/**
 * 1,000 sockets here and as many in the gateway: both need the descriptors. The gateway takes at
 * most the open-file limit minus GATEWAY_RESERVED_FDS client sockets (HTTP_MAX_CONNECTIONS'
 * default) and refuses the rest, so with the common 1024 it could hold ~640 streams.
 */
function checkOpenFileLimit(subscribers) {
  let limit = null;
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((candidate) => candidate.startsWith('Max open files'));
    const soft = /^Max open files\s+(\d+|unlimited)/.exec(line ?? '')?.[1];
    limit = soft === 'unlimited' ? Infinity : soft === undefined ? null : Number(soft);
  } catch {
    // not Linux: let the sockets tell
  }
  if (limit !== null && limit - GATEWAY_RESERVED_FDS < subscribers + 64)
    throw new Error(
      `the open-file limit is ${limit}: the gateway's default HTTP_MAX_CONNECTIONS would be ${limit - GATEWAY_RESERVED_FDS}, too few for ` +
        `${subscribers} streams (and this process needs as many descriptors); ` +
        `raise it (ulimit -n) to at least ${subscribers + GATEWAY_RESERVED_FDS + 64}`,
    );
}

// --- small helpers ---------------------------------------------------------------------------

/** Runs `work(item)` for every item, at most `limit` at once; rejects with the first failure. */
async function forEachLimited(items, limit, work) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next];
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function withTimeout(promise, ms, message) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${message} (within ${Math.round(ms)} ms)`)), Math.max(0, ms));
    }),
  ]);
}

/** The simulator's [repository, at] poll stamps as repository → times. */
function pollsByRepository(polls) {
  const byRepository = new Map();
  for (const [name, at] of polls) {
    if (!byRepository.has(name)) byRepository.set(name, []);
    byRepository.get(name).push(at);
  }
  return byRepository;
}

/** Each watch's periods, poll to poll. */
function periodsOf(pollsOf) {
  return [...pollsOf.values()].flatMap((times) => times.slice(1).map((at, index) => at - times[index]));
}

/** A copy of `items` in a deterministic order of `seed` (Fisher–Yates with mulberry32). */
function shuffled(items, seed) {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other], copy[index]];
  }
  return copy;
}

/** p50, p99 and max (nearest rank); NaN for no values. */
function percentiles(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (q) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]);
  return { p50: rank(0.5), p99: rank(0.99), max: sorted.length === 0 ? NaN : sorted.at(-1), count: sorted.length };
}

function sumOf(list, key) {
  return list.reduce((sum, item) => sum + item[key], 0);
}

function fmt(value, digits) {
  return value === null || value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(digits);
}

/** Columns padded to their widest cell. */
function alignRows(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => String(row[column]).length)));
  return rows.map((row) => `  ${row.map((cell, column) => String(cell).padEnd(widths[column])).join('  ')}`.trimEnd());
}
