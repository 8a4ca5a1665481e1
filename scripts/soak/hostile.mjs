// The hostile part of the soak's mix: requests an attacker would send, with or without a token.
// Each must be refused with its code and status, quickly, while the rest of the load goes on; any
// other answer is an anomaly (and fails the run). The kinds take turns, so a run that sends as
// many hostile requests as there are kinds sends each kind at least once.
import { connect } from 'node:net';
import { request } from 'undici';
import { SOAK_NAMESPACE } from '../soak-simulator.mjs';
import { anomaly, increment, sample } from './stats.mjs';

const REQUEST_TIMEOUT_MS = 15_000;

/** The soak gateway's HTTP_HEADERS_TIMEOUT_MS: a client that never finishes its headers is cut with 408 after it. */
export const SOAK_HEADERS_TIMEOUT_MS = 1000;
/** The soak gateway's HTTP_REQUEST_TIMEOUT_MS: a body that stops arriving is cut with 408 after it. */
export const SOAK_REQUEST_TIMEOUT_MS = 2000;

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
    '{"query":"query($r: [RepositoryRef!]!) { repositories(refs: $r) { name } }",' +
      `"variables":{"r":${'['.repeat(5000)}1${']'.repeat(5000)}}}`,
    false,
    400,
    'OPERATION_TOO_EXPENSIVE',
  ],
  [
    'default refs used twice',
    JSON.stringify({
      query:
        `query($r: [RepositoryRef!]! = [${fiftyRefs}]) { a: repositories(refs: $r) { syncJobs { totalCount } } ` +
        'b: repositories(refs: $r) { syncJobs(order: ASC) { totalCount } } }',
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

// Kinds that are not a GraphQL POST (and send no token): [name, run(context, name)].
const OTHER_KINDS = [
  ['GraphiQL, identity encoding', (context, name) => runGraphiQL(context, name, 'identity')],
  ['GraphiQL, brotli', (context, name) => runGraphiQL(context, name, 'gzip, deflate, br')],
  // Headers that never end, and a body that stops: Node's timeouts cut both with 408 and close the socket.
  ['slow headers', (context, name) => runSlowSocket(context, name, 'GET /healthz HTTP/1.1\r\nHost: soak\r\nX-Slow: ')],
  [
    'slow body',
    (context, name) =>
      runSlowSocket(
        context,
        name,
        'POST /graphql HTTP/1.1\r\nHost: soak\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query":',
      ),
  ],
];

const KINDS = [...HOSTILE.map(([name]) => name), ...OTHER_KINDS.map(([name]) => name)];
let nextKind = 0;

/** Use as a soak shape: one hostile request, its answer checked. */
export async function runHostile(context, tenant) {
  const kind = nextKind;
  nextKind = (nextKind + 1) % KINDS.length;
  increment(context.stats.hostile, KINDS[kind]);
  context.stats.operations += 1;
  if (kind >= HOSTILE.length) {
    const [name, run] = OTHER_KINDS[kind - HOSTILE.length];
    return run(context, name);
  }
  const [name, body, withToken, status, code] = HOSTILE[kind];
  const { stats, agent, url, signal } = context;
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
    transportError(stats, name, error);
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
      `hostile ${name}: expected HTTP ${status} ${JSON.stringify(expected)}, ` +
        `got HTTP ${response.statusCode} ${JSON.stringify(codes)}: ${text.slice(0, 200)}`,
    );
  }
}

function transportError(stats, name, error) {
  const kind = error?.code ?? error?.name ?? 'Error';
  stats.transportErrors += 1;
  increment(stats.transportErrorKinds, kind);
  sample(stats.samples.transportErrors, `hostile ${name}: ${kind}: ${error?.message ?? error}`);
}

/** GraphiQL as a browser opens it: the page, then its script (about 5 MB as it is, about 1 MB as brotli). */
async function runGraphiQL(context, name, acceptEncoding) {
  const { stats, agent, url, signal } = context;
  const get = async (target) => {
    const response = await request(target, {
      dispatcher: agent,
      headers: { accept: 'text/html,application/xhtml+xml', 'accept-encoding': acceptEncoding },
      signal,
      headersTimeout: REQUEST_TIMEOUT_MS,
      bodyTimeout: REQUEST_TIMEOUT_MS,
    });
    const body = Buffer.from(await response.body.arrayBuffer());
    return { status: response.statusCode, headers: response.headers, body };
  };
  try {
    const page = await get(url);
    const script = /\/graphql\/assets\/graphiql[\w.-]*\.js/.exec(page.body.toString('utf8'))?.[0];
    if (page.status !== 200 || !String(page.headers['content-type']).startsWith('text/html') || !script) {
      anomaly(stats, `hostile ${name}: the page: HTTP ${page.status} ${page.headers['content-type']}, script ${script}`);
      return;
    }
    const asset = await get(new URL(script, url));
    const encoding = asset.headers['content-encoding'] ?? 'identity';
    const expected = acceptEncoding === 'identity' ? 'identity' : 'br';
    const length = Number(asset.headers['content-length']);
    if (
      asset.status !== 200 ||
      encoding !== expected ||
      length !== asset.body.length ||
      !/immutable/.test(asset.headers['cache-control'])
    ) {
      anomaly(
        stats,
        `hostile ${name}: the script: HTTP ${asset.status}, encoding ${encoding} (expected ${expected}), ` +
          `content-length ${length} for ${asset.body.length} bytes, cache-control ${asset.headers['cache-control']}`,
      );
    }
  } catch (error) {
    transportError(stats, name, error);
  }
}

/**
 * A client that sends `head` and then nothing more, holding its socket: the gateway must answer
 * 408 and close it within its timeout (plus Node's one-second check), while the load goes on.
 */
function runSlowSocket(context, name, head) {
  const { stats, url, signal } = context;
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let received = '';
    let settled = false;
    const finish = (problem) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (problem) anomaly(stats, `hostile ${name}: ${problem}`);
      resolve();
    };
    // The soak ending (the drain) is not the gateway's failure.
    const onAbort = () => finish(null);
    signal.addEventListener('abort', onAbort, { once: true });
    const deadline = setTimeout(
      () => finish(`no answer within ${REQUEST_TIMEOUT_MS} ms (got ${JSON.stringify(received.slice(0, 80))})`),
      REQUEST_TIMEOUT_MS,
    );
    socket.setEncoding('latin1');
    socket.on('connect', () => socket.write(head));
    socket.on('data', (chunk) => (received += chunk));
    socket.on('error', (error) => {
      if (!settled) transportError(stats, name, error);
      finish(null);
    });
    socket.on('close', () => {
      const status = /^HTTP\/1\.1 (\d{3})/.exec(received)?.[1];
      finish(status === '408' ? null : `expected HTTP 408 and the socket closed, got ${JSON.stringify(received.slice(0, 80))}`);
    });
  });
}
