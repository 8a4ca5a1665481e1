import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useScript } from '../support/run-script.js';

// `npm run soak`, short: scripts/soak.mjs starts the soak simulator and dist/main.js as child
// processes and drives them from four tenants at once (`npm test` builds dist/ first).
const SOAK = new URL('../../scripts/soak.mjs', import.meta.url);
const MAIN = new URL('../../dist/main.js', import.meta.url);
const ARGS = ['--duration', '5', '--concurrency', '20', '--max-operations', '2000'];

/** The codes the soak simulator's two faulty repositories produce (a 503, and an answer after the deadline). */
const EXPECTED_CODES = ['UPSTREAM_ERROR', 'UPSTREAM_TIMEOUT'];
/** Generous: an idle gateway holds ~140 MB, and 20 workers add well under 100 MB. */
const MAX_RSS_MB = 300;

interface SoakResult {
  operations: number;
  durationSeconds: number;
  opsPerSecond: number;
  statuses: Record<string, number>;
  errorCodes: Record<string, number>;
  hostile: Record<string, number>;
  hostileCodes: Record<string, number>;
  transportErrors: number;
  leaks: number;
  anomalies: number;
  healthyLookups: number;
  collateralTimeouts: number;
  rssStartMB: number | null;
  rssEndMB: number | null;
  rssPeakMB: number | null;
  passed: boolean;
  failures: string[];
}

const run = useScript(SOAK);
const runSoak = () => run(ARGS);

function soakResultFrom(stdout: string): SoakResult {
  const line = stdout.split('\n').find((candidate) => candidate.startsWith('SOAK_RESULT '));
  if (line === undefined) throw new Error(`no SOAK_RESULT line in:\n${stdout}`);
  return JSON.parse(line.slice('SOAK_RESULT '.length)) as SoakResult;
}

describe('npm run soak (short)', () => {
  it('serves four tenants under concurrent load without leaks, transport errors or unexpected codes', async () => {
    expect(existsSync(MAIN), 'dist/main.js is missing: run `npm run build` (npm test does)').toBe(true);
    const run = await runSoak();
    const result = soakResultFrom(run.stdout);
    // The whole report on failure: it names the leaks, anomalies and codes it saw.
    expect({ code: run.code, failures: result.failures }, `${run.stdout}\n${run.stderr}`).toEqual({ code: 0, failures: [] });

    expect(result.operations).toBeGreaterThan(50);
    expect(result.operations).toBeLessThanOrEqual(2000);
    expect(result.leaks).toBe(0);
    expect(result.transportErrors).toBe(0);
    expect(result.anomalies).toBe(0);
    // The hostile requests' statuses are checked one by one (a wrong one is an anomaly); the rest are all 200.
    expect(Object.keys(result.statuses)).toEqual(['200']);
    // The kinds take turns: with this many, every one was sent, GraphiQL and the slow sockets included.
    expect(Object.values(result.hostile).reduce((sum, count) => sum + count, 0)).toBeGreaterThan(20);
    expect(Object.keys(result.hostile)).toEqual(
      expect.arrayContaining(['fragment fan-out', 'GraphiQL, identity encoding', 'GraphiQL, brotli', 'slow headers', 'slow body']),
    );
    expect(Object.keys(result.hostileCodes)).toEqual(expect.arrayContaining(['OPERATION_TOO_EXPENSIVE']));
    expect(EXPECTED_CODES).toEqual(expect.arrayContaining(Object.keys(result.errorCodes)));
    // Both faults were hit: the injected 503 and the answer past SWR_TIMEOUT_MS.
    for (const code of EXPECTED_CODES) expect(result.errorCodes[code], code).toBeGreaterThan(0);
    // At 20 workers the gateway is far from saturated; a timeout of a healthy repository is rare at most.
    expect(result.collateralTimeouts).toBeLessThanOrEqual(result.healthyLookups * 0.02);
    // Read from /proc on this machine (Linux): a missing figure is a broken sampler, not a pass.
    expect(result.rssEndMB).toBeLessThan(MAX_RSS_MB);
    expect(result.rssPeakMB).toBeLessThan(MAX_RSS_MB);
  }, 60_000);
});
