import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Plugin } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useStack } from '../support/stack.js';

// Every Yoga hook and every instrumentation wrapper must run exactly once per request, whatever
// path the request takes through the gateway's HTTP server: a plugin (OpenTelemetry first of
// all) that saw a hook twice, or never, would report nonsense. A plugin here counts them, by the
// request's X-Case header, for the gateway's server and for a bare Node server that hands the
// same Yoga instance every request untouched: the two must count alike.

const counts = new Map<string, Record<string, number>>();
const count = (request: Request | undefined, hook: string) => {
  const name = request?.headers.get('x-case');
  if (!name) return;
  const seen = counts.get(name) ?? {};
  seen[hook] = (seen[hook] ?? 0) + 1;
  counts.set(name, seen);
};
type Context = { request?: Request };
const counting: Plugin<Context> = {
  onRequest: ({ request }) => count(request, 'onRequest'),
  onRequestParse: ({ request }) => count(request, 'onRequestParse'),
  onParams: ({ request }) => count(request, 'onParams'),
  onParse: ({ context }) => count((context as Context).request, 'onParse'),
  onValidate: ({ context }) => count((context as Context).request, 'onValidate'),
  onContextBuilding: ({ context }) => count((context as Context).request, 'onContextBuilding'),
  onExecute: ({ args }) => count((args.contextValue as Context).request, 'onExecute'),
  onExecutionResult: ({ request }) => count(request, 'onExecutionResult'),
  onResultProcess: ({ request }) => count(request, 'onResultProcess'),
  onResponse: ({ request }) => count(request, 'onResponse'),
  instrumentation: {
    request: ({ request }, wrapped) => (count(request, 'instrumentation.request'), wrapped()),
    requestParse: ({ request }, wrapped) => (count(request, 'instrumentation.requestParse'), wrapped()),
    operation: ({ request }, wrapped) => (count(request, 'instrumentation.operation'), wrapped()),
    parse: ({ context }, wrapped) => (count((context as Context).request, 'instrumentation.parse'), wrapped()),
    validate: ({ context }, wrapped) => (count((context as Context).request, 'instrumentation.validate'), wrapped()),
    context: ({ context }, wrapped) => (count((context as Context).request, 'instrumentation.context'), wrapped()),
    execute: ({ context }, wrapped) => (count((context as Context).request, 'instrumentation.execute'), wrapped()),
    resultProcess: ({ request }, wrapped) => (count(request, 'instrumentation.resultProcess'), wrapped()),
  },
};

const stack = useStack({ plugins: [counting] });
let bare: Server;
let bareUrl: string;
beforeAll(async () => {
  bare = createServer((req, res) => void stack.app.gateway(req, res));
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/graphql`;
});
afterAll(() => {
  bare.closeAllConnections();
  bare.close();
});

// What a request that executes sees: each, once.
const EXECUTED = Object.fromEntries(
  [
    'onRequest',
    'onRequestParse',
    'onParams',
    'onParse',
    'onValidate',
    'onContextBuilding',
    'onExecute',
    'onExecutionResult',
    'onResultProcess',
    'onResponse',
    'instrumentation.request',
    'instrumentation.requestParse',
    'instrumentation.operation',
    'instrumentation.parse',
    'instrumentation.validate',
    'instrumentation.context',
    'instrumentation.execute',
    'instrumentation.resultProcess',
  ].map((hook) => [hook, 1]),
);
// A body Yoga's request parser refuses: no GraphQL work, but the request, parse and response hooks
// once each (Yoga processes the refusal's result without its resultProcess wrapper).
const REFUSED_BODY = Object.fromEntries(
  ['onRequest', 'onRequestParse', 'onResultProcess', 'onResponse', 'instrumentation.request', 'instrumentation.requestParse'].map(
    (hook) => [hook, 1],
  ),
);
const QUERY = '{ repository(namespace: "demo", name: "redis") { syncJobs(first: 1) { totalCount } } }';

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
  ['a JSON body that is not an object (handed to Yoga as bytes)', 'POST', { 'content-type': 'application/json' }, '[1, 2]', REFUSED_BODY],
  ['invalid JSON (handed to Yoga as bytes)', 'POST', { 'content-type': 'application/json' }, '{"query":', REFUSED_BODY],
];

describe('Yoga’s hooks', () => {
  it.each(cases)('run once each for %s, as behind a bare adapter', async (name, method, headers, body, expected) => {
    const search = method === 'GET' ? `?query=${encodeURIComponent(QUERY)}` : '';
    for (const [server, url] of [
      ['gateway', stack.url],
      ['bare', bareUrl],
    ]) {
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
