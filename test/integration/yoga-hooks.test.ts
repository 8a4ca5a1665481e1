import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { readConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { startTracing } from '../../src/observability/tracing.js';
import type { Tracing } from '../../src/observability/tracing-types.js';
import { createSwrSimulator, type SwrSimulator } from '../../src/simulator/index.js';
import { callsFor, JOB_CHANGES, subscribeSse, waitForCalls, type SseSubscription } from '../support/live.js';
import { useStack, type Stack } from '../support/stack.js';
import { rawSocket } from '../support/websocket.js';

// Every Yoga hook and every instrumentation wrapper must run exactly once per request, whatever
// path the request takes through the gateway: a plugin (OpenTelemetry first of all) that saw a
// hook twice, or never, would report nonsense. One plugin here counts them all, by the request's
// X-Case header (over a WebSocket, where no client header reaches the request that stands for an
// operation, by its subscribe message's `extensions["x-case"]`), for the gateway's server and, on
// the HTTP paths, for a bare Node server that hands the same Yoga instance every request untouched:
// the two must count alike. Each expectation is the exact record of hooks, so a hook that ran
// twice, or not at all, or one that should not have run, fails it.

type Context = { request?: Request; params?: { extensions?: Record<string, unknown> | null } };
const counts = new Map<string, Record<string, number>>();
const count = (context: Context | undefined, hook: string) => {
  const name = context?.request?.headers.get('x-case') ?? context?.params?.extensions?.['x-case'];
  if (typeof name !== 'string') return;
  const seen = counts.get(name) ?? {};
  seen[hook] = (seen[hook] ?? 0) + 1;
  counts.set(name, seen);
};
const counting: Plugin<Context> = {
  onRequest: ({ request }) => count({ request }, 'onRequest'),
  onRequestParse: ({ request }) => count({ request }, 'onRequestParse'),
  onParams: ({ request }) => count({ request }, 'onParams'),
  onEnveloped: ({ context }) => count(context as Context, 'onEnveloped'),
  onParse: ({ context }) => count(context, 'onParse'),
  onValidate: ({ context }) => count(context, 'onValidate'),
  onContextBuilding: ({ context }) => count(context, 'onContextBuilding'),
  onExecute: ({ args }) => count(args.contextValue, 'onExecute'),
  onSubscribe: ({ args }) => count(args.contextValue, 'onSubscribe'),
  onExecutionResult: ({ request }) => count({ request }, 'onExecutionResult'),
  onResultProcess: ({ request }) => count({ request }, 'onResultProcess'),
  onResponse: ({ request }) => count({ request }, 'onResponse'),
  instrumentation: {
    request: ({ request }, wrapped) => (count({ request }, 'instrumentation.request'), wrapped()),
    requestParse: ({ request }, wrapped) => (count({ request }, 'instrumentation.requestParse'), wrapped()),
    operation: ({ request }, wrapped) => (count({ request }, 'instrumentation.operation'), wrapped()),
    init: ({ context }, wrapped) => (count(context, 'instrumentation.init'), wrapped()),
    parse: ({ context }, wrapped) => (count(context, 'instrumentation.parse'), wrapped()),
    validate: ({ context }, wrapped) => (count(context, 'instrumentation.validate'), wrapped()),
    context: ({ context }, wrapped) => (count(context, 'instrumentation.context'), wrapped()),
    execute: ({ context }, wrapped) => (count(context, 'instrumentation.execute'), wrapped()),
    subscribe: ({ context }, wrapped) => (count(context, 'instrumentation.subscribe'), wrapped()),
    resultProcess: ({ request }, wrapped) => (count({ request }, 'instrumentation.resultProcess'), wrapped()),
  },
};
const once = (...hooks: string[]) => Object.fromEntries(hooks.map((hook) => [hook, 1]));

// What Yoga's HTTP handling runs around an operation (none of it over a WebSocket).
const HTTP = ['onRequest', 'onRequestParse', 'onParams', 'onExecutionResult', 'onResultProcess', 'onResponse'];
const HTTP_INSTRUMENTATION = ['request', 'requestParse', 'operation', 'resultProcess'].map((name) => `instrumentation.${name}`);
// What envelop runs to get an operation ready, whichever transport brought it.
const ENVELOP = ['onEnveloped', 'onParse', 'onValidate', 'onContextBuilding'];
const ENVELOP_INSTRUMENTATION = ['init', 'parse', 'validate', 'context'].map((name) => `instrumentation.${name}`);
const OVER_HTTP = [...HTTP, ...HTTP_INSTRUMENTATION, ...ENVELOP, ...ENVELOP_INSTRUMENTATION];
// What a query over HTTP sees: each, once; a subscription (SSE), the same with subscribe in
// execute's place (once, never per event).
const EXECUTED = once(...OVER_HTTP, 'onExecute', 'instrumentation.execute');
const SUBSCRIBED = once(...OVER_HTTP, 'onSubscribe', 'instrumentation.subscribe');
const QUERY = '{ repository(namespace: "demo", name: "redis") { syncJobs(first: 1) { totalCount } } }';

/** A bare Node server handing every request to the stack's Yoga instance untouched: its URL, once beforeAll ran. */
function useBare(stack: Stack): { url: string } {
  const bare = { url: '' };
  let server: Server;
  beforeAll(async () => {
    server = createServer((req, res) => void stack.app.gateway(req, res));
    bare.url = `${await listen(server)}/graphql`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });
  return bare;
}
/** The stack's gateway and its bare adapter, each by name. */
const servers = (stack: Stack, bare: { url: string }) =>
  [
    ['gateway', stack.url],
    ['bare', bare.url],
  ] as const;
async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
async function send(url: string, name: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-case': name, 'x-auth-token': 't', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, etag: response.headers.get('etag'), body: text === '' ? undefined : JSON.parse(text) };
}

describe('Yoga’s hooks over plain HTTP', () => {
  const stack = useStack({ plugins: [counting] });
  const bare = useBare(stack);

  // A body Yoga's request parser refuses: no GraphQL work, but the request, parse and response hooks
  // once each (Yoga processes the refusal's result without its resultProcess wrapper).
  const REFUSED_BODY = once(
    'onRequest',
    'onRequestParse',
    'onResultProcess',
    'onResponse',
    'instrumentation.request',
    'instrumentation.requestParse',
  );
  const cases: Array<[string, string, Record<string, string>, string | undefined, Record<string, number>]> = [
    [
      'a JSON POST (the body parsed by the HTTP server)',
      'POST',
      { 'content-type': 'application/json' },
      JSON.stringify({ query: QUERY }),
      EXECUTED,
    ],
    [
      'a JSON POST with variables and a charset',
      'POST',
      { 'content-type': 'application/json; charset=utf-8' },
      JSON.stringify({
        query: 'query($n: Int) { __typename r: repository(namespace: "demo", name: "redis") { syncJobs(first: $n) { totalCount } } }',
        variables: { n: 1 },
      }),
      EXECUTED,
    ],
    ['a GET', 'GET', {}, undefined, EXECUTED],
    [
      'a form POST (the body read by Yoga)',
      'POST',
      { 'content-type': 'application/x-www-form-urlencoded' },
      `query=${encodeURIComponent(QUERY)}`,
      EXECUTED,
    ],
    [
      'an application/graphql POST (the body is the query text, read by Yoga)',
      'POST',
      { 'content-type': 'application/graphql' },
      QUERY,
      EXECUTED,
    ],
    ['a JSON body that is not an object (handed to Yoga as bytes)', 'POST', { 'content-type': 'application/json' }, '[1, 2]', REFUSED_BODY],
    ['invalid JSON (handed to Yoga as bytes)', 'POST', { 'content-type': 'application/json' }, '{"query":', REFUSED_BODY],
  ];

  it.each(cases)('run once each for %s, as behind a bare adapter', async (name, method, headers, body, expected) => {
    const search = method === 'GET' ? `?query=${encodeURIComponent(QUERY)}` : '';
    for (const [server, url] of servers(stack, bare)) {
      const response = await fetch(`${url}${search}`, {
        method,
        headers: { 'x-case': `${server}: ${name}`, 'x-auth-token': 't', ...headers },
        ...(body === undefined ? {} : { body }),
      });
      await response.text();
    }
    expect(counts.get(`gateway: ${name}`)).toEqual(expected);
    expect(counts.get(`bare: ${name}`)).toEqual(expected);
  });
});

describe('Yoga’s hooks for subscriptions', () => {
  const stack = useStack({ plugins: [counting], env: { WATCH_INTERVAL_MS: '100' } });
  const bare = useBare(stack);

  it('run once per request over SSE, subscribe once per subscription however many events it sends, as behind a bare adapter', async () => {
    for (const [server, url, repository] of [
      ['gateway', stack.url, 'redis'],
      ['bare', bare.url, 'nginx'],
    ] as const) {
      const before = callsFor(stack.simulator, repository);
      const subscription: SseSubscription = await subscribeSse(url, JOB_CHANGES, {
        variables: { namespace: 'demo', name: repository },
        headers: { 'x-case': `${server}: SSE` },
      });
      try {
        expect(subscription.status).toBe(200);
        expect(subscription.contentType).toMatch(/^text\/event-stream/);
        // Live once its watch has read its baseline; then two changes, two events.
        await waitForCalls(stack.simulator, repository, before, 1);
        stack.simulator.createJobs({ namespace: 'demo', repository });
        await subscription.waitForResults(1);
        stack.simulator.createJobs({ namespace: 'demo', repository });
        const results = await subscription.waitForResults(2);
        expect(results.map((result) => result.data?.syncJobChanged.kind)).toEqual(['CREATED', 'CREATED']);
      } finally {
        subscription.close();
      }
      await subscription.ended;
    }
    await vi.waitFor(() => expect(stack.app.live.subscribers).toBe(0));
    expect(counts.get('gateway: SSE')).toEqual(SUBSCRIBED);
    expect(counts.get('bare: SSE')).toEqual(SUBSCRIBED);
  });

  // graphql-ws runs each operation through Yoga's getEnveloped (src/http/websocket-operations.ts),
  // not through Yoga's HTTP handling: there is no HTTP request per operation, so onRequest,
  // onRequestParse, onParams, onExecutionResult, onResultProcess and onResponse, and the request,
  // requestParse, operation and resultProcess wrappers, cannot run there (a plugin that needs them
  // sees nothing of WebSocket operations; the upgrade request is not Yoga's). What envelop runs must
  // still run once per operation: getting it (onEnveloped), parse, validate, context, and execute or
  // subscribe (once per subscription, never per event).
  it('over graphql-ws: the envelop hooks once per operation, the HTTP hooks never', async () => {
    const socket = rawSocket(stack.url);
    try {
      await socket.init({ 'X-Auth-Token': 'token-demo' });
      const subscribe = (id: string, query: string, variables?: Record<string, unknown>) =>
        socket.socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables, extensions: { 'x-case': `ws: ${id}` } } }));
      const of = (id: string, type: string) => socket.messages.filter((message) => message.id === id && message.type === type);
      const before = callsFor(stack.simulator, 'webapp');
      subscribe('subscription', JOB_CHANGES, { namespace: 'demo', name: 'webapp' });
      subscribe('query 1', QUERY);
      subscribe('query 2', QUERY);
      await vi.waitFor(() => expect([of('query 1', 'complete'), of('query 2', 'complete')].map((each) => each.length)).toEqual([1, 1]));
      // (The SSE test before this one added jobs to redis: a count, whatever it is now.)
      expect(of('query 1', 'next')[0].payload).toEqual({ data: { repository: { syncJobs: { totalCount: expect.any(Number) } } } });
      await waitForCalls(stack.simulator, 'webapp', before, 1);
      stack.simulator.createJobs({ namespace: 'demo', repository: 'webapp' });
      await vi.waitFor(() => expect(of('subscription', 'next')).toHaveLength(1));
      stack.simulator.createJobs({ namespace: 'demo', repository: 'webapp' });
      await vi.waitFor(() => expect(of('subscription', 'next')).toHaveLength(2));
      socket.socket.send(JSON.stringify({ id: 'subscription', type: 'complete' }));
      await vi.waitFor(() => expect(stack.app.live.subscribers).toBe(0));
    } finally {
      socket.socket.terminate();
    }
    const ready = [...ENVELOP, ...ENVELOP_INSTRUMENTATION];
    expect(counts.get('ws: subscription')).toEqual(once(...ready, 'onSubscribe', 'instrumentation.subscribe'));
    expect(counts.get('ws: query 1')).toEqual(once(...ready, 'onExecute', 'instrumentation.execute'));
    expect(counts.get('ws: query 2')).toEqual(once(...ready, 'onExecute', 'instrumentation.execute'));
  });
});

describe('Yoga’s hooks with the response cache on', () => {
  const stack = useStack({ plugins: [counting], env: { RESPONSE_CACHE_TTL_MS: '60000' } });
  const bare = useBare(stack);

  // A hit is answered in onParams (the cache sets the result there): Yoga then never gets the
  // operation's envelop, so getting it (onEnveloped, init), parse, validate, context building and
  // execute are legitimately skipped, each wrapper with its hooks. Everything around the operation
  // still runs once: the request, its parse, onParams, the operation wrapper, onExecutionResult,
  // the result's processing and onResponse. A 304 (If-None-Match naming the tag of the answer the
  // cache holds) is such a hit too.
  const SKIPPED_ON_HIT = [...ENVELOP, ...ENVELOP_INSTRUMENTATION, 'onExecute', 'instrumentation.execute'];
  const HIT = once(...HTTP, ...HTTP_INSTRUMENTATION);

  it('a hit runs the request hooks once each and skips parse, validate and execute, as behind a bare adapter', async () => {
    for (const [server, url] of servers(stack, bare)) {
      const headers = { 'x-auth-token': `token-cache-${server}`, 'x-debug-upstream': '1' };
      const miss = await send(url, `${server}: miss`, { query: QUERY }, headers);
      const hit = await send(url, `${server}: hit`, { query: QUERY }, headers);
      const revalidated = await send(url, `${server}: 304`, { query: QUERY }, { ...headers, 'if-none-match': miss.etag ?? '' });
      expect([miss.body.extensions.upstream.cache, hit.body.extensions.upstream.cache]).toEqual(['miss', 'hit']);
      expect(hit.body.data).toEqual(miss.body.data);
      expect(miss.etag).toMatch(/./);
      expect(revalidated.status).toBe(304);

      expect(counts.get(`${server}: miss`)).toEqual(EXECUTED);
      for (const name of ['hit', '304']) {
        expect(counts.get(`${server}: ${name}`)).toEqual(HIT);
        for (const skipped of SKIPPED_ON_HIT) expect(counts.get(`${server}: ${name}`)).not.toHaveProperty([skipped]);
      }
    }
    // One SWR call per caller: the hits were the cache's.
    expect(stack.simulator.requests).toHaveLength(2);
  });
});

describe('Yoga’s hooks for persisted documents', () => {
  const manifest = fileURLToPath(new URL('../../examples/apollo-client/persisted-query-manifest.json', import.meta.url));
  const stack = useStack({ plugins: [counting], env: { PERSISTED_DOCUMENTS: manifest, PERSISTED_DOCUMENTS_ONLY: 'true' } });
  const bare = useBare(stack);
  const { operations } = JSON.parse(readFileSync(manifest, 'utf8')) as { operations: Array<{ id: string; name: string }> };
  const id = operations.find((operation) => operation.name === 'SyncJobsPage')!.id;
  const variables = { namespace: 'demo', name: 'redis', first: 2 };

  it.each([
    ['documentId', { documentId: id, variables }],
    ['doc_id', { doc_id: id, variables }],
    ['extensions.persistedQuery', { extensions: { persistedQuery: { version: 1, sha256Hash: id } }, variables }],
  ])('run once each for a document named by %s (the text it names set in onParams), as behind a bare adapter', async (how, body) => {
    for (const [server, url] of servers(stack, bare)) {
      const answer = await send(url, `${server}: ${how}`, body);
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data.repository.syncJobs.totalCount).toBe(12);
      expect(counts.get(`${server}: ${how}`)).toEqual(EXECUTED);
    }
  });
});

describe('Yoga’s hooks with OpenTelemetry tracing on', () => {
  const QUERY_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
  const SUBSCRIPTION_TRACE = '5bf92f3577b34da6a3ce929d0e0e4737';
  const exported: string[] = [];
  let sink: Server;
  let simulator: SwrSimulator;
  let tracing: Tracing;
  let app: App;
  let url: string;
  beforeAll(async () => {
    sink = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        if (req.url === '/v1/traces') exported.push(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    const sinkUrl = await listen(sink);
    // The exporter and its batch processor read the standard variables when they are made.
    const variables = { OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl, OTEL_BSP_SCHEDULE_DELAY: '50' };
    const saved = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
    Object.assign(process.env, variables);
    try {
      tracing = startTracing({ version: '0.0.0-test', logger: createLogger('silent') });
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    simulator = createSwrSimulator();
    const endpoint = await simulator.listen(0, '127.0.0.1');
    const logger = createLogger('silent');
    app = createApp({
      config: readConfig({ LOG_LEVEL: 'silent', WATCH_INTERVAL_MS: '100' }),
      endpoint,
      logger,
      plugins: [counting],
      tracing,
    });
    url = `http://127.0.0.1:${(await app.listen(0, '127.0.0.1')).port}/graphql`;
  });
  afterAll(async () => {
    await app?.shutdown(0);
    await simulator?.close();
    await tracing?.shutdown();
    await new Promise((resolve) => sink?.close(resolve));
  });

  type Span = { traceId: string; name: string; kind: number };
  const spansOf = (traceId: string) =>
    exported
      .flatMap((body) => (JSON.parse(body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Span[] }> }> }).resourceSpans)
      .flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans))
      .filter((span) => span.traceId === traceId)
      .map((span) => [span.kind, span.name])
      .sort();
  const traceparent = (traceId: string) => `00-${traceId}-00f067aa0ba902b7-01`;

  it('run once each for a query traced from its server span through its operation span into its SWR call', async () => {
    const answer = await send(url, 'traced query', { query: `query Traced ${QUERY}` }, { traceparent: traceparent(QUERY_TRACE) });
    expect(answer.body.errors).toBeUndefined();
    // Server (kind 2), operation (internal, 1) and SWR call (client, 3), one each: tracing saw this request.
    const expected = [
      [1, 'query Traced'],
      [2, 'POST /graphql'],
      [3, 'GET'],
    ];
    await vi.waitFor(() => expect(spansOf(QUERY_TRACE)).toEqual(expected), { timeout: 10_000 });
    expect(counts.get('traced query')).toEqual(EXECUTED);
  });

  it('run once each for a traced subscription over SSE, subscribe once for its events', async () => {
    const before = callsFor(simulator, 'nginx');
    const subscription = await subscribeSse(url, JOB_CHANGES, {
      variables: { namespace: 'demo', name: 'nginx' },
      headers: { 'x-case': 'traced SSE', traceparent: traceparent(SUBSCRIPTION_TRACE) },
    });
    try {
      expect(subscription.status).toBe(200);
      await waitForCalls(simulator, 'nginx', before, 1);
      simulator.createJobs({ namespace: 'demo', repository: 'nginx' });
      await subscription.waitForResults(1);
    } finally {
      subscription.close();
    }
    await subscription.ended;
    // The server span ends with the stream; the subscription's span covers its start (each poll is a trace of its own).
    const expected = [
      [1, 'subscription JobChanges'],
      [2, 'POST /graphql'],
    ];
    await vi.waitFor(() => expect(spansOf(SUBSCRIPTION_TRACE)).toEqual(expected), { timeout: 10_000 });
    expect(counts.get('traced SSE')).toEqual(SUBSCRIBED);
  });
});
