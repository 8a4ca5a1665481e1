// Turns the measured runs into rows, ratios, the stdout summary and bench/RESULTS.md.
import { existsSync, readFileSync } from 'node:fs';

/**
 * The benchmark's goals for swr-gateway, each measured on one workload (`workload`), and beside
 * them ratios for comparison only (no goal: `pass` null, shown as –). `value(at)` computes the
 * figure from the rows: `at(target, workload = the goal's workload)` is that row (it throws when
 * the target did not run the workload: the goal is then n/a); `format(value, at)`, when given,
 * writes the measured cell.
 */
const GOALS = [
  {
    name: 'swr-gateway / apollo-peer throughput',
    workload: 'one-page',
    value: (at) => at('swr-gateway').reqPerSec / at('apollo-peer').reqPerSec,
    goal: '≥ 2.5',
    pass: (v) => v >= 2.5,
    digits: 2,
  },
  {
    name: 'swr-gateway / mesh-hive throughput',
    workload: 'one-page',
    value: (at) => at('swr-gateway').reqPerSec / at('mesh-hive').reqPerSec,
    goal: '≥ 5',
    pass: (v) => v >= 5,
    digits: 2,
  },
  {
    name: 'swr-gateway / bare-proxy throughput',
    workload: 'one-page',
    value: (at) => at('swr-gateway').reqPerSec / at('bare-proxy').reqPerSec,
    goal: '≥ 0.6',
    pass: (v) => v >= 0.6,
    digits: 2,
  },
  {
    name: 'swr-gateway p99 / apollo-peer p99',
    workload: 'one-page',
    value: (at) => at('swr-gateway').p99 / at('apollo-peer').p99,
    goal: '≤ 0.5',
    pass: (v) => v <= 0.5,
    digits: 2,
  },
  {
    name: 'swr-gateway p99 / mesh-hive p99',
    workload: 'one-page',
    value: (at) => at('swr-gateway').p99 / at('mesh-hive').p99,
    goal: '–',
    pass: null,
    digits: 2,
  },
  // Memory against the leanest Node process doing the same job, as a difference: what the
  // GraphQL layer may add on top of a bare proxy.
  {
    name: 'swr-gateway peak RSS − bare-proxy peak RSS',
    workload: 'one-page',
    value: (at) => at('swr-gateway').peakRssMb - at('bare-proxy').peakRssMb,
    format: (v, at) =>
      `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(1)} MB ` +
      `(${at('swr-gateway').peakRssMb.toFixed(1)} vs ${at('bare-proxy').peakRssMb.toFixed(1)})`,
    goal: '≤ +25 MB',
    pass: (v) => v <= 25,
    digits: 1,
  },
  {
    name: 'swr-gateway / bare-proxy throughput',
    workload: 'dashboard',
    value: (at) => at('swr-gateway').reqPerSec / at('bare-proxy').reqPerSec,
    goal: '≥ 0.6',
    pass: (v) => v >= 0.6,
    digits: 2,
  },
  {
    name: 'swr-gateway / apollo-peer throughput',
    workload: 'dashboard',
    value: (at) => at('swr-gateway').reqPerSec / at('apollo-peer').reqPerSec,
    goal: '–',
    pass: null,
    digits: 2,
  },
  // The response cache on (nearly every request a hit) against the bare proxy, which asks SWR every time.
  {
    name: 'swr-gateway+cache / bare-proxy throughput',
    workload: 'one-page',
    value: (at) => at('swr-gateway+cache').reqPerSec / at('bare-proxy').reqPerSec,
    goal: '≥ 1.5',
    pass: (v) => v >= 1.5,
    digits: 2,
  },
  {
    name: 'swr-gateway+cache upstream calls/op',
    workload: 'one-page',
    value: (at) => at('swr-gateway+cache').callsPerOp,
    goal: '–',
    pass: null,
    digits: 3,
  },
  // Tracing on (every operation exported to an OTLP sink) against off, in the same run.
  {
    name: 'tracing on / off throughput',
    workload: 'one-page',
    value: (at) => at('swr-gateway+tracing').reqPerSec / at('swr-gateway').reqPerSec,
    goal: '≥ 0.85',
    pass: (v) => v >= 0.85,
    digits: 2,
  },
  {
    name: 'swr-gateway / bare-proxy throughput',
    workload: 'one-page-small',
    value: (at) => at('swr-gateway').reqPerSec / at('bare-proxy').reqPerSec,
    goal: '–',
    pass: null,
    digits: 2,
  },
  {
    name: 'swr-gateway / apollo-peer throughput',
    workload: 'one-page-small',
    value: (at) => at('swr-gateway').reqPerSec / at('apollo-peer').reqPerSec,
    goal: '–',
    pass: null,
    digits: 2,
  },
  // The same operation by hash (persisted) and by text (one-page-small), both on swr-gateway.
  {
    name: 'persisted (hash) / one-page-small (text) throughput',
    workload: 'persisted',
    value: (at) => at('swr-gateway').reqPerSec / at('swr-gateway', 'one-page-small').reqPerSec,
    goal: '–',
    pass: null,
    digits: 2,
  },
  // With --baseline: this build against another commit's, in the same run.
  {
    name: 'swr-gateway / swr-gateway@baseline throughput',
    workload: 'one-page',
    value: (at) => at('swr-gateway').reqPerSec / at('swr-gateway@baseline').reqPerSec,
    goal: '–',
    pass: null,
    digits: 2,
  },
  {
    name: 'swr-gateway CPU ms/op / baseline',
    workload: 'one-page',
    value: (at) => at('swr-gateway').cpuMsPerOp / at('swr-gateway@baseline').cpuMsPerOp,
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

/**
 * Use for the goal table: each goal's measured value on its workload and whether it is met, as
 * rows `{ name, workload, goal, value, mark }` (value: the measured cell, or 'n/a'; mark ✅, ❌ or
 * – for no goal or nothing measured). More goals measured elsewhere (the live-updates phase, say)
 * are appended as rows of the same shape (`workload` may be left out) before rendering:
 * `[...goalsFrom(table), ...more]`.
 */
export function goalsFrom(table) {
  const rowsOf = new Map(
    table.map(({ workload, rows }) => [workload.id, new Map(rows.filter((row) => row.applicable).map((row) => [row.target, row]))]),
  );
  return GOALS.map((goal) => {
    const at = (target, workload = goal.workload) => {
      const row = rowsOf.get(workload)?.get(target);
      if (row === undefined) throw new Error(`${target} did not run ${workload}`);
      return row;
    };
    let value = null;
    let shown = null;
    try {
      value = goal.value(at);
      if (typeof value === 'number' && Number.isFinite(value)) shown = goal.format ? goal.format(value, at) : value.toFixed(goal.digits);
    } catch {
      // a target of the ratio was not measured
    }
    const known = shown !== null;
    const mark = !known || goal.pass === null ? '–' : goal.pass(value) ? '✅' : '❌';
    return { name: goal.name, workload: goal.workload, goal: goal.goal, value: known ? shown : 'n/a', mark };
  });
}

const GOAL_HEADER = ['figure', 'workload', 'measured', 'goal', ''];
const goalCells = (g) => [g.name, g.workload ?? '', g.value, g.goal, g.mark];

/**
 * Use for stdout: the tables and goals, aligned. `extraSection`, when given, is printed as it is
 * after the goals (e.g. the live-updates phase's summary).
 */
export function renderSummary({ table, goals, meta, extraSection }) {
  const lines = [`\nbench summary (${meta.settings}; ${meta.machine})`];
  for (const { workload, rows } of table) {
    lines.push('', `${workload.title}:`, ...alignedTable(resultHeader(), rows.map(resultCells)).map((line) => `  ${line}`));
  }
  lines.push('', 'goals:', ...alignedTable(GOAL_HEADER, goals.map(goalCells)).map((line) => `  ${line}`));
  if (extraSection) lines.push('', extraSection.trimEnd());
  return lines.join('\n');
}

/**
 * Use to write bench/RESULTS.md; keeps the text an optimiser wrote under PROFILE_HEADING in
 * `previousPath`. `extraSection`, when given, is markdown placed as it is after the goals (its own
 * `## …` heading included), e.g. the live-updates phase's results.
 */
export function renderMarkdown({ table, goals, meta, targets, verification, previousPath, extraSection }) {
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
    '## Goals',
    '',
    ...markdownTable(GOAL_HEADER, goals.map(goalCells)),
    '',
    'Rows whose goal is – are for comparison only. mesh-hive answers the same SWR page without cursors',
    'or totalCount, so the ratios against it compare stacks rather than equal work; swr-gateway+cache',
    'serves from its response cache what bare-proxy asks SWR for every time.',
    '',
    ...(extraSection ? [extraSection.trimEnd(), ''] : []),
    '## How it was measured',
    '',
    '- Rounds are interleaved: within a workload, round 1 runs every target serving it once (in the',
    '  order of the tables), then round 2, …; req/s is the mean over rounds (completed requests ÷ run',
    '  time), the values per round are listed under each table.',
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
    '  ids in order and every field it returns, as SWR serves them; drift: the data plus the jobs',
    '  created after page 1 was read; swr-gateway+cache: a second request served without an SWR call,',
    "  and the same body as swr-gateway's):",
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
