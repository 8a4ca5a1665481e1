import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse, print } from 'graphql';
import type { Browser, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { GRAPHIQL_DEFAULT_QUERY } from '../../src/http/graphiql.js';
import { launchChromium, monacoLines, openOfflinePage, type OfflinePage } from '../support/browser.js';
import { startStack, type Stack } from '../support/stack.js';

// GraphiQL as a person meets it: Debian's Chromium opens /graphql on the demo-mode gateway, with
// no network but loopback, and runs the default query with the pre-filled token header.
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
/**
 * Tall enough for Monaco to render every line of the default query's result, and wide enough that
 * no line of it wraps (a cursor is about 140 characters): see monacoLines.
 */
const VIEWPORT = { width: 3600, height: 1900 };
/** What the pre-filled header should make the browser send, and the simulator receive. */
const DEMO_TOKEN = 'demo-token';
/** A subscription a person might try in GraphiQL. */
const LIVE_SUBSCRIPTION = `subscription WebappJobs {
  syncJobChanged(namespace: "demo", name: "webapp") {
    kind
    job { id status updatedAt }
  }
}`;

let stack: Stack;
let browser: Browser;
let offline: OfflinePage;

beforeAll(async () => {
  stack = await startStack({ env: { WATCH_INTERVAL_MS: '100' } });
  browser = await launchChromium();
  offline = await openOfflinePage(browser, new URL(stack.url).origin, VIEWPORT);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** The POST that runs the default query (GraphiQL also POSTs an introspection query on load). */
const isDefaultQueryPost = (request: Request) =>
  request.method() === 'POST' && request.url() === stack.url && request.postDataJSON()?.operationName === 'NginxSyncJobs';

describe('GraphiQL in Chromium', () => {
  it('runs the default query with the pre-filled token, offline and without errors', { timeout: 120_000 }, async () => {
    const { page } = offline;
    onTestFailed(async () => {
      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: `${ARTIFACTS}graphiql-failure.png` }).catch(() => {});
    });

    // A navigation asks for text/html, so Yoga answers with GraphiQL rather than a GraphQL error.
    const navigation = await page.goto(stack.url, { waitUntil: 'load' });
    expect(navigation?.status()).toBe(200);
    expect((await navigation!.request().allHeaders()).accept).toMatch(/text\/html/);
    expect(navigation?.headers()['content-type']).toMatch(/text\/html/);
    await expect(page.title()).resolves.toBe('swr-gateway');

    const queryEditor = page.getByRole('region', { name: 'Operation Editor' });
    await expect.poll(() => monacoLines(queryEditor), { timeout: 30_000 }).toContain('query NginxSyncJobs($after: String) {');
    expect((await monacoLines(queryEditor)).join('\n')).toBe(GRAPHIQL_DEFAULT_QUERY);
    // The Headers tab is open; its editor shows the pre-filled header (Variables' is hidden).
    const headersEditor = page.getByRole('region', { name: 'Headers' }).locator('.graphiql-editor:not(.hidden)');
    expect(JSON.parse((await monacoLines(headersEditor)).join('\n'))).toEqual({ 'X-Auth-Token': DEMO_TOKEN });

    stack.simulator.clearRequests();
    const posted = page.waitForRequest(isDefaultQueryPost);
    const answered = page.waitForResponse((response) => isDefaultQueryPost(response.request()));
    await page.getByRole('button', { name: 'Execute query (Ctrl-Enter)' }).click();

    const resultPane = page.locator('.graphiql-response');
    const resultText = async () => (await monacoLines(resultPane)).join('\n');
    await expect.poll(resultText, { timeout: 30_000 }).toContain('"totalCount": 47');
    expect(await resultText()).toContain('"hasNextPage": true');

    const request = await posted;
    expect(await request.headerValue('x-auth-token')).toBe(DEMO_TOKEN);
    // GraphiQL sends the operation compacted (no comments or spacing): compare documents, not text.
    const sent = request.postDataJSON();
    expect(sent.operationName).toBe('NginxSyncJobs');
    expect(print(parse(sent.query))).toBe(print(parse(GRAPHIQL_DEFAULT_QUERY)));
    expect((await answered).status()).toBe(200);
    // The gateway forwarded the caller's token: exactly one upstream call, the first page of five.
    expect(
      stack.simulator.requests.map(({ method, namespace, repository, filter, token, status }) => ({
        method,
        namespace,
        repository,
        filter,
        token,
        status,
      })),
    ).toEqual([
      { method: 'GET', namespace: 'demo', repository: 'nginx', filter: 'limit::5|offset::0|order::desc', token: DEMO_TOKEN, status: 200 },
    ]);

    // The pane holds the whole response (pretty-printed JSON), the same as the gateway answers over HTTP.
    const shown = JSON.parse(await resultText());
    const { status, ...overHttp } = await stack.query(GRAPHIQL_DEFAULT_QUERY, { token: DEMO_TOKEN });
    expect(status).toBe(200);
    expect(shown).toEqual(overHttp);
    const { namespace, name, syncJobs } = shown.data.repository;
    expect({ namespace, name, totalCount: syncJobs.totalCount, edges: syncJobs.edges.length }).toEqual({
      namespace: 'demo',
      name: 'nginx',
      totalCount: 47,
      edges: 5,
    });
    expect(syncJobs.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false, endCursor: syncJobs.edges[4].cursor });
    expect(syncJobs.edges[0].node).toEqual({
      id: expect.any(String),
      status: expect.any(String),
      tag: expect.any(String),
      remoteRegionId: expect.any(String),
      remoteNamespace: expect.any(String),
      createdAt: expect.any(String),
    });

    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}graphiql.png` });

    // Last, so that they cover everything the page did, including the run.
    expect(offline.foreignRequests, 'requests to another origin').toEqual([]);
    expect(offline.pageErrors, 'uncaught page errors').toEqual([]);
    expect(offline.consoleErrors, 'console errors').toEqual([]);
  });

  it('runs a subscription over SSE and shows each event as it arrives', { timeout: 120_000 }, async () => {
    const live = await openOfflinePage(browser, new URL(stack.url).origin, VIEWPORT);
    try {
      const { page } = live;
      // GraphiQL takes the operation from the address, as a shared link would.
      await page.goto(`${stack.url}?query=${encodeURIComponent(LIVE_SUBSCRIPTION)}`, { waitUntil: 'load' });
      const queryEditor = page.getByRole('region', { name: 'Operation Editor' });
      await expect.poll(() => monacoLines(queryEditor), { timeout: 30_000 }).toContain('subscription WebappJobs {');
      // GraphQL over SSE: a GET with the operation in the address, asking for an event stream.
      const streamed = page.waitForRequest(
        (request) => request.method() === 'GET' && new URL(request.url()).searchParams.get('operationName') === 'WebappJobs',
      );
      await page.getByRole('button', { name: 'Execute query (Ctrl-Enter)' }).click();
      const request = await streamed;
      expect(await request.headerValue('accept')).toMatch(/text\/event-stream/);
      expect(await request.headerValue('x-auth-token')).toBe(DEMO_TOKEN);
      await expect.poll(() => stack.app.live.subscribers, { timeout: 30_000 }).toBe(1);
      await expect
        .poll(() => stack.simulator.requests.filter((call) => call.repository === 'webapp').length, { timeout: 30_000 })
        .toBeGreaterThan(0);

      const resultText = async () => (await monacoLines(page.locator('.graphiql-response'))).join('\n');
      const [created] = stack.simulator.createJobs({ namespace: 'demo', repository: 'webapp' });
      await expect.poll(resultText, { timeout: 30_000 }).toContain(`"id": "${created!.id}"`);
      expect(await resultText()).toContain('"kind": "CREATED"');
      stack.simulator.updateJob({ namespace: 'demo', repository: 'webapp', id: created!.id, status: 'success' });
      await expect.poll(resultText, { timeout: 30_000 }).toContain('"kind": "UPDATED"');
      expect(await resultText()).toContain('"status": "SUCCESS"');
      expect(live.foreignRequests, 'requests to another origin').toEqual([]);
      expect(live.pageErrors, 'uncaught page errors').toEqual([]);
    } finally {
      await live.context.close();
    }
    // Closing the page ends the stream: the watch stops.
    await expect.poll(() => stack.app.live.watches, { timeout: 30_000 }).toBe(0);
  });

  it('would see and stop a request to another host', async () => {
    // Proves the offline guard above is live: without it, "no foreign request" would prove nothing.
    const probe = await openOfflinePage(browser, new URL(stack.url).origin);
    try {
      await probe.page.goto(stack.url.replace('/graphql', '/healthz'));
      const fetched = await probe.page.evaluate(() =>
        fetch('https://example.com/tracker.js').then(
          () => 'reached',
          (error: Error) => `failed: ${error.message}`,
        ),
      );
      expect(fetched).toMatch(/^failed/);
      expect(probe.foreignRequests).toEqual(['GET https://example.com/tracker.js']);
    } finally {
      await probe.context.close();
    }
  });
});
