import { existsSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useScript } from '../support/run-script.js';

// `node bench/run.mjs --smoke`: the benchmark's simulator and every target as child processes,
// each target checked on every workload it serves, then about a second of load each; it prints
// the summary and writes no report (`npm test` builds dist/ first).
const RUN = new URL('../../bench/run.mjs', import.meta.url);
const MAIN = new URL('../../dist/main.js', import.meta.url);
const RESULTS = new URL('../../bench/RESULTS.md', import.meta.url);

const TARGETS = ['direct', 'bare-proxy', 'apollo-peer', 'mesh-hive', 'swr-gateway'];
/** Which target serves which workload (the others are n/a). */
const SERVED: Array<[target: string, workload: string]> = [
  ['direct', 'one-page'],
  ['bare-proxy', 'one-page'],
  ['apollo-peer', 'one-page'],
  ['mesh-hive', 'one-page'],
  ['swr-gateway', 'one-page'],
  ['bare-proxy', 'dashboard'],
  ['apollo-peer', 'dashboard'],
  ['mesh-hive', 'dashboard'],
  ['swr-gateway', 'dashboard'],
  ['swr-gateway', 'entities'],
];

const run = useScript(RUN);
const runSmoke = () => run(['--smoke']);

const modifiedAt = (url: URL) => (existsSync(url) ? statSync(url).mtimeMs : null);

describe('npm run bench -- --smoke', () => {
  it('checks every target on every workload it serves, measures each briefly and writes no report', async () => {
    expect(existsSync(MAIN), 'dist/main.js is missing: run `npm run build` (npm test does)').toBe(true);
    const resultsBefore = modifiedAt(RESULTS);

    const run = await runSmoke();

    // The whole output on failure: it names the target, the workload and what was wrong.
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    for (const [target, workload] of SERVED) {
      expect(run.stdout, `${target} × ${workload}`).toContain(`verify ${target} × ${workload}: correct`);
    }
    // Every target has a measured row (a number of req/s) in the one-page table of the summary.
    const onePageTable = run.stdout.slice(run.stdout.indexOf('One repository page:'), run.stdout.indexOf('20-repository dashboard:'));
    for (const target of TARGETS) expect(onePageTable).toMatch(new RegExp(`^\\s+${target}\\s+\\d+\\s`, 'm'));
    expect(run.stdout).toContain('goals (one-page workload):');
    expect(modifiedAt(RESULTS)).toBe(resultsBefore);
  }, 90_000);
});
