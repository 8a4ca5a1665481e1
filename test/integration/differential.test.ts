import type { AddressInfo } from 'node:net';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFastLane, type FastLane } from '../../src/http/fast-lane.js';
import { createHttpServer, type GatewayHttpServer } from '../../src/http/http-server.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { createGateway } from '../../src/graphql/gateway.js';
import { createTenantData } from '../../src/simulator/index.js';
import { startStack, type Stack } from '../support/stack.js';

// Two speed-ups must not change a single byte of any answer:
// - the fast lane serves ordinary JSON POSTs through Yoga's pipeline without WHATWG objects;
// - operations run compiled by graphql-jit instead of the general executor.
// Each request goes through three servers in front of the same simulator: the gateway as it runs
// (lane and compiled execution), the same gateway through Yoga's Node adapter only, and a gateway
// with the general executor (GRAPHQL_JIT=false) through the adapter. Status, headers and body must
// be the same, and the lane must really have served the requests it claims.

let stack: Stack;
let withLane: { http: GatewayHttpServer; port: number; paths: Map<string, string> };
let adapterOnly: { http: GatewayHttpServer; port: number };
let generalExecutor: { http: GatewayHttpServer; port: number };

async function listen(http: GatewayHttpServer): Promise<number> {
  await new Promise<void>((resolve) => http.server.listen(0, '127.0.0.1', resolve));
  return (http.server.address() as AddressInfo).port;
}

beforeAll(async () => {
  const namespaces = { demo: { nginx: 47, redis: 12, 'team/api': 8, uncounted: 5 } };
  const data = { tenants: [createTenantData({ domainId: 'd', domainName: 'tenant', namespaces, idBase: 100_000 })] };
  stack = await startStack({ data, env: { MAX_TOKENS: '400', MAX_ALIASES: '5', MAX_UPSTREAM_CALLS: '6' } });
  const base = { gateway: stack.app.gateway, metrics: stack.app.metrics, maxBodyBytes: stack.config.maxBodyBytes, isReady: () => true };
  const lane = createFastLane(stack.app.gateway, '/graphql', createLogger('silent'));
  // Which path each case took, by its X-Case header.
  const paths = new Map<string, string>();
  const recording: FastLane = {
    accepts: (req) => lane.accepts(req),
    serve: async (req, res) => {
      const path = await lane.serve(req, res);
      paths.set(String(req.headers['x-case']), path);
      return path;
    },
  };
  const laneHttp = createHttpServer({ ...base, fastLane: recording });
  withLane = { http: laneHttp, port: await listen(laneHttp), paths };
  const adapterHttp = createHttpServer(base);
  adapterOnly = { http: adapterHttp, port: await listen(adapterHttp) };
  const general = createGateway({
    config: { ...stack.config, graphqlJit: false },
    client: stack.app.client,
    logger: createLogger('silent'),
    metrics: createMetrics(),
  });
  const generalHttp = createHttpServer({ ...base, gateway: general });
  generalExecutor = { http: generalHttp, port: await listen(generalHttp) };
  // Upstream failures answered the same way every time, for both servers.
  stack.simulator.addFault({ repository: 'failing', status: 500 });
  stack.simulator.addFault({ repository: 'garbled', malformedBody: true });
  stack.simulator.addFault({ repository: 'forbidden', status: 403, errorShape: 'old' });
  stack.simulator.addFault({ repository: 'shapeless', wrongShapeBody: true });
  stack.simulator.addFault({ repository: 'uncounted', noContentRange: true });
});

afterAll(async () => {
  for (const http of [withLane.http, adapterOnly.http, generalExecutor.http]) {
    http.server.closeAllConnections();
    await new Promise((resolve) => http.server.close(resolve));
  }
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

const JOB_FIELDS = 'id status tag namespace repoName remoteRegionId remoteNamespace override domainId domainName syncOperatorId syncOperatorName createdAt updatedAt';
const json = { 'content-type': 'application/json', 'x-auth-token': 'token-demo' };
const body = (params: unknown) => JSON.stringify(params);

// [name, headers, body, the path it takes: the lane, handed by the lane to the adapter, or the adapter alone]
type Path = 'lane' | 'adapter' | undefined;
const cases: Array<[string, Record<string, string>, string, Path]> = [
  ['one page', json, body({ query: `{ repository(namespace: "demo", name: "nginx") { syncJobs(first: 20) { totalCount edges { cursor node { ${JOB_FIELDS} } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }` }), 'lane'],
  ['variables and operation name', json, body({ query: 'query A($n: Int) { repository(namespace: "demo", name: "redis") { syncJobs(first: $n, order: ASC) { nodes { id } } } } query B { __typename }', variables: { n: 3 }, operationName: 'A' }), 'lane'],
  ['backward page', json, body({ query: '{ repository(namespace: "demo", name: "nginx") { syncJobs(last: 2) { nodes { id } pageInfo { hasPreviousPage startCursor } } } }' }), 'lane'],
  ['dashboard of refs', json, body({ query: '{ repositories(refs: [{namespace: "demo", name: "nginx"}, {namespace: "demo", name: "redis"}, {namespace: "demo", name: "nginx"}]) { name syncJobs(first: 2) { totalCount } } }' }), 'lane'],
  ['entities', json, body({ query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Repository { name syncJobs(first: 1) { totalCount } } } }', variables: { r: [{ __typename: 'Repository', namespace: 'demo', name: 'redis' }] } }), 'lane'],
  ['upstream debug report', { ...json, 'x-debug-upstream': '1' }, body({ query: '{ repository(namespace: "demo", name: "redis") { syncJobs(first: 2) { totalCount } } }' }), 'lane'],
  ['no token', { 'content-type': 'application/json' }, body({ query: '{ repository(namespace: "demo", name: "redis") { syncJobs { totalCount } } }' }), 'lane'],
  ['bearer token', { 'content-type': 'application/json', authorization: 'Bearer token-demo' }, body({ query: '{ repository(namespace: "demo", name: "redis") { syncJobs(first: 1) { totalCount } } }' }), 'lane'],
  ['malformed token', { 'content-type': 'application/json', 'x-auth-token': 'tok\ten' }, body({ query: '{ repository(namespace: "demo", name: "redis") { syncJobs(first: 1) { totalCount } } }' }), 'lane'],
  ['bad cursor', json, body({ query: '{ repository(namespace: "demo", name: "nginx") { syncJobs(after: "nonsense") { totalCount } } }' }), 'lane'],
  ['page too large', json, body({ query: '{ repository(namespace: "demo", name: "nginx") { syncJobs(first: 100000) { totalCount } } }' }), 'lane'],
  ['invalid repository name', json, body({ query: '{ repository(namespace: "demo", name: "../x") { syncJobs(first: 1) { totalCount } } }' }), 'lane'],
  ['upstream 500', json, body({ query: '{ repository(namespace: "demo", name: "failing") { syncJobs(first: 1) { totalCount } } }' }), 'lane'],
  ['upstream 403', json, body({ query: '{ repository(namespace: "demo", name: "forbidden") { syncJobs(first: 1) { totalCount } } }' }), 'lane'],
  ['upstream garbled', json, body({ query: '{ repository(namespace: "demo", name: "garbled") { syncJobs(first: 1) { totalCount } } }' }), 'lane'],
  ['unknown repository', json, body({ query: '{ repository(namespace: "demo", name: "nothing-here") { syncJobs(first: 1) { totalCount } } }' }), 'lane'],
  ['fragments and directives', json, body({ query: 'query($skip: Boolean!, $inc: Boolean!) { repository(namespace: "demo", name: "redis") { ...R n: name @skip(if: $skip) syncJobs(first: 2) @include(if: $inc) { nodes { id ... on SyncJob { tag } ...J } } } } fragment R on Repository { namespace __typename } fragment J on SyncJob { status createdAt }', variables: { skip: true, inc: true } }), 'lane'],
  ['enum, list and default variables', json, body({ query: 'query($o: SortOrder, $refs: [RepositoryRef!]!, $n: Int = 2) { repositories(refs: $refs) { name syncJobs(first: $n, order: $o) { nodes { id } pageInfo { endCursor } } } }', variables: { o: 'ASC', refs: [{ namespace: 'demo', name: 'redis' }, { namespace: 'demo', name: 'team/api' }] } }), 'lane'],
  ['enum variable out of range', json, body({ query: 'query($o: SortOrder) { repository(namespace: "demo", name: "redis") { syncJobs(first: 1, order: $o) { totalCount } } }', variables: { o: 'SIDEWAYS' } }), 'lane'],
  ['partial list', json, body({ query: '{ repositories(refs: [{namespace: "demo", name: "nginx"}, {namespace: "demo", name: "../x"}, {namespace: "demo", name: "failing"}]) { name syncJobs(first: 1) { totalCount nodes { id } } } }' }), 'lane'],
  ['entities with a bad representation', json, body({ query: 'query($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Repository { name syncJobs(first: 1) { totalCount } } } }', variables: { r: [{ __typename: 'Repository', namespace: 'demo', name: 'redis' }, { __typename: 'Repository', namespace: 'demo', name: '../x' }, { __typename: 'Nope', id: 1 }] } }), 'lane'],
  ['entities with names that are not strings', json, body({ query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Repository { namespace name } } }', variables: { r: [{ __typename: 'Repository', namespace: ['demo'], name: 'redis' }, { __typename: 'Repository', namespace: 'demo', name: 5 }, { __typename: 'Repository', namespace: 'demo', name: 'redis' }] } }), 'lane'],
  ['service sdl', json, body({ query: '{ _service { sdl } }' }), 'lane'],
  ['upstream wrong shape', json, body({ query: '{ repository(namespace: "demo", name: "shapeless") { syncJobs(first: 1) { totalCount } } }' }), 'lane'],
  ['upstream without Content-Range', json, body({ query: '{ repository(namespace: "demo", name: "uncounted") { syncJobs(first: 1) { totalCount pageInfo { hasNextPage } } } }' }), 'lane'],
  ['error located across CRLF and CR lines', json, body({ query: '{\r\n  a: repository(namespace: "demo", name: "failing") {\r    syncJobs(first: 1) { totalCount }\n  }\r\n  b: repository(namespace: "demo", name: "x..y") { syncJobs { totalCount } }\n}' }), 'lane'],
  ['syntax error', json, body({ query: '{ repository(' }), 'lane'],
  ['validation error', json, body({ query: '{ nope }' }), 'lane'],
  ['too many tokens', json, body({ query: `{ ${'__typename '.repeat(500)}}` }), 'lane'],
  ['too many aliases', json, body({ query: `{ ${'abcdefg'.split('').map((a) => `${a}: repository(namespace: "demo", name: "redis") { name }`).join(' ')} }` }), 'lane'],
  ['over the upstream budget', json, body({ query: `{ ${Array.from({ length: 4 }, (_, i) => `r${i}: repositories(refs: [{namespace: "demo", name: "nginx${i}a"}, {namespace: "demo", name: "nginx${i}b"}]) { syncJobs(first: 1) { totalCount } }`).join(' ')} }` }), 'lane'],
  ['missing variable', json, body({ query: 'query($n: Int!) { repository(namespace: "demo", name: "redis") { syncJobs(first: $n) { totalCount } } }' }), 'lane'],
  ['variable of the wrong type', json, body({ query: 'query($n: Int) { repository(namespace: "demo", name: "redis") { syncJobs(first: $n) { totalCount } } }', variables: { n: 'three' } }), 'lane'],
  ['unknown operation name', json, body({ query: 'query A { __typename }', operationName: 'B' }), 'lane'],
  ['two operations, no name', json, body({ query: 'query A { __typename } query B { __typename }' }), 'lane'],
  ['mutation', json, body({ query: 'mutation { x }' }), 'lane'],
  ['subscription', json, body({ query: 'subscription { x }' }), 'lane'],
  ['introspection', json, body({ query: '{ __schema { queryType { name } } __type(name: "SyncJob") { fields { name } } }' }), 'lane'],
  ['empty query', json, body({ query: '' }), 'lane'],
  ['extensions object', json, body({ query: '{ __typename }', extensions: { persistedQuery: null } }), 'lane'],
  ['null members', json, body({ query: '{ __typename }', variables: null, operationName: null, extensions: null, other: null }), 'lane'],
  ['charset in content type', { ...json, 'content-type': 'application/json; charset=utf-8' }, body({ query: '{ __typename }' }), 'lane'],
  ['accept graphql-response+json', { ...json, accept: 'application/graphql-response+json' }, body({ query: '{ nope }' }), 'lane'],
  ['accept application/json', { ...json, accept: 'application/json' }, body({ query: '{ nope }' }), 'lane'],
  ['accept both', { ...json, accept: 'application/graphql-response+json, application/json;q=0.9' }, body({ query: '{ repository(namespace: "demo", name: "redis") { syncJobs(first: 1) { totalCount } } }' }), 'lane'],
  ['accept anything', { ...json, accept: '*/*' }, body({ query: '{ nope }' }), 'lane'],
  ['accept nothing we serve', { ...json, accept: 'application/xml' }, body({ query: '{ __typename }' }), 'lane'],
  ['accept event stream', { ...json, accept: 'text/event-stream' }, body({ query: '{ __typename }' }), 'lane'],
  ['accept multipart', { ...json, accept: 'multipart/mixed' }, body({ query: '{ __typename }' }), 'lane'],
  ['cross-origin', { ...json, origin: 'https://app.example' }, body({ query: '{ repository(namespace: "demo", name: "redis") { syncJobs(first: 1) { totalCount } } }' }), 'lane'],
  ['request id echoed', { ...json, 'x-request-id': 'abc-123' }, body({ query: '{ __typename }' }), 'lane'],
  ['invalid JSON', json, '{"query": ', 'adapter'],
  ['JSON null', json, 'null', 'adapter'],
  ['JSON string', json, '"{ __typename }"', 'adapter'],
  ['batch', json, body([{ query: '{ __typename }' }]), 'adapter'],
  ['large batch', json, body(Array.from({ length: 20_000 }, () => ({ query: '{ __typename }' }))), 'adapter'],
  ['unknown parameter', json, body({ query: '{ __typename }', foo: 1 }), 'adapter'],
  ['query not a string', json, body({ query: 1 }), 'adapter'],
  ['no query', json, body({ variables: {} }), 'adapter'],
  ['variables an array', json, body({ query: '{ __typename }', variables: [] }), 'adapter'],
  ['operation name a number', json, body({ query: '{ __typename }', operationName: 1 }), 'adapter'],
  ['extensions a string', json, body({ query: '{ __typename }', extensions: 'x' }), 'adapter'],
  ['byte order mark', json, '\ufeff' + body({ query: '{ __typename }' }), 'adapter'],
  ['graphql+json media type', { ...json, 'content-type': 'application/graphql+json' }, body({ query: '{ __typename }' }), undefined],
  ['plain text body', { ...json, 'content-type': 'text/plain' }, body({ query: '{ __typename }' }), undefined],
  ['form body', { ...json, 'content-type': 'application/x-www-form-urlencoded' }, 'query=%7B__typename%7D', undefined],
];

// What some answers must contain (anywhere in status, headers or body), lest equality be empty.
const shows: Record<string, string> = {
  'one page': '\\"totalCount\\":47',
  'entities': '\\"_entities\\":[{\\"name\\":\\"redis\\"',
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
  'batch': 'Batching is not supported',
  'large batch': 'Batching is not supported',
  'entities with names that are not strings': '\\"_entities\\":[null,null,{\\"namespace\\":\\"demo\\",\\"name\\":\\"redis\\"}]',
  'fragments and directives': '\\"namespace\\":\\"demo\\",\\"__typename\\":\\"Repository\\",\\"syncJobs\\"',
  'enum variable out of range': 'SIDEWAYS',
  'partial list': 'HTTP 500',
  'error located across CRLF and CR lines': '\\"locations\\":[{\\"line\\":3,\\"column\\":5}]',
  'entities with a bad representation': 'BAD_USER_INPUT',
  'service sdl': '@key(fields:',
  'upstream wrong shape': 'UPSTREAM_BAD_RESPONSE',
  'upstream without Content-Range': '\\"totalCount\\":null',
  'plain text body': '"status":415',
};

describe('the fast lane and compiled execution answer exactly as Yoga’s adapter and the general executor', () => {
  it.each(cases)('%s', async (name, headers, payload, path) => {
    const lane = await send(withLane.port, name, 'POST', headers, payload);
    const adapter = await send(adapterOnly.port, name, 'POST', headers, payload);
    const general = await send(generalExecutor.port, name, 'POST', headers, payload);
    expect(comparable(lane)).toEqual(comparable(adapter));
    expect(comparable(lane)).toEqual(comparable(general));
    expect(comparable(lane)).toMatchObject({ hasRequestId: true, lengthTrue: true });
    expect(withLane.paths.get(name)).toBe(path);
    // Equal answers prove little if both are the same failure: each case also shows what it is about.
    expect(JSON.stringify(lane)).toContain(shows[name] ?? '"status":');
  });

  it('echoes a sane X-Request-Id on both paths', async () => {
    const lane = await send(withLane.port, 'id', 'POST', { ...json, 'x-request-id': 'abc-123' }, body({ query: '{ __typename }' }));
    expect(lane.headers['x-request-id']).toBe('abc-123');
  });

  it('leaves GET and other routes to the adapter', async () => {
    const path = `/graphql?query=${encodeURIComponent('{ __typename }')}`;
    const get = await new Promise<number>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port: withLane.port, path, headers: { accept: 'application/json', 'x-case': 'GET' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(get).toBe(200);
    expect(withLane.paths.has('GET')).toBe(false);
  });
});
