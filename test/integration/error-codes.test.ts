import { readFileSync } from 'node:fs';
import type { Plugin } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTenantData } from '../../src/simulator/index.js';
import { JOB_CHANGES, subscribeSse } from '../support/live.js';
import { startStack, type Stack } from '../support/stack.js';
import { overrunSubscriber } from '../support/websocket.js';

// Every refusal a client can meet, walked one by one: each answer's errors must all carry a code,
// the codes and the status must be the expected ones, and the codes seen must be exactly the
// README's table (so the table lists every code a client can see, and nothing else).

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = README.slice(README.indexOf('\n## Errors\n'), README.indexOf('\n## Tokens\n'));
const documentedCodes = new Set([...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((match) => match[1]));

const repositories = {
  nginx: 47,
  failing: 1,
  forbidden: 1,
  refused: 1,
  limited: 1,
  unauthorized: 1,
  garbled: 1,
  reset: 1,
  stuck: 1,
  'stuck-too': 1,
  queued: 1,
};
const data = { tenants: [createTenantData({ domainId: 'd', domainName: 'tenant', namespaces: { demo: repositories }, idBase: 1 })] };
// A bug of ours, on request: what must come out masked.
const bug: Plugin = {
  onExecute({ args }) {
    if ((args.contextValue as { request: Request }).request.headers.get('x-test-bug') === '1')
      throw new TypeError('secret internals at /srv/app.js:42');
  },
};

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    data,
    plugins: [bug],
    env: {
      SWR_TIMEOUT_MS: '400',
      SWR_RETRIES: '0',
      SWR_CONNECTIONS: '2',
      SWR_QUEUE_TIMEOUT_MS: '150',
      MAX_UPSTREAM_CALLS: '5',
      MAX_DEPTH: '6',
      MAX_ALIASES: '8',
      MAX_TOKENS: '300',
    },
  });
  stack.simulator.addFault({ repository: 'failing', status: 503 });
  stack.simulator.addFault({ repository: 'forbidden', status: 403 });
  stack.simulator.addFault({ repository: 'refused', status: 400 });
  stack.simulator.addFault({ repository: 'limited', status: 429 });
  stack.simulator.addFault({ repository: 'unauthorized', status: 401, errorShape: 'old' });
  stack.simulator.addFault({ repository: 'garbled', malformedBody: true });
  stack.simulator.addFault({ repository: 'reset', reset: true });
  stack.simulator.addFault({ repository: 'stuck', hang: true });
  stack.simulator.addFault({ repository: 'stuck-too', hang: true });
});
afterAll(() => stack.close());
// The faults are for the whole walk (useStack would clear them before each case).

interface Case {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  query?: string;
  search?: string;
  /** Send the body as a stream: chunked, without Content-Length. */
  stream?: boolean;
}

const page = (name: string) =>
  `${name.replace(/\W/g, '_')}: repository(namespace: "demo", name: "${name}") { syncJobs(first: 1) { totalCount } }`;
const json = (value: unknown) => JSON.stringify(value);

const cases: Array<[string, Case, number, string[]]> = [
  ['invalid JSON', { body: '{"query": ' }, 400, ['BAD_REQUEST']],
  ['a JSON scalar', { body: '"{ __typename }"' }, 400, ['BAD_REQUEST']],
  ['no query', { body: json({ variables: {} }) }, 400, ['BAD_REQUEST']],
  ['a batch', { body: json([{ query: '{ __typename }' }]) }, 400, ['BAD_REQUEST']],
  ['PUT', { method: 'PUT', body: json({ query: '{ __typename }' }) }, 405, ['BAD_REQUEST']],
  ['a mutation over GET', { method: 'GET', search: `?query=${encodeURIComponent('mutation { x }')}` }, 405, ['BAD_REQUEST']],
  [
    'an Accept the gateway cannot answer',
    { headers: { accept: 'application/xml' }, body: json({ query: '{ __typename }' }) },
    406,
    ['BAD_REQUEST'],
  ],
  ['a streamed body without Content-Length', { stream: true, body: json({ query: '{ __typename }' }) }, 411, ['BAD_REQUEST']],
  ['a body over MAX_BODY_BYTES', { body: json({ query: `{ __typename } #${'x'.repeat(1_100_000)}` }) }, 413, ['BAD_REQUEST']],
  ['multipart', { headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: '--x--' }, 415, ['BAD_REQUEST']],
  ['text/plain', { headers: { 'content-type': 'text/plain' }, body: '{ __typename }' }, 415, ['BAD_REQUEST']],
  [
    'an automatic persisted query the gateway does not know',
    { body: json({ extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } }) },
    200,
    ['PERSISTED_QUERY_NOT_FOUND'],
  ],
  [
    'a text with a hash that is not its own',
    { body: json({ query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: 'b'.repeat(64) } } }) },
    400,
    ['BAD_REQUEST'],
  ],
  ['a syntax error', { query: '{ repository(' }, 400, ['GRAPHQL_PARSE_FAILED']],
  ['an unknown field', { query: '{ nope }' }, 400, ['GRAPHQL_VALIDATION_FAILED']],
  ['a mutation', { query: 'mutation { x }' }, 400, ['GRAPHQL_VALIDATION_FAILED']],
  [
    'an invalid subscription over GET',
    { method: 'GET', search: `?query=${encodeURIComponent('subscription { x }')}` },
    400,
    ['GRAPHQL_VALIDATION_FAILED'],
  ],
  [
    'a valid subscription over GET without Accept: text/event-stream',
    {
      method: 'GET',
      search: `?query=${encodeURIComponent('subscription { syncJobChanged(namespace: "demo", name: "nginx") { kind } }')}`,
    },
    406,
    ['BAD_REQUEST'],
  ],
  [
    'an operation name that is not a string',
    { body: json({ query: '{ __typename }', operationName: 5 }) },
    400,
    ['OPERATION_RESOLUTION_FAILURE'],
  ],
  [
    'GET variables that are not JSON',
    { method: 'GET', search: `?query=${encodeURIComponent('{ __typename }')}&variables=%7B` },
    400,
    ['BAD_REQUEST'],
  ],
  [
    'an unknown operation name',
    { body: json({ query: 'query A { __typename }', operationName: 'B' }) },
    400,
    ['OPERATION_RESOLUTION_FAILURE'],
  ],
  ['too many tokens', { query: `{ ${'__typename '.repeat(300)}}` }, 400, ['OPERATION_TOO_EXPENSIVE']],
  [
    'too deep',
    { query: '{ repository(namespace: "demo", name: "nginx") { syncJobs { nodes { repository { syncJobs { nodes { id } } } } } } }' },
    400,
    ['OPERATION_TOO_EXPENSIVE'],
  ],
  [
    'too many aliases',
    {
      query: `{ ${Array.from({ length: 9 }, (_, index) => `a${index}: repository(namespace: "demo", name: "nginx") { name }`).join(' ')} }`,
    },
    400,
    ['OPERATION_TOO_EXPENSIVE'],
  ],
  ['nested too deep', { query: `{ repositories(refs: ${'['.repeat(100)}${']'.repeat(100)}) { name } }` }, 400, ['OPERATION_TOO_EXPENSIVE']],
  [
    'over the call budget',
    {
      query:
        `{ repositories(refs: [${Array.from({ length: 6 }, (_, index) => `{ namespace: "demo", name: "r${index}" }`).join(', ')}]) ` +
        '{ syncJobs { totalCount } } }',
    },
    // Nothing ran: 400 for application/graphql-response+json (GraphQL over HTTP), 200 for application/json.
    400,
    ['OPERATION_TOO_EXPENSIVE'],
  ],
  [
    'over the call budget, asked for as application/json',
    {
      query:
        `{ repositories(refs: [${Array.from({ length: 6 }, (_, index) => `{ namespace: "demo", name: "r${index}" }`).join(', ')}]) ` +
        '{ syncJobs { totalCount } } }',
      headers: { accept: 'application/json' },
    },
    200,
    ['OPERATION_TOO_EXPENSIVE'],
  ],
  [
    'a variable of the wrong type',
    {
      body: json({
        query: 'query($n: Int) { repository(namespace: "demo", name: "nginx") { syncJobs(first: $n) { totalCount } } }',
        variables: { n: 'three' },
      }),
    },
    400,
    ['BAD_USER_INPUT'],
  ],
  [
    'an invalid name and a bad cursor',
    {
      query:
        '{ a: repository(namespace: "Demo", name: "nginx") { name } ' +
        'b: repository(namespace: "demo", name: "nginx") { syncJobs(after: "nonsense") { totalCount } } }',
    },
    200,
    ['BAD_USER_INPUT'],
  ],
  ['no token', { headers: { 'x-auth-token': '' }, query: `{ ${page('nginx')} }` }, 200, ['UNAUTHENTICATED']],
  ['SWR refusing the token', { query: `{ ${page('unauthorized')} }` }, 200, ['UNAUTHENTICATED']],
  [
    'SWR failing in every other way',
    { query: `{ ${['failing', 'forbidden', 'refused', 'limited', 'garbled'].map(page).join(' ')} }` },
    200,
    ['FORBIDDEN', 'UPSTREAM_BAD_REQUEST', 'UPSTREAM_BAD_RESPONSE', 'UPSTREAM_ERROR', 'UPSTREAM_RATE_LIMITED'],
  ],
  ['an unknown repository', { query: `{ ${page('nothing-here')} }` }, 200, ['NOT_FOUND']],
  ['SWR resetting the connection', { query: `{ ${page('reset')} }` }, 200, ['UPSTREAM_UNAVAILABLE']],
  // Two calls hang on both connections until SWR_TIMEOUT_MS; the third waits for one in vain.
  [
    'SWR hanging, the pool full',
    { query: `{ ${['stuck', 'stuck-too', 'queued'].map(page).join(' ')} }` },
    200,
    ['UPSTREAM_OVERLOADED', 'UPSTREAM_TIMEOUT'],
  ],
  ['a bug of ours', { headers: { 'x-test-bug': '1' }, query: '{ __typename }' }, 500, ['INTERNAL_SERVER_ERROR']],
];

const seen = new Set<string>();

function streamed(body: string, stream: boolean): BodyInit {
  if (!stream) return body;
  return new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(body));
      controller.close();
    },
  });
}

describe('every refusal carries a code', () => {
  it.each(cases)('%s', async (_name, request, status, codes) => {
    const method = request.method ?? 'POST';
    const response = await fetch(`${stack.url}${request.search ?? ''}`, {
      method,
      headers: {
        accept: 'application/graphql-response+json, application/json',
        'x-auth-token': 'token',
        ...(method === 'GET' ? {} : { 'content-type': 'application/json' }),
        ...request.headers,
      },
      ...(method === 'GET' ? {} : { body: streamed(request.body ?? json({ query: request.query }), request.stream === true) }),
      ...(request.stream ? { duplex: 'half' } : {}),
    });
    const text = await response.text();
    const body = JSON.parse(text) as { errors?: Array<{ message: string; extensions?: { code?: unknown } }> };
    expect(response.status).toBe(status);
    expect(body.errors?.length).toBeGreaterThan(0);
    for (const error of body.errors ?? [])
      expect(error.extensions?.code, `no code on ${JSON.stringify(error)}`).toEqual(expect.any(String));
    const got = [...new Set(body.errors!.map((error) => String(error.extensions!.code)))].sort();
    expect(got).toEqual(codes);
    for (const code of got) seen.add(code);
    expect(text).not.toMatch(/secret|\/srv\/|at \w+ \(|originalError/);
  });

  // Live updates: the codes only a subscription meets.
  // (Each on a gateway of its own: this one's limits are low, and it must not shut down.)
  it('a subscriber too slow to read its events', async () => {
    const live = await startStack({ env: { WATCH_INTERVAL_MS: '100' } });
    const messages = await overrunSubscriber(live.url, { namespace: 'demo', name: 'nginx' }, async () => {
      await vi.waitFor(() => expect(live.app.live.subscribers).toBe(1));
      await vi.waitFor(() => expect(live.simulator.requests.length).toBeGreaterThan(1));
      live.simulator.createJobs({ namespace: 'demo', repository: 'nginx', count: 900 });
      await vi.waitFor(() => expect(live.app.live.subscribers).toBe(0), { timeout: 20_000 });
    });
    await live.close();
    const errors = messages.at(-2).payload.errors as Array<{ extensions: { code: string } }>;
    expect(errors.map((error) => error.extensions.code)).toEqual(['SUBSCRIBER_TOO_SLOW']);
    seen.add('SUBSCRIBER_TOO_SLOW');
  });

  it('a subscription while the gateway shuts down', async () => {
    const closing = await startStack({ env: { WATCH_INTERVAL_MS: '100' } });
    const shutdown = closing.app.shutdown(5000, 500);
    const late = await subscribeSse(closing.url, JOB_CHANGES, { variables: { namespace: 'demo', name: 'redis' } });
    await late.ended;
    await shutdown;
    await closing.simulator.close();
    expect(late.results[0]?.errors?.map((error) => error.extensions?.code)).toEqual(['SHUTTING_DOWN']);
    seen.add('SHUTTING_DOWN');
  });

  it('a text where only persisted documents run', async () => {
    const trusted = await startStack({
      env: {
        PERSISTED_DOCUMENTS: new URL('../../examples/relay/persisted-queries.json', import.meta.url).pathname,
        PERSISTED_DOCUMENTS_ONLY: 'true',
      },
    });
    try {
      const answer = await trusted.query('{ __typename }');
      expect(answer.status).toBe(400);
      expect(answer.errors?.map((error) => error.extensions?.code)).toEqual(['PERSISTED_QUERY_REQUIRED']);
      seen.add('PERSISTED_QUERY_REQUIRED');
    } finally {
      await trusted.close();
    }
  });

  it('has walked every code of the README’s table, and the table has every code seen', () => {
    expect(seen.size).toBeGreaterThan(0);
    expect([...seen].sort()).toEqual([...documentedCodes].sort());
  });
});
