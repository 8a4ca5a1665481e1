// The hostile part of the soak's mix: requests an attacker would send, with or without a token.
// Each must be refused with its code and status, quickly, while the rest of the load goes on; any
// other answer is an anomaly (and fails the run).
import { request } from 'undici';
import { SOAK_NAMESPACE } from '../soak-simulator.mjs';
import { anomaly, increment, sample } from './stats.mjs';

const REQUEST_TIMEOUT_MS = 15_000;

// Four levels of fragments, each spreading the next 60 times (60³ paths in 1.3 KB).
const fanOut = [
  `{ repository(namespace: "${SOAK_NAMESPACE}", name: "repo-0") { ...L1 } }`,
  ...['L1', 'L2', 'L3'].map(
    (name, index) =>
      `fragment ${name} on Repository { ${Array(60)
        .fill(`...L${index + 2}`)
        .join(' ')} }`,
  ),
  'fragment L4 on Repository { name }',
].join('\n');
const fiftyRefs = Array.from({ length: 50 }, (_, index) => `{ namespace: "${SOAK_NAMESPACE}", name: "x-${index}" }`).join(', ');

/** [name, body, token?, expected status, expected code] */
const HOSTILE = [
  ['fragment fan-out', JSON.stringify({ query: fanOut }), true, 200, null],
  [
    'list literal 2,400 deep',
    JSON.stringify({ query: `{ repositories(refs: ${'['.repeat(2400)}${']'.repeat(2400)}) { name } }` }),
    false,
    400,
    'OPERATION_TOO_EXPENSIVE',
  ],
  [
    'variables 5,000 deep',
    `{"query":"query($r: [RepositoryRef!]!) { repositories(refs: $r) { name } }","variables":{"r":${'['.repeat(5000)}1${']'.repeat(5000)}}}`,
    false,
    400,
    'OPERATION_TOO_EXPENSIVE',
  ],
  [
    'default refs used twice',
    JSON.stringify({
      query: `query($r: [RepositoryRef!]! = [${fiftyRefs}]) { a: repositories(refs: $r) { syncJobs { totalCount } } b: repositories(refs: $r) { syncJobs(order: ASC) { totalCount } } }`,
    }),
    true,
    200,
    'OPERATION_TOO_EXPENSIVE',
  ],
  ['large distinct document', () => JSON.stringify({ query: `{ __typename } # ${Math.random()}`.padEnd(400_000, 'x') }), false, 200, null],
  [
    'no token',
    JSON.stringify({ query: `{ repository(namespace: "${SOAK_NAMESPACE}", name: "repo-0") { syncJobs { totalCount } } }` }),
    false,
    200,
    'UNAUTHENTICATED',
  ],
  ['mutation', JSON.stringify({ query: 'mutation { x }' }), false, 200, 'GRAPHQL_VALIDATION_FAILED'],
];

/** Use as a soak shape: one hostile request, its answer checked. */
export async function runHostile(context, tenant) {
  const [name, body, withToken, status, code] = HOSTILE[Math.floor(Math.random() * HOSTILE.length)];
  const { stats, agent, url, signal } = context;
  increment(stats.hostile, name);
  stats.operations += 1;
  let response;
  let text;
  try {
    response = await request(url, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json', accept: 'application/json', ...(withToken ? { 'x-auth-token': tenant.token } : {}) },
      body: typeof body === 'function' ? body() : body,
      signal,
      headersTimeout: REQUEST_TIMEOUT_MS,
      bodyTimeout: REQUEST_TIMEOUT_MS,
    });
    text = await response.body.text();
  } catch (error) {
    const kind = error?.code ?? error?.name ?? 'Error';
    stats.transportErrors += 1;
    increment(stats.transportErrorKinds, kind);
    sample(stats.samples.transportErrors, `hostile ${name}: ${kind}: ${error?.message ?? error}`);
    return;
  }
  // Its status is checked here, against what this request must get; `statuses` are the rest of the load's.
  let answer;
  try {
    answer = JSON.parse(text);
  } catch {
    anomaly(stats, `hostile ${name}: HTTP ${response.statusCode}, not JSON: ${text.slice(0, 200)}`);
    return;
  }
  const codes = (answer.errors ?? []).map((error) => error?.extensions?.code ?? 'NO_CODE');
  for (const seen of codes) increment(stats.hostileCodes, seen);
  const expected = code === null ? [] : [code];
  if (response.statusCode !== status || JSON.stringify([...new Set(codes)]) !== JSON.stringify(expected)) {
    anomaly(
      stats,
      `hostile ${name}: expected HTTP ${status} ${JSON.stringify(expected)}, got HTTP ${response.statusCode} ${JSON.stringify(codes)}: ${text.slice(0, 200)}`,
    );
  }
}
