import { existsSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useScript } from '../support/run-script.js';

// `node bench/run.mjs --smoke`: the benchmark's simulator and every target as child processes,
// the workloads' prepare steps (a cursor taken before SWR changes, a persisted query registered,
// the node id checked), each target checked on every workload it serves, then about a second of
// load each; it prints the summary and writes no report (`npm test` builds dist/ first).
const RUN = new URL('../../bench/run.mjs', import.meta.url);
const MAIN = new URL('../../dist/main.js', import.meta.url);
const RESULTS = new URL('../../bench/RESULTS.md', import.meta.url);

const TARGETS = ['direct', 'bare-proxy', 'apollo-peer', 'mesh-hive', 'swr-gateway', 'swr-gateway+tracing', 'swr-gateway+cache'];
/** Which target serves which workload (the others are n/a). */
const SERVED: Array<[target: string, workload: string]> = [
  ['direct', 'one-page'],
  ['bare-proxy', 'one-page'],
  ['apollo-peer', 'one-page'],
  ['mesh-hive', 'one-page'],
  ['swr-gateway', 'one-page'],
  ['swr-gateway+tracing', 'one-page'],
  ['swr-gateway+cache', 'one-page'],
  ['bare-proxy', 'one-page-small'],
  ['apollo-peer', 'one-page-small'],
  ['mesh-hive', 'one-page-small'],
  ['swr-gateway', 'one-page-small'],
  ['swr-gateway+cache', 'one-page-small'],
  ['bare-proxy', 'dashboard'],
  ['apollo-peer', 'dashboard'],
  ['mesh-hive', 'dashboard'],
  ['swr-gateway', 'dashboard'],
  ['swr-gateway', 'entities'],
  ['swr-gateway', 'node'],
  ['swr-gateway', 'persisted'],
  ['swr-gateway', 'drift'],
];
/** Every goal row the summary must have, with its workload. */
const GOALS: Array<[name: string, workload: string]> = [
  ['swr-gateway / apollo-peer throughput', 'one-page'],
  ['swr-gateway / mesh-hive throughput', 'one-page'],
  ['swr-gateway / bare-proxy throughput', 'one-page'],
  ['swr-gateway p99 / apollo-peer p99', 'one-page'],
  ['swr-gateway peak RSS − bare-proxy peak RSS', 'one-page'],
  ['swr-gateway / bare-proxy throughput', 'dashboard'],
  ['swr-gateway+cache / bare-proxy throughput', 'one-page'],
  ['tracing on / off throughput', 'one-page'],
];

const run = useScript(RUN);
const runSmoke = () => run(['--smoke']);

const modifiedAt = (url: URL) => (existsSync(url) ? statSync(url).mtimeMs : null);
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describe('npm run bench -- --smoke', () => {
  it('checks every target on every workload it serves, measures each briefly and writes no report', async () => {
    expect(existsSync(MAIN), 'dist/main.js is missing: run `npm run build` (npm test does)').toBe(true);
    const resultsBefore = modifiedAt(RESULTS);

    const run = await runSmoke();

    // The whole output on failure: it names the target, the workload and what was wrong.
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    for (const workload of ['node', 'persisted', 'drift']) expect(run.stdout).toContain(`prepared ${workload} for swr-gateway`);
    for (const [target, workload] of SERVED) {
      expect(run.stdout, `${target} × ${workload}`).toContain(`verify ${target} × ${workload}: correct`);
    }
    // Every target has a measured row (a number of req/s) in the one-page table of the summary.
    const onePageTable = run.stdout.slice(
      run.stdout.indexOf('One repository page:'),
      run.stdout.indexOf('One repository page, small selection:'),
    );
    for (const target of TARGETS) expect(onePageTable).toMatch(new RegExp(`^\\s+${literal(target)}\\s+\\d+\\s`, 'm'));
    const goals = run.stdout.slice(run.stdout.indexOf('\ngoals:'));
    for (const [name, workload] of GOALS) expect(goals).toMatch(new RegExp(`^\\s+${literal(name)}\\s+${workload}\\s`, 'm'));
    // The live-updates phase: every subscriber got its event (else the run fails), and its figures are reported.
    // A figure, of either sign: 50 streams in a smoke run are within the RSS's own spread.
    expect(goals).toMatch(/^\s+1,000 idle SSE subscribers: RSS above the idle gateway \(MB\)\s+-?\d+\.\d/m);
    expect(run.stdout).toMatch(/live: round 1: \d+ events/);
    expect(modifiedAt(RESULTS)).toBe(resultsBefore);
  }, 150_000);
});
