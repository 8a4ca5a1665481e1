import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Plugin } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { createLogger } from '../../src/observability/logger.js';
import { createTenantData } from '../../src/simulator/index.js';
import { startStack, type Stack } from '../support/stack.js';

// Two speed-ups must not change a single byte of any answer:
// - the HTTP server reads and parses a JSON body itself and hands it to Yoga's Node adapter
//   already parsed (`req.body`), or as a fetch Request over the bytes read;
// - operations run compiled by graphql-jit instead of the general executor.
// Each request goes through three servers in front of the same simulator: the gateway as it runs
// (its HTTP server, compiled execution), the same Yoga instance behind a bare Node server that
// leaves the body to the adapter, and a gateway with the general executor (GRAPHQL_JIT=false)
// behind its own HTTP server. Status, headers and body must be the same, and the gateway must
// really have taken the path each case claims (recorded by a plugin: a pre-parsed request has no
// body stream).

let stack: Stack;
let gatewayPort: number;
let adapterPort: number;
let generalPort: number;
const servers: Array<{ close(): Promise<void> }> = [];
// How Yoga received the body of each case, by its X-Case header.
const bodies = new Map<string, 'pre-parsed' | 'stream'>();
const recordBody: Plugin = {
  onRequest({ request }) {
    const name = request.headers.get('x-case');
    // The gateway's server is asked first; the bare adapter server, behind the same Yoga instance, after it.
    if (name && request.method === 'POST' && !bodies.has(name)) bodies.set(name, request.body === null ? 'pre-parsed' : 'stream');
  },
};

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  const namespaces = { demo: { nginx: 47, redis: 12, 'team/api': 8, uncounted: 5 } };
  const data = { tenants: [createTenantData({ domainId: 'd', domainName: 'tenant', namespaces, idBase: 100_000 })] };
  const env = { MAX_TOKENS: '400', MAX_ALIASES: '5', MAX_UPSTREAM_CALLS: '6' };
  stack = await startStack({ data, env, plugins: [recordBody] });
  gatewayPort = Number(new URL(stack.url).port);
  const bare = createServer((req, res) => void stack.app.gateway(req, res));
  adapterPort = await listen(bare);
  servers.push({
    close: () =>
      new Promise<void>((resolve) => {
        bare.closeAllConnections();
        bare.close(() => resolve());
      }),
  });
  const general = createApp({
    config: { ...stack.config, graphqlJit: false },
    endpoint: stack.simulator.url,
    logger: createLogger('silent'),
  });
  generalPort = (await general.listen(0, '127.0.0.1')).port;
  servers.push({ close: () => general.shutdown(0) });
  // Upstream failures answered the same way every time, for every server.
  stack.simulator.addFault({ repository: 'failing', status: 500 });
  stack.simulator.addFault({ repository: 'garbled', malformedBody: true });
  stack.simulator.addFault({ repository: 'forbidden', status: 403, errorShape: 'old' });
  stack.simulator.addFault({ repository: 'shapeless', wrongShapeBody: true });
  stack.simulator.addFault({ repository: 'uncounted', noContentRange: true });
});

afterAll(async () => {
  for (const server of servers) await server.close();
  await stack.close();
});

interface Exchange {
  status: number;
  statusMessage: string;
  headers: Record<string, string>;
  body: string;
}

// Raw node:http, so that every header and byte is seen as sent (fetch would add and normalise).
function send(port: number, name: string, method: string, headers: Record<string, string>, body?: string): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/graphql', method, headers: { ...headers, 'x-case': name } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          statusMessage: res.statusMessage ?? '',
          headers: Object.fromEntries(Object.entries(res.headers).map(([key, value]) => [key, String(value)])),
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

// What may differ between two answers to the same request: the date, the fresh request id, the
// simulator's request ids and measured durations in the upstream report (and so the length).
function comparable(exchange: Exchange) {
  const { date: _date, 'x-request-id': requestId, 'content-length': length, ...headers } = exchange.headers;
  return {
    status: exchange.status,
    statusMessage: exchange.statusMessage,
    headers,
    hasRequestId: typeof requestId === 'string' && requestId.length > 0,
    lengthTrue: length === undefined || Number(length) === Buffer.byteLength(exchange.body),
    body: exchange.body.replace(/"durationMs":[0-9.e+-]+/g, '"durationMs":0').replace(/"requestId":"[0-9a-f]+"/g, '"requestId":"…"'),
  };
}

const JOB_FIELDS =
  'id status tag namespace repoName remoteRegionId remoteNamespace override domainId domainName ' +
  'syncOperatorId syncOperatorName createdAt updatedAt';
const json = { 'content-type': 'application/json', 'x-auth-token': 'token-demo' };
const body = (params: unknown) => JSON.stringify(params);

// [name, headers, body, how Yoga gets the body from the gateway's server: parsed already, or as a stream to read]
type Path = 'pre-parsed' | 'stream';
const cases: Array<[string, Record<string, string>, string, Path]> = [
  [
    'one page',
    json,
    body({
      query:
        `{ repository(namespace: "demo", name: "nginx") { syncJobs(first: 20) { totalCount edges { cursor node { ${JOB_FIELDS} } } ` +
        'pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }',
    }),
    'pre-parsed',
  ],
  [
    'variables and operation name',
    json,
    body({
      query:
        'query A($n: Int) { repository(namespace: "demo", name: "redis") { syncJobs(first: $n, order: ASC) { nodes { id } } } } ' +
        'query B { __typename }',
      variables: { n: 3 },
      operationName: 'A',
    }),
    'pre-parsed',
  ],
  [
    'backward page',
    json,
    body({
      query:
        '{ repository(namespace: "demo", name: "nginx") { syncJobs(last: 2) { nodes { id } pageInfo { hasPreviousPage startCursor } } } }',
    }),
    'pre-parsed',
  ],
  [
    'dashboard of refs',
    json,
    body({
      query:
        '{ repositories(refs: [{namespace: "demo", name: "nginx"}, {namespace: "demo", name: "redis"}, ' +
        '{namespace: "demo", name: "nginx"}]) { name syncJobs(first: 2) { totalCount } } }',
    }),
    'pre-parsed',
  ],
  [
    'entities',
    json,
    body({
      query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Repository { name syncJobs(first: 1) { totalCount } } } }',
      variables: { r: [{ __typename: 'Repository', namespace: 'demo', name: 'redis' }] },
    }),
    'pre-parsed',
  ],
  [
    'upstream debug report',
    { ...json, 'x-debug-upstream': '1' },
    body({ query: '{ repository(namespace: "demo", name: "redis") { syncJobs(first: 2) { totalCount } } }' }),
    'pre-parsed',
  ],
  [
    'no token',
    { 'content-type': 'application/json' },
    body({ query: '{ repository(namespace: "demo", name: "redis") { syncJobs { totalCount } } }' }),
    'pre-parsed',
  ],
  [
    'bearer token',
    { 'content-type': 'application/json', authorization: 'Bearer token-demo' },
    body({ query: '{ repository(namespace: "demo", name: "redis") { syncJobs(first: 1) { totalCount } } }' }),
    'pre-parsed',
  ],
  [
    'malformed token',
    { 'content-type': 'application/json', 'x-auth-token': 'tok\ten' },
    body({ query: '{ repository(namespace: "demo", name: "redis") { syncJobs(first: 1) { totalCount } } }' }),
    'pre-parsed',
  ],
  [
    'bad cursor',
    json,
    body({ query: '{ repository(namespace: "demo", name: "nginx") { syncJobs(after: "nonsense") { totalCount } } }' }),
    'pre-parsed',
  ],
  [
    'page too large',
    json,
    body({ query: '{ repository(namespace: "demo", name: "nginx") { syncJobs(first: 100000) { totalCount } } }' }),
    'pre-parsed',
  ],
  [
    'invalid repository name',
    json,
    body({ query: '{ repository(namespace: "demo", name: "../x") { syncJobs(first: 1) { totalCount } } }' }),
    'pre-parsed',
  ],
  [
    'upstream 500',
    json,
    body({ query: '{ repository(namespace: "demo", name: "failing") { syncJobs(first: 1) { totalCount } } }' }),
    'pre-parsed',
  ],
  [
    'upstream 403',
    json,
    body({ query: '{ repository(namespace: "demo", name: "forbidden") { syncJobs(first: 1) { totalCount } } }' }),
    'pre-parsed',
  ],
  [
    'upstream garbled',
    json,
    body({ query: '{ repository(namespace: "demo", name: "garbled") { syncJobs(first: 1) { totalCount } } }' }),
    'pre-parsed',
  ],
  [
    'unknown repository',
    json,
    body({ query: '{ repository(namespace: "demo", name: "nothing-here") { syncJobs(first: 1) { totalCount } } }' }),
    'pre-parsed',
  ],
  [
    'fragments and directives',
    json,
    body({
      query:
        'query($skip: Boolean!, $inc: Boolean!) { repository(namespace: "demo", name: "redis") ' +
        '{ ...R n: name @skip(if: $skip) syncJobs(first: 2) @include(if: $inc) { nodes { id ... on SyncJob { tag } ...J } } } } ' +
        'fragment R on Repository { namespace __typename } fragment J on SyncJob { status createdAt }',
      variables: { skip: true, inc: true },
    }),
    'pre-parsed',
  ],
  [
    'enum, list and default variables',
    json,
    body({
      query:
        'query($o: SortOrder, $refs: [RepositoryRef!]!, $n: Int = 2) { repositories(refs: $refs) ' +
        '{ name syncJobs(first: $n, order: $o) { nodes { id } pageInfo { endCursor } } } }',
      variables: {
        o: 'ASC',
        refs: [
          { namespace: 'demo', name: 'redis' },
          { namespace: 'demo', name: 'team/api' },
        ],
      },
    }),
    'pre-parsed',
  ],
  [
    'enum variable out of range',
    json,
    body({
      query: 'query($o: SortOrder) { repository(namespace: "demo", name: "redis") { syncJobs(first: 1, order: $o) { totalCount } } }',
      variables: { o: 'SIDEWAYS' },
    }),
    'pre-parsed',
  ],
  [
    'partial list',
    json,
    body({
      query:
        '{ repositories(refs: [{namespace: "demo", name: "nginx"}, {namespace: "demo", name: "../x"}, ' +
        '{namespace: "demo", name: "failing"}]) { name syncJobs(first: 1) { totalCount nodes { id } } } }',
    }),
    'pre-parsed',
  ],
  [
    'entities with a bad representation',
    json,
    body({
      query:
        'query($r: [_Any!]!) { _entities(representations: $r) ' +
        '{ __typename ... on Repository { name syncJobs(first: 1) { totalCount } } } }',
      variables: {
        r: [
          { __typename: 'Repository', namespace: 'demo', name: 'redis' },
          { __typename: 'Repository', namespace: 'demo', name: '../x' },
          { __typename: 'Nope', id: 1 },
        ],
      },
    }),
    'pre-parsed',
  ],
  [
    'entities with names that are not strings',
    json,
    body({
      query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Repository { namespace name } } }',
      variables: {
        r: [
          { __typename: 'Repository', namespace: ['demo'], name: 'redis' },
          { __typename: 'Repository', namespace: 'demo', name: 5 },
          { __typename: 'Repository', namespace: 'demo', name: 'redis' },
        ],
      },
    }),
    'pre-parsed',
  ],
  ['service sdl', json, body({ query: '{ _service { sdl } }' }), 'pre-parsed'],
  [
    'upstream wrong shape',
    json,
    body({ query: '{ repository(namespace: "demo", name: "shapeless") { syncJobs(first: 1) { totalCount } } }' }),
    'pre-parsed',
  ],
  [
    'upstream without Content-Range',
    json,
    body({ query: '{ repository(namespace: "demo", name: "uncounted") { syncJobs(first: 1) { totalCount pageInfo { hasNextPage } } } }' }),
    'pre-parsed',
  ],
  [
    'error located across CRLF and CR lines',
    json,
    body({
      query:
        '{\r\n  a: repository(namespace: "demo", name: "failing") {\r    syncJobs(first: 1) { totalCount }\n  }\r\n' +
        '  b: repository(namespace: "demo", name: "x..y") { syncJobs { totalCount } }\n}',
    }),
    'pre-parsed',
  ],
  ['syntax error', json, body({ query: '{ repository(' }), 'pre-parsed'],
  ['validation error', json, body({ query: '{ nope }' }), 'pre-parsed'],
  ['too many tokens', json, body({ query: `{ ${'__typename '.repeat(500)}}` }), 'pre-parsed'],
  [
    'too many aliases',
    json,
    body({
      query: `{ ${'abcdefg'
        .split('')
        .map((a) => `${a}: repository(namespace: "demo", name: "redis") { name }`)
        .join(' ')} }`,
    }),
    'pre-parsed',
  ],
  [
    'over the upstream budget',
    json,
    body({
      query: `{ ${Array.from(
        { length: 4 },
        (_, i) =>
          `r${i}: repositories(refs: [{namespace: "demo", name: "nginx${i}a"}, {namespace: "demo", name: "nginx${i}b"}]) ` +
          '{ syncJobs(first: 1) { totalCount } }',
      ).join(' ')} }`,
    }),
    'pre-parsed',
  ],
  [
    'missing variable',
    json,
    body({ query: 'query($n: Int!) { repository(namespace: "demo", name: "redis") { syncJobs(first: $n) { totalCount } } }' }),
    'pre-parsed',
  ],
  [
    'variable of the wrong type',
    json,
    body({
      query: 'query($n: Int) { repository(namespace: "demo", name: "redis") { syncJobs(first: $n) { totalCount } } }',
      variables: { n: 'three' },
    }),
    'pre-parsed',
  ],
  ['unknown operation name', json, body({ query: 'query A { __typename }', operationName: 'B' }), 'pre-parsed'],
  ['two operations, no name', json, body({ query: 'query A { __typename } query B { __typename }' }), 'pre-parsed'],
  ['mutation', json, body({ query: 'mutation { x }' }), 'pre-parsed'],
  ['subscription', json, body({ query: 'subscription { x }' }), 'pre-parsed'],
  ['introspection', json, body({ query: '{ __schema { queryType { name } } __type(name: "SyncJob") { fields { name } } }' }), 'pre-parsed'],
  ['empty query', json, body({ query: '' }), 'pre-parsed'],
  ['extensions object', json, body({ query: '{ __typename }', extensions: { persistedQuery: null } }), 'pre-parsed'],
  [
    'null members',
    json,
    body({ query: '{ __typename }', variables: null, operationName: null, extensions: null, other: null }),
    'pre-parsed',
  ],
  [
    'charset in content type',
    { ...json, 'content-type': 'application/json; charset=utf-8' },
    body({ query: '{ __typename }' }),
    'pre-parsed',
  ],
  ['accept graphql-response+json', { ...json, accept: 'application/graphql-response+json' }, body({ query: '{ nope }' }), 'pre-parsed'],
  ['accept application/json', { ...json, accept: 'application/json' }, body({ query: '{ nope }' }), 'pre-parsed'],
  [
    'accept both',
    { ...json, accept: 'application/graphql-response+json, application/json;q=0.9' },
    body({ query: '{ repository(namespace: "demo", name: "redis") { syncJobs(first: 1) { totalCount } } }' }),
    'pre-parsed',
  ],
  ['accept anything', { ...json, accept: '*/*' }, body({ query: '{ nope }' }), 'pre-parsed'],
  ['accept nothing we serve', { ...json, accept: 'application/xml' }, body({ query: '{ __typename }' }), 'pre-parsed'],
  ['accept event stream', { ...json, accept: 'text/event-stream' }, body({ query: '{ __typename }' }), 'pre-parsed'],
  ['accept multipart', { ...json, accept: 'multipart/mixed' }, body({ query: '{ __typename }' }), 'pre-parsed'],
  [
    'cross-origin',
    { ...json, origin: 'https://app.example' },
    body({ query: '{ repository(namespace: "demo", name: "redis") { syncJobs(first: 1) { totalCount } } }' }),
    'pre-parsed',
  ],
  ['request id echoed', { ...json, 'x-request-id': 'abc-123' }, body({ query: '{ __typename }' }), 'pre-parsed'],
  ['invalid JSON', json, '{"query": ', 'stream'],
  ['JSON null', json, 'null', 'stream'],
  ['JSON string', json, '"{ __typename }"', 'stream'],
  ['batch', json, body([{ query: '{ __typename }' }]), 'stream'],
  ['large batch', json, body(Array.from({ length: 20_000 }, () => ({ query: '{ __typename }' }))), 'stream'],
  ['unknown parameter', json, body({ query: '{ __typename }', foo: 1 }), 'pre-parsed'],
  ['query not a string', json, body({ query: 1 }), 'pre-parsed'],
  ['no query', json, body({ variables: {} }), 'pre-parsed'],
  ['variables an array', json, body({ query: '{ __typename }', variables: [] }), 'pre-parsed'],
  ['operation name a number', json, body({ query: '{ __typename }', operationName: 1 }), 'pre-parsed'],
  ['extensions a string', json, body({ query: '{ __typename }', extensions: 'x' }), 'pre-parsed'],
  ['byte order mark', json, '\ufeff' + body({ query: '{ __typename }' }), 'stream'],
  ['graphql+json media type', { ...json, 'content-type': 'application/graphql+json' }, body({ query: '{ __typename }' }), 'stream'],
  ['plain text body', { ...json, 'content-type': 'text/plain' }, body({ query: '{ __typename }' }), 'stream'],
  ['form body', { ...json, 'content-type': 'application/x-www-form-urlencoded' }, 'query=%7B__typename%7D', 'stream'],
];

// What some answers must contain (anywhere in status, headers or body), lest equality be empty.
const shows: Record<string, string> = {
  'one page': '\\"totalCount\\":47',
  entities: '\\"_entities\\":[{\\"name\\":\\"redis\\"',
  'upstream debug report': '\\"upstream\\":{\\"calls\\":1',
  'no token': 'UNAUTHENTICATED',
  'upstream 500': 'HTTP 500',
  'upstream garbled': 'UPSTREAM_BAD_RESPONSE',
  'too many tokens': 'MAX_TOKENS',
  'too many aliases': 'MAX_ALIASES',
  'over the upstream budget': 'MAX_UPSTREAM_CALLS',
  'accept graphql-response+json': '"status":400',
  'accept nothing we serve': '"status":406',
  'accept event stream': 'event: next',
  'accept multipart': 'multipart/mixed',
  'cross-origin': '"access-control-allow-origin":"https://app.example"',
  batch: 'Batching is not supported',
  'large batch': 'Batching is not supported',
  'entities with names that are not strings': '\\"_entities\\":[null,null,{\\"namespace\\":\\"demo\\",\\"name\\":\\"redis\\"}]',
  'fragments and directives': '\\"namespace\\":\\"demo\\",\\"__typename\\":\\"Repository\\",\\"syncJobs\\"',
  'enum variable out of range': 'SIDEWAYS',
  'partial list': 'HTTP 500',
  'error located across CRLF and CR lines': '\\"locations\\":[{\\"line\\":3,\\"column\\":5}]',
  'entities with a bad representation':
    '\\"_entities\\":[{\\"__typename\\":\\"Repository\\",\\"name\\":\\"redis\\",\\"syncJobs\\":{\\"totalCount\\":12}},null,null]',
  'service sdl': '@key(fields:',
  'upstream wrong shape': 'UPSTREAM_BAD_RESPONSE',
  'upstream without Content-Range': '\\"totalCount\\":null',
  'plain text body': '"status":415',
};

describe('the pre-parsed body and compiled execution answer exactly as Yoga’s adapter and the general executor', () => {
  it.each(cases)('%s', async (name, headers, payload, path) => {
    // graphql-jit compiles an operation from its second run: the first warms it, the next are compiled.
    await send(gatewayPort, name, 'POST', headers, payload);
    const served = await send(gatewayPort, name, 'POST', headers, payload);
    const adapter = await send(adapterPort, name, 'POST', headers, payload);
    const general = await send(generalPort, name, 'POST', headers, payload);
    expect(comparable(served)).toEqual(comparable(adapter));
    expect(comparable(served)).toEqual(comparable(general));
    expect(comparable(served)).toMatchObject({ hasRequestId: true, lengthTrue: true });
    // The bare adapter server always hands Yoga a stream; the gateway's server, as the case says.
    expect(bodies.get(name)).toBe(path);
    // Equal answers prove little if all are the same failure: each case also shows what it is about.
    expect(JSON.stringify(served)).toContain(shows[name] ?? '"status":');
  });

  it('echoes a sane X-Request-Id on the pre-parsed path and the adapter', async () => {
    const served = await send(gatewayPort, 'id', 'POST', { ...json, 'x-request-id': 'abc-123' }, body({ query: '{ __typename }' }));
    const adapter = await send(adapterPort, 'id', 'POST', { ...json, 'x-request-id': 'abc-123' }, body({ query: '{ __typename }' }));
    expect([served.headers['x-request-id'], adapter.headers['x-request-id']]).toEqual(['abc-123', 'abc-123']);
  });

  it('leaves GET to the adapter', async () => {
    const path = `/graphql?query=${encodeURIComponent('{ __typename }')}`;
    const get = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port: gatewayPort, path, headers: { accept: 'application/json', 'x-case': 'GET' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      })
        .on('error', reject)
        .end();
    });
    expect(get).toEqual({ status: 200, body: '{"data":{"__typename":"Query"}}' });
  });
});
