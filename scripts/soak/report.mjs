// The end of a soak run: its counters turned into a result, the verdict (failuresOf), and the
// report, a table for people and one `SOAK_RESULT {json}` line for machines (test/e2e/soak.test.ts
// reads it; its keys and their order are part of that contract).
import { SOAK_BACKGROUND_LATENCY_MS, SOAK_REPOSITORY_COUNT, SOAK_SLOW_LATENCY_MS, SOAK_TENANT_COUNT } from '../soak-simulator.mjs';
import { EXPECTED_CODES, MAX_COLLATERAL_TIMEOUT_RATE, SWR_TIMEOUT_MS } from './expected-errors.mjs';

/**
 * Use once the workers are done: the result of the run, `failures` included (empty = passed).
 * `usage` is what the process sampler measured of the gateway; `gatewayLog` its warning counts;
 * `gateway` its process handle (did it exit during the run?).
 */
export function resultFrom({ stats, options, elapsedSeconds, usage, gatewayLog, gateway, interrupted }) {
  const gatewayCpuSeconds = usage.cpuMs === null ? null : Math.round(usage.cpuMs / 10) / 100;
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
    hostile: stats.hostile,
    hostileCodes: stats.hostileCodes,
    latencyMs: { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: percentile(sorted, 100) },
    rssStartMB: tenthsOf(usage.startRssMb),
    rssEndMB: tenthsOf(usage.endRssMb),
    rssPeakMB: tenthsOf(usage.peakRssMb),
    gatewayCpuSeconds,
    gatewayCpuPercent: gatewayCpuSeconds === null ? null : Math.round((gatewayCpuSeconds / elapsedSeconds) * 100),
    gatewayLogWarnings: gatewayLog.warnings,
    gatewayExitedEarly: gateway.exited,
    samples: stats.samples,
    slowest: stats.slowest,
    gatewayLogSamples: gatewayLog.samples,
  };
  if (interrupted) result.interrupted = true;
  result.failures = failuresOf(result);
  if (interrupted) result.failures.push('interrupted');
  if (gateway.exited)
    result.failures.push(`gateway exit ${gateway.exitSignal ?? gateway.exitCode}; stderr ${JSON.stringify(gateway.stderrTail.slice(-5))}`);
  return result;
}

/** Use to print a result: the human-readable table, the samples, then the SOAK_RESULT line. */
export function printReport(result, options) {
  const rows = [
    [
      'duration',
      `${result.durationSeconds} s, ${options.concurrency} workers` +
        `${Number.isFinite(options.maxOperations) ? `, at most ${options.maxOperations} operations` : ''}`,
    ],
    [
      'upstream',
      `${SOAK_TENANT_COUNT} tenants × ${SOAK_REPOSITORY_COUNT} repositories, ${SOAK_BACKGROUND_LATENCY_MS} ms latency; ` +
        `repo-38 → 503, repo-39 → ${SOAK_SLOW_LATENCY_MS} ms (SWR_TIMEOUT_MS ${SWR_TIMEOUT_MS})`,
    ],
    ['operations', `${result.operations} (${result.opsPerSecond}/s); shapes ${formatCounts(result.shapes)}`],
    ['hostile', `${formatCounts(result.hostile)}; refused with ${formatCounts(result.hostileCodes)}`],
    ['latency ms', `p50 ${result.latencyMs.p50}, p95 ${result.latencyMs.p95}, p99 ${result.latencyMs.p99}, max ${result.latencyMs.max}`],
    ['HTTP statuses', formatCounts(result.statuses)],
    ['error codes', formatCounts(result.errorCodes)],
    ['transport errors', result.transportErrors === 0 ? '0' : `${result.transportErrors} (${formatCounts(result.transportErrorKinds)})`],
    ['leaks', String(result.leaks)],
    ['anomalies', String(result.anomalies)],
    [
      'collateral timeouts',
      // The pointer names scripts/soak.mjs, whose header leads to the COLLATERAL note.
      `${result.collateralTimeouts} of ${result.timelyLookups} lookups outside the slow repository ` +
        `(${(result.collateralTimeoutRate * 100).toFixed(2)}%)` +
        (result.collateralTimeouts > 0
          ? `: ${formatCounts(result.collateralTimeoutsBy)}; the gateway was saturated (see COLLATERAL in soak.mjs)`
          : ''),
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
  // The samples were printed above; the result line keeps the figures.
  const { samples: _samples, slowest: _slowest, gatewayLogSamples: _logSamples, failures, ...summary } = result;
  console.log(`SOAK_RESULT ${JSON.stringify({ ...summary, passed: failures.length === 0, failures })}`);
}

/** Why the run failed (empty = passed), from the counters alone. */
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
    failures.push(
      `${result.collateralTimeouts} of ${result.timelyLookups} lookups that answer in time timed out ` +
        `(more than ${MAX_COLLATERAL_TIMEOUT_RATE * 100}%)`,
    );
  }
  if (result.gatewayExitedEarly) failures.push('the gateway exited during the run');
  return failures;
}

/** The p-th percentile of sorted latencies, to 0.1 ms; null when there are none. */
function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] * 10) / 10;
}

/** MB to 0.1 MB, as the report shows them; null stays null. */
function tenthsOf(mb) {
  return mb === null ? null : Math.round(mb * 10) / 10;
}

/** `{ b: 2, a: 1 }` → "a: 1, b: 2"; "none" when empty. */
function formatCounts(map) {
  return Object.keys(map).length === 0
    ? 'none'
    : Object.entries(map)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, count]) => `${key}: ${count}`)
        .join(', ');
}
