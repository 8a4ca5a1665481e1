// Turns the measured runs into rows, ratios, the stdout summary and bench/RESULTS.md.
import { existsSync, readFileSync } from 'node:fs';

/**
 * The goals of issue 6 for swr-gateway, measured on the one-page workload, and beside the
 * apollo-peer ratios the same ratios against mesh-hive, for comparison only (no goal: `pass` null,
 * shown as –).
 */
const GOALS = [
  {
    name: 'swr-gateway / apollo-peer throughput',
    value: (r) => r['swr-gateway'].reqPerSec / r['apollo-peer'].reqPerSec,
    goal: '≥ 2.0',
    pass: (v) => v >= 2.0,
    digits: 2,
  },
  {
    name: 'swr-gateway / mesh-hive throughput',
    value: (r) => r['swr-gateway'].reqPerSec / r['mesh-hive'].reqPerSec,
    goal: '–',
    pass: null,
    digits: 2,
  },
  {
    name: 'swr-gateway / bare-proxy throughput',
    value: (r) => r['swr-gateway'].reqPerSec / r['bare-proxy'].reqPerSec,
    goal: '≥ 0.5',
    pass: (v) => v >= 0.5,
    digits: 2,
  },
  {
    name: 'swr-gateway p99 / apollo-peer p99',
    value: (r) => r['swr-gateway'].p99 / r['apollo-peer'].p99,
    goal: '≤ 0.5',
    pass: (v) => v <= 0.5,
    digits: 2,
  },
  { name: 'swr-gateway p99 / mesh-hive p99', value: (r) => r['swr-gateway'].p99 / r['mesh-hive'].p99, goal: '–', pass: null, digits: 2 },
  { name: 'swr-gateway peak RSS (MB)', value: (r) => r['swr-gateway'].peakRssMb, goal: '≤ 120', pass: (v) => v <= 120, digits: 1 },
  // Tracing on (every operation exported to an OTLP sink) against off, in the same run.
  {
    name: 'tracing on / off throughput',
    value: (r) => r['swr-gateway+tracing'].reqPerSec / r['swr-gateway'].reqPerSec,
    goal: '≥ 0.85',
    pass: (v) => v >= 0.85,
    digits: 2,
  },
  // With --baseline: this build against another commit's, in the same run.
  {
    name: 'swr-gateway / swr-gateway@baseline throughput',
    value: (r) => r['swr-gateway'].reqPerSec / r['swr-gateway@baseline'].reqPerSec,
    goal: '–',
    pass: null,
    digits: 2,
  },
  {
    name: 'swr-gateway CPU ms/op / baseline',
    value: (r) => r['swr-gateway'].cpuMsPerOp / r['swr-gateway@baseline'].cpuMsPerOp,
    goal: '–',
    pass: null,
    digits: 2,
  },
];

export const PROFILE_HEADING = '## Profile and what is left';
const PROFILE_PLACEHOLDER = `_Placeholder for the optimiser: a profile of swr-gateway on the one-page workload (\`node --cpu-prof\` or
clinic flame), where its time and memory go compared with bare-proxy, what was changed, and what is left._`;

/**
 * Use after the runs: one row per target and workload. `measurements` maps `${workload}/${target}`
 * to `{ rounds, latencies, peakRssMb }` (each round: autocannon's counts, upstreamCalls, cpuMs); a
 * target without one is n/a.
 */
export function rowsFrom(workloads, targets, measurements) {
  return workloads.map((workload) => ({
    workload,
    rows: targets.map((target) => {
      const measured = measurements.get(`${workload.id}/${target.id}`);
      if (measured === undefined || measured.rounds.length === 0) return { target: target.id, applicable: false };
      const { rounds } = measured;
      const sum = (key) => rounds.reduce((total, round) => total + round[key], 0);
      const [p50, p99] = measured.latencies.percentiles(50, 99);
      return {
        target: target.id,
        applicable: true,
        reqPerSec: sum('reqPerSec') / rounds.length,
        perRound: rounds.map((round) => round.reqPerSec),
        p50,
        p99,
        peakRssMb: measured.peakRssMb,
        // Per request sent, not completed: the ≤ connections operations in flight when a run stops
        // have usually made their upstream calls already, and the server spent CPU on them.
        callsPerOp: sum('sent') === 0 ? null : sum('upstreamCalls') / sum('sent'),
        cpuMsPerOp: sum('sent') === 0 || rounds.some((round) => round.cpuMs === null) ? null : sum('cpuMs') / sum('sent'),
        completed: sum('completed'),
        non2xx: sum('non2xx'),
        errors: sum('errors') + sum('mismatches'),
        mismatches: sum('mismatches'),
        timeouts: sum('timeouts'),
      };
    }),
  }));
}

/** Use for the goal table: each goal's measured value on the one-page workload and whether it is met. */
export function goalsFrom(table) {
  const onePage = table.find((entry) => entry.workload.id === 'one-page');
  const byTarget = Object.fromEntries((onePage?.rows ?? []).filter((row) => row.applicable).map((row) => [row.target, row]));
  return GOALS.map((goal) => {
    let value = null;
    try {
      value = goal.value(byTarget);
    } catch {
      // a target of the ratio was not measured
    }
    const known = typeof value === 'number' && Number.isFinite(value);
    const mark = !known || goal.pass === null ? '–' : goal.pass(value) ? '✅' : '❌';
    return { name: goal.name, goal: goal.goal, value: known ? value.toFixed(goal.digits) : 'n/a', mark };
  });
}

/** Use for stdout: the tables and goals, aligned. */
export function renderSummary({ table, goals, meta }) {
  const lines = [`\nbench summary (${meta.settings}; ${meta.machine})`];
  for (const { workload, rows } of table) {
    lines.push('', `${workload.title}:`, ...alignedTable(resultHeader(), rows.map(resultCells)).map((line) => `  ${line}`));
  }
  lines.push(
    '',
    'goals (one-page workload):',
    ...alignedTable(
      ['ratio', 'measured', 'goal', ''],
      goals.map((g) => [g.name, g.value, g.goal, g.mark]),
    ).map((line) => `  ${line}`),
  );
  return lines.join('\n');
}

/** Use to write bench/RESULTS.md; keeps the text an optimiser wrote under PROFILE_HEADING in `previousPath`. */
export function renderMarkdown({ table, goals, meta, targets, verification, previousPath }) {
  const markdownTable = (header, rows) => [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((cells) => `| ${cells.join(' | ')} |`),
  ];
  const sections = [
    '# swr-gateway benchmark results',
    '',
    `_Written by \`bench/run.mjs\` (see bench/README.md); a new run replaces everything above "${PROFILE_HEADING.slice(3)}"._`,
    '',
    '## Machine and run',
    '',
    ...markdownTable(
      ['', ''],
      [
        ['CPU', `${meta.cpuModel}, ${meta.cores} cores (\`os.cpus().length\`)`],
        ['memory', `${meta.memoryGb} GB`],
        ['OS', meta.os],
        ['Node.js', meta.node],
        ['date', meta.date],
        ['command', `\`${meta.command}\``],
        ['settings', meta.settings],
        ['wall time', meta.wallTime],
        ['load average (1 min)', `${meta.loadBefore} before the run, ${meta.loadAfter} after`],
      ],
    ),
    '',
    'Everything runs on this machine over 127.0.0.1: the load generator (autocannon, in the bench',
    'process), the simulator and the measured server each take CPU from the same cores, and so does',
    'anything else running at the time (the load average above tells how quiet the machine was).',
    '',
    '## Targets',
    '',
    ...targets.map((target) => `- **${target.id}**: ${target.what}.`),
    '',
    '## Results',
  ];
  for (const { workload, rows } of table) {
    sections.push(
      '',
      `### ${workload.title}`,
      '',
      workload.describe,
      '',
      ...markdownTable(resultHeader(), rows.map(resultCells)),
      '',
      `req/s per round: ${rows
        .filter((row) => row.applicable)
        .map((row) => `${row.target} ${row.perRound.map((value) => Math.round(value)).join(' / ')}`)
        .join('; ')}.`,
    );
  }
  sections.push(
    '',
    '## Goals (one-page workload)',
    '',
    ...markdownTable(
      ['ratio', 'measured', 'goal', ''],
      goals.map((g) => [g.name, g.value, g.goal, g.mark]),
    ),
    '',
    "The mesh-hive ratios have no goal: they compare swr-gateway with The Guild's stack, which answers",
    'the same SWR page without cursors or totalCount.',
    '',
    '## How it was measured',
    '',
    '- Rounds are interleaved: within a workload, round 1 runs every target once (direct, bare-proxy,',
    '  apollo-peer, mesh-hive, swr-gateway), then round 2, …; req/s is the mean over rounds (completed',
    '  requests ÷ run time), the values per round are listed under each table.',
    '- p50 / p99: over every response of every round of that target and workload, in ms.',
    '- peak RSS: VmRSS of the server process from /proc/<pid>/status every 200 ms during its runs',
    '  of that workload (direct: the simulator). Workloads run in table order, one-page first.',
    '- upstream calls/op: requests the simulator received during the runs ÷ requests sent (the',
    '  operations cut off when a run stops are counted, and a run ends for the server only once the',
    '  simulator has had no request for 300 ms). swr-gateway aborts the calls of an operation whose',
    '  caller left, so its figure can read slightly low; the lines below give exact single-operation counts.',
    '- CPU ms/op: user + system CPU time of the server process (/proc/<pid>/stat) over its runs ÷',
    "  requests sent; direct: the simulator's. Less disturbed by a busy machine than req/s.",
    '- errors: transport errors and timeouts, plus answers whose body differs from the one verified',
    '  before measuring (autocannon `expectBody`: every answer is compared byte for byte).',
    '- Before measuring, each target answered each workload once and the answer was checked against',
    "  the simulator's data (ids, every field, totalCount, pageInfo, cursors, no `errors`; mesh-hive:",
    '  ids in order and every field it returns, as SWR serves them):',
    '',
    ...verification.map((line) => `  - ${line}`),
    '',
    PROFILE_HEADING,
    '',
    previousProfileSection(previousPath) ?? PROFILE_PLACEHOLDER,
    '',
  );
  return sections.join('\n');
}

const resultHeader = () => ['target', 'req/s', 'p50 ms', 'p99 ms', 'peak RSS MB', 'upstream calls/op', 'non-2xx', 'errors', 'CPU ms/op'];

/** The cells of one row; n/a for a target that does not serve the workload. */
function resultCells(row) {
  if (!row.applicable)
    return [
      row.target,
      ...resultHeader()
        .slice(1)
        .map(() => 'n/a'),
    ];
  const fixed = (value, digits) => (value === null || value === undefined ? 'n/a' : value.toFixed(digits));
  return [
    row.target,
    String(Math.round(row.reqPerSec)),
    fixed(row.p50, 2),
    fixed(row.p99, 2),
    fixed(row.peakRssMb, 1),
    fixed(row.callsPerOp, 2),
    String(row.non2xx),
    row.mismatches > 0 ? `${row.errors} (${row.mismatches} wrong bodies)` : String(row.errors),
    fixed(row.cpuMsPerOp, 2),
  ];
}

/** Columns padded to their widest cell. */
function alignedTable(header, rows) {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((cells) => String(cells[column]).length)));
  return all.map((cells) =>
    cells
      .map((cell, column) => String(cell).padEnd(widths[column]))
      .join('  ')
      .trimEnd(),
  );
}

/** The optimiser's text under PROFILE_HEADING in an earlier report, if any. */
function previousProfileSection(path) {
  if (!path || !existsSync(path)) return null;
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(`${PROFILE_HEADING}\n`);
  if (start < 0) return null;
  const kept = text.slice(start + PROFILE_HEADING.length).trim();
  return kept === '' ? null : kept;
}
