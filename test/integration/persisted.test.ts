import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { readConfig } from '../../src/config.js';
import { createApp } from '../../src/app.js';
import { createLogger } from '../../src/observability/logger.js';
import { createDemoData } from '../../src/simulator/index.js';
import { JOB_CHANGES } from '../support/live.js';
import { useStack, type Stack } from '../support/stack.js';
import { rawSocket } from '../support/websocket.js';

// The persisted documents this repository writes (`npm run persist`): relay-compiler's
// persisted-queries.json and Apollo's persisted query manifest of examples/operations.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RELAY_FILE = join(ROOT, 'examples/relay/persisted-queries.json');
const APOLLO_MANIFEST = join(ROOT, 'examples/apollo-client/persisted-query-manifest.json');
const manifest = JSON.parse(readFileSync(APOLLO_MANIFEST, 'utf8')) as {
  operations: Array<{ id: string; name: string; type: string; body: string }>;
};
const relay = JSON.parse(readFileSync(RELAY_FILE, 'utf8')) as Record<string, string>;
const operation = (name: string) => manifest.operations.find((entry) => entry.name === name)!;
const relayId = (name: string) => Object.entries(relay).find(([, text]) => text.includes(`query ${name}(`))![0];
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const PAGE_VARIABLES = { namespace: 'demo', name: 'redis', first: 2 };
const INTROSPECTION = '{ __schema { queryType { name } } }';

interface Answer {
  status: number;
  body: any;
}

async function post(stack: Stack, body: Record<string, unknown>, token = 'token-demo'): Promise<Answer> {
  const response = await fetch(stack.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', 'x-auth-token': token },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

async function get(stack: Stack, params: Record<string, unknown>): Promise<Answer> {
  const search = new URLSearchParams(
    Object.entries(params).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]),
  );
  const response = await fetch(`${stack.url}?${search}`, {
    headers: { accept: 'application/graphql-response+json', 'x-auth-token': 'token-demo' },
  });
  return { status: response.status, body: await response.json() };
}

const persistedQuery = (sha256Hash: string) => ({ persistedQuery: { version: 1, sha256Hash } });
const codeOf = (answer: Answer) => answer.body.errors?.[0]?.extensions?.code;

describe('trusted documents: an Apollo manifest, PERSISTED_DOCUMENTS_ONLY=true', () => {
  const stack = useStack({ env: { PERSISTED_DOCUMENTS: APOLLO_MANIFEST, PERSISTED_DOCUMENTS_ONLY: 'true' } });
  const page = operation('SyncJobsPage');

  it.each([
    ['POST, extensions.persistedQuery.sha256Hash', () => post(stack, { extensions: persistedQuery(page.id), variables: PAGE_VARIABLES })],
    ['POST, documentId', () => post(stack, { documentId: page.id, variables: PAGE_VARIABLES })],
    ['POST, doc_id', () => post(stack, { doc_id: page.id, variables: PAGE_VARIABLES })],
    ['GET, extensions', () => get(stack, { extensions: persistedQuery(page.id), variables: PAGE_VARIABLES })],
    ['GET, documentId', () => get(stack, { documentId: page.id, variables: PAGE_VARIABLES })],
    ['GET, doc_id', () => get(stack, { doc_id: page.id, variables: PAGE_VARIABLES })],
  ])('runs a document named by %s', async (_how, send) => {
    const answer = await send();
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.repository.syncJobs.totalCount).toBe(12);
    expect(stack.simulator.requests).toHaveLength(1);
  });

  it.each([
    ['a text', { query: '{ repository(namespace: "demo", name: "redis") { syncJobs { totalCount } } }' }],
    ['introspection', { query: INTROSPECTION }],
    ['a text with a hash', { query: INTROSPECTION, extensions: persistedQuery(sha256(INTROSPECTION)) }],
    ['neither text nor id', {}],
  ])('refuses %s with PERSISTED_QUERY_REQUIRED before parsing, and calls SWR for nothing', async (_what, body) => {
    const answer = await post(stack, body);
    expect(answer.status).toBe(400);
    expect(codeOf(answer)).toBe('PERSISTED_QUERY_REQUIRED');
    expect(answer.body.data).toBeUndefined();
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('refuses an unknown id with PERSISTED_QUERY_NOT_FOUND, and registers nothing', async () => {
    const text = '{ repository(namespace: "demo", name: "redis") { syncJobs { totalCount } } }';
    expect(codeOf(await post(stack, { query: text, extensions: persistedQuery(sha256(text)) }))).toBe('PERSISTED_QUERY_REQUIRED');
    for (const id of [sha256(text), 'not-an-id']) {
      const answer = await post(stack, { documentId: id });
      expect(codeOf(answer)).toBe('PERSISTED_QUERY_NOT_FOUND');
      expect(answer.body.errors[0].message).toBe('PersistedQueryNotFound');
    }
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it("runs a trusted document's exact text (as graphql-ws clients send it), and nothing one character off", async () => {
    const exact = await post(stack, { query: page.body, variables: PAGE_VARIABLES });
    expect(exact.body.data.repository.syncJobs.totalCount).toBe(12);
    expect(codeOf(await post(stack, { query: `${page.body} `, variables: PAGE_VARIABLES }))).toBe('PERSISTED_QUERY_REQUIRED');
  });

  it('over WebSocket: runs a document by its hash or its exact text, refuses any other text or an unknown hash', async () => {
    const raw = rawSocket(stack.url);
    try {
      await raw.init({ 'X-Auth-Token': 'token-demo' });
      const send = (id: string, payload: Record<string, unknown>) =>
        raw.socket.send(JSON.stringify({ id, type: 'subscribe', payload: { variables: PAGE_VARIABLES, ...payload } }));
      send('hash', { query: '', extensions: persistedQuery(page.id) });
      send('exact', { query: page.body });
      send('other', { query: JOB_CHANGES });
      send('unknown', { query: '', extensions: persistedQuery(sha256('nothing')) });
      const of = (id: string) => raw.messages.filter((message) => message.id === id);
      await vi.waitFor(() =>
        expect(['hash', 'exact', 'other', 'unknown'].every((id) => of(id).some((message) => message.type !== 'next'))).toBe(true),
      );
      for (const id of ['hash', 'exact']) {
        expect(of(id).map((message) => message.type)).toEqual(['next', 'complete']);
        expect(of(id)[0].payload.data.repository.syncJobs.totalCount).toBe(12);
      }
      expect(of('other')).toEqual([
        { id: 'other', type: 'error', payload: [expect.objectContaining({ extensions: { code: 'PERSISTED_QUERY_REQUIRED' } })] },
      ]);
      expect(of('unknown')).toEqual([
        { id: 'unknown', type: 'error', payload: [expect.objectContaining({ extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } })] },
      ]);
      expect(stack.simulator.requests).toHaveLength(2);
    } finally {
      raw.socket.close();
    }
  });
});

describe("trusted documents: relay-compiler's persisted queries, beside any text", () => {
  const stack = useStack({ env: { PERSISTED_DOCUMENTS: RELAY_FILE } });

  it('runs Relay operations by doc_id over POST and GET, and texts as before', async () => {
    const id = relayId('RepositorySyncJobsQuery');
    for (const answer of [
      await post(stack, { doc_id: id, variables: { namespace: 'demo', name: 'nginx' } }),
      await get(stack, { doc_id: id, variables: { namespace: 'demo', name: 'nginx' } }),
    ]) {
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data.repository.syncJobs.totalCount).toBe(47);
    }
    const text = await post(stack, { query: '{ repository(namespace: "demo", name: "nginx") { syncJobs { totalCount } } }' });
    expect(text.body.data.repository.syncJobs.totalCount).toBe(47);
  });
});

describe("GraphQL over HTTP's prefixed ids: documentId sha256:<hex>", () => {
  // A Relay-format file whose ids are not hashes: a document is also found by its text's SHA-256.
  const directory = mkdtempSync(join(tmpdir(), 'swr-prefixed-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  const text = 'query Named { repository(namespace: "demo", name: "redis") { syncJobs(first: 1) { totalCount } } }';
  const file = join(directory, 'documents.json');
  writeFileSync(file, JSON.stringify({ 'page-1': text }));
  const stack = useStack({ env: { PERSISTED_DOCUMENTS: file, PERSISTED_DOCUMENTS_ONLY: 'true' } });

  it.each([
    ['its id', 'page-1'],
    ['sha256:<hex> of its text', `sha256:${sha256(text)}`],
    ['sha256:<HEX> in upper case', `sha256:${sha256(text).toUpperCase()}`],
    ['SHA256:<hex>, the prefix in upper case', `SHA256:${sha256(text)}`],
    ['its bare SHA-256, as APQ names texts', sha256(text)],
  ])('runs a trusted document named by %s, over POST and GET', async (_how, documentId) => {
    for (const answer of [await post(stack, { documentId }), await get(stack, { documentId })]) {
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data.repository.syncJobs.totalCount).toBe(12);
    }
  });

  it.each([
    ['the hash of another text', `sha256:${sha256(`${text} `)}`],
    ['a prefix without a hash', 'sha256:'],
    ['a hash of another length', `sha256:${sha256(text).slice(1)}`],
    ['another algorithm', `md5:${sha256(text)}`],
  ])('answers PERSISTED_QUERY_NOT_FOUND for %s, calling SWR for nothing', async (_what, documentId) => {
    const answer = await post(stack, { documentId });
    expect(codeOf(answer)).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(stack.simulator.requests).toHaveLength(0);
  });
});

describe('automatic persisted queries (no file)', () => {
  // The demo data, but SWR knows only token-demo: any other token gets 401.
  const data = createDemoData();
  for (const tenant of data.tenants) tenant.tokens = ['token-demo'];
  const stack = useStack({ data });
  const text = 'query Apq($first: Int) { repository(namespace: "demo", name: "redis") { syncJobs(first: $first) { totalCount } } }';

  it('answers an unknown hash with PERSISTED_QUERY_NOT_FOUND, registers the text sent with it, then runs the hash alone', async () => {
    const hash = sha256(text);
    const miss = await get(stack, { extensions: persistedQuery(hash), variables: { first: 1 } });
    expect(codeOf(miss)).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(miss.body.errors[0].message).toBe('PersistedQueryNotFound');
    expect(stack.simulator.requests).toHaveLength(0);

    const register = await post(stack, { query: text, extensions: persistedQuery(hash), variables: { first: 1 } });
    expect(register.body.data.repository.syncJobs.totalCount).toBe(12);
    const hit = await get(stack, { extensions: persistedQuery(hash), variables: { first: 2 } });
    expect(hit.body.errors).toBeUndefined();
    expect(hit.body.data.repository.syncJobs.totalCount).toBe(12);
  });

  it('refuses a hash that does not match its text, and keeps nothing', async () => {
    const other = text.replace('Apq', 'Mismatch');
    const wrong = sha256(`${other}!`);
    const answer = await post(stack, { query: other, extensions: persistedQuery(wrong) });
    expect(answer.status).toBe(400);
    expect(codeOf(answer)).toBe('BAD_REQUEST');
    expect(answer.body.errors[0].message).toBe('provided sha256Hash does not match the query');
    expect(codeOf(await post(stack, { extensions: persistedQuery(wrong) }))).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('keeps no text that the budget refuses, or that only a caller failing authentication sent', async () => {
    const aliases = Array.from(
      { length: 60 },
      (_, index) => `r${index}: repository(namespace: "demo", name: "repo-${index}") { syncJobs(first: 1) { totalCount } }`,
    );
    const tooMany = `{ ${aliases.join(' ')} }`;
    const refused = 'query Refused { repository(namespace: "demo", name: "redis") { syncJobs(first: 1) { totalCount } } }';
    const tokenless = 'query Tokenless { repository(namespace: "demo", name: "redis") { syncJobs(first: 2) { totalCount } } }';
    for (const [text, token, code] of [
      [tooMany, 'token-demo', 'OPERATION_TOO_EXPENSIVE'],
      [refused, 'token-nobody-knows', 'UNAUTHENTICATED'],
      [tokenless, '', 'UNAUTHENTICATED'],
    ] as const) {
      const first = await post(stack, { query: text, extensions: persistedQuery(sha256(text)) }, token);
      expect(codeOf(first)).toBe(code);
      const again = await post(stack, { extensions: persistedQuery(sha256(text)) });
      expect(codeOf(again), `${text.slice(0, 60)}: ${JSON.stringify(again.body).slice(0, 300)}`).toBe('PERSISTED_QUERY_NOT_FOUND');
    }
    // The budget's refusal and the tokenless request called nothing; the refused token, once.
    expect(stack.simulator.requests).toHaveLength(1);
  });

  it('keeps a text that ran without calling SWR', async () => {
    const noCall = 'query NoCall { __typename }';
    expect((await post(stack, { query: noCall, extensions: persistedQuery(sha256(noCall)) })).body.data.__typename).toBe('Query');
    expect((await post(stack, { extensions: persistedQuery(sha256(noCall)) })).body).toEqual({ data: { __typename: 'Query' } });
  });

  it('keeps a text SWR knew the caller for, even where a repository is missing (404) beside one it answered', async () => {
    const unknown = 'query Missing { repository(namespace: "demo", name: "no-such-repository") { syncJobs(first: 1) { totalCount } } }';
    const mixed =
      'query Mixed { a: repository(namespace: "demo", name: "redis") { syncJobs(first: 1) { totalCount } } ' +
      'b: repository(namespace: "demo", name: "no-such-repository") { syncJobs(first: 1) { totalCount } } }';
    for (const text of [unknown, mixed]) {
      const first = await post(stack, { query: text, extensions: persistedQuery(sha256(text)) });
      expect(codeOf(first)).toBe('NOT_FOUND');
      const again = await post(stack, { extensions: persistedQuery(sha256(text)) });
      expect(codeOf(again), JSON.stringify(again.body).slice(0, 300)).toBe('NOT_FOUND');
      if (text === mixed) expect(again.body.data.a.syncJobs.totalCount).toBe(12);
    }
  });

  it('finds a registered text by documentId sha256:<hex> too', async () => {
    const text = 'query Prefixed { repository(namespace: "demo", name: "redis") { syncJobs(first: 4) { totalCount } } }';
    expect(codeOf(await post(stack, { documentId: `sha256:${sha256(text)}` }))).toBe('PERSISTED_QUERY_NOT_FOUND');
    const register = await post(stack, { query: text, extensions: persistedQuery(sha256(text)) });
    expect(register.body.data.repository.syncJobs.totalCount).toBe(12);
    const hit = await post(stack, { documentId: `sha256:${sha256(text)}` });
    expect(hit.body.errors).toBeUndefined();
    expect(hit.body.data.repository.syncJobs.totalCount).toBe(12);
  });

  it('finds a registered text by its hash in upper case too', async () => {
    const text = 'query Upper { repository(namespace: "demo", name: "redis") { syncJobs(first: 3) { totalCount } } }';
    const hash = sha256(text).toUpperCase();
    expect((await post(stack, { query: text, extensions: persistedQuery(hash) })).body.data.repository.syncJobs.totalCount).toBe(12);
    expect((await post(stack, { extensions: persistedQuery(hash) })).body.data.repository.syncJobs.totalCount).toBe(12);
  });

  it('keeps no text that does not validate', async () => {
    const invalid = '{ repository(namespace: "demo", name: "redis") { noSuchField } }';
    const answer = await post(stack, { query: invalid, extensions: persistedQuery(sha256(invalid)) });
    expect(codeOf(answer)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(codeOf(await post(stack, { extensions: persistedQuery(sha256(invalid)) }))).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});

describe('PERSISTED_DOCUMENTS at start-up', () => {
  const directory = mkdtempSync(join(tmpdir(), 'swr-persisted-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  const start = (content: string, env: Record<string, string> = {}) => {
    const file = join(directory, `documents-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, content);
    const config = readConfig({ PERSISTED_DOCUMENTS: file, LOG_LEVEL: 'silent', ...env });
    return () => createApp({ config, endpoint: 'http://127.0.0.1:9', logger: createLogger('silent') });
  };

  it('stops at a document that does not validate, naming it', () => {
    const documents = { good: '{ repository(namespace: "a", name: "b") { name } }', broken: '{ repository { nope } }' };
    expect(start(JSON.stringify(documents))).toThrow(/Invalid PERSISTED_DOCUMENTS: .*document broken: /);
  });

  const deep = '{ repository(namespace: "a", name: "b") { syncJobs(first: 1) { edges { node { id } } } } }';
  const aliased = '{ a: repository(namespace: "a", name: "b") { name } b: repository(namespace: "a", name: "c") { name } }';
  const long = `{ ${Array.from({ length: 40 }, (_, i) => `r${i}: __typename`).join(' ')} }`;
  it.each([
    ['deeper than MAX_DEPTH', { MAX_DEPTH: '3' }, deep, /depth limit of 3/],
    ['with more aliases than MAX_ALIASES', { MAX_ALIASES: '1' }, aliased, /aliases/],
    ['with more tokens than MAX_TOKENS', { MAX_TOKENS: '100' }, long, /100 tokens/],
  ])('stops at a document %s, naming it (it starts within the default limits)', async (_what, env, text, message) => {
    const content = JSON.stringify({ fine: '{ __typename }', over: text });
    expect(start(content, env)).toThrow(new RegExp(`Invalid PERSISTED_DOCUMENTS: .*document over: .*${message.source}`, 'i'));
    await start(content)().shutdown(0);
  });

  it.each([
    ['a mutation', JSON.stringify({ write: 'mutation { x }' })],
    [
      'an id given twice',
      JSON.stringify({
        format: 'apollo-persisted-query-manifest',
        version: 1,
        operations: [
          { id: 'x', name: 'A', type: 'query', body: '{ __typename }' },
          { id: 'x', name: 'B', type: 'query', body: '{ __typename }' },
        ],
      }),
    ],
    ['not JSON', 'query {'],
    ['neither format', JSON.stringify({ operations: [] })],
    ['a manifest of another version', JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 2, operations: [] })],
    ['a document that does not parse', JSON.stringify({ bad: 'query {' })],
  ])('stops at %s', (_what, content) => {
    expect(start(content)).toThrow(/Invalid PERSISTED_DOCUMENTS/);
  });
});

describe('npm run persist: the Apollo manifest', () => {
  it('is what generate-persisted-query-manifest writes for examples/operations now', () => {
    const directory = mkdtempSync(join(tmpdir(), 'swr-manifest-'));
    try {
      const config = join(directory, 'config.json');
      const output = join(directory, 'manifest.json');
      const settings = JSON.parse(readFileSync(join(ROOT, 'persisted-query-manifest.config.json'), 'utf8')) as Record<string, unknown>;
      writeFileSync(config, JSON.stringify({ ...settings, output }));
      const run = spawnSync(join(ROOT, 'node_modules/.bin/generate-persisted-query-manifest'), ['--config', config], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      expect(run.status, run.stderr).toBe(0);
      expect(readFileSync(output, 'utf8')).toBe(readFileSync(APOLLO_MANIFEST, 'utf8'));
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
