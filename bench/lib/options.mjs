// The command line of bench/run.mjs: one options object, defaults applied here, validated once.
import { parseArgs } from 'node:util';

export const USAGE = `usage: node bench/run.mjs [options]   (npm run bench -- [options] builds dist/ first)

  --duration SECONDS         length of one measured run (default 10; --smoke: 1)
  --rounds N                 rounds; each round runs every target once per workload (default 3; --smoke: 1)
  --connections N            concurrent connections of the load generator (default 32)
  --warmup SECONDS           unmeasured run per target and workload before its rounds (default 2; --smoke: 0)
  --upstream-connections N   size of the bare proxy's undici Pool (default 4 × --connections)
  --output FILE              where the report goes (default bench/RESULTS.md)
  --only IDS                 only these targets, comma-separated (e.g. bare-proxy,swr-gateway)
  --workloads IDS            only these workloads, comma-separated (e.g. one-page,drift); default all
  --baseline DIR             also measure the gateway built in DIR (a worktree of another commit, built
                             with npm run build) as target swr-gateway@baseline, interleaved with the rest
  --skip-live                without the live-updates phase (SSE subscribers, lib/live.mjs)
  --smoke                    every target × workload once, briefly; prints the summary, writes no file,
                             exits non-zero when a target answers wrongly
  --help                     this text`;

/** Reads argv; throws an Error whose message says which flag was wrong and what was expected. */
export function optionsFromArgv(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string' },
      rounds: { type: 'string' },
      connections: { type: 'string', default: '32' },
      warmup: { type: 'string' },
      'upstream-connections': { type: 'string' },
      output: { type: 'string', default: 'bench/RESULTS.md' },
      only: { type: 'string' },
      workloads: { type: 'string' },
      baseline: { type: 'string' },
      smoke: { type: 'boolean', default: false },
      'skip-live': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const smoke = values.smoke;
  const connections = integerFrom(values.connections, '--connections', 1, 10_000);
  return {
    help: values.help,
    smoke,
    durationS: integerFrom(values.duration ?? (smoke ? '1' : '10'), '--duration', 1, 3600),
    rounds: integerFrom(values.rounds ?? (smoke ? '1' : '3'), '--rounds', 1, 100),
    connections,
    warmupS: integerFrom(values.warmup ?? (smoke ? '0' : '2'), '--warmup', 0, 600),
    upstreamConnections: integerFrom(values['upstream-connections'] ?? String(4 * connections), '--upstream-connections', 1, 10_000),
    output: values.output,
    only: values.only ? values.only.split(',').map((id) => id.trim()) : null,
    skipLive: values['skip-live'],
    workloads: values.workloads ? values.workloads.split(',').map((id) => id.trim()) : null,
    baseline: values.baseline ?? null,
  };
}

/** An integer flag in [min, max]. Whole seconds: autocannon ends runs on its 1 s sampling tick. */
function integerFrom(text, flag, min, max) {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new Error(`${flag}: expected an integer ${min}..${max}, received ${JSON.stringify(text)}`);
  }
  return value;
}
