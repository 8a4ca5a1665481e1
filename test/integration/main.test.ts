import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSwrSimulator, type SwrSimulator } from '../../src/simulator/index.js';
import { exitCode, MAIN, startMain as startMainProcess } from '../support/main-process.js';
import { freePort } from '../support/redis.js';

const children: ChildProcess[] = [];
const startMain = (env: Record<string, string>) => startMainProcess(env, children);

async function postQuery(url: string, query: string, token = 'any-token') {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-auth-token': token },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as { data?: any; errors?: unknown[] };
}

const QUERY = `{ repository(namespace: "demo", name: "redis") { syncJobs(first: 2) { totalCount nodes { id } } } }`;

let simulator: SwrSimulator;
let simulatorUrl: string;
beforeAll(async () => {
  expect(existsSync(MAIN), 'dist/main.js is missing: run `npm run build` (npm test does)').toBe(true);
  simulator = createSwrSimulator();
  simulatorUrl = await simulator.listen(0, '127.0.0.1');
});
afterAll(() => simulator.close());
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  simulator.clearRequests();
});

describe('npm start (dist/main.js)', () => {
  it('honours SWR_ENDPOINT, PORT and HOST', async () => {
    const { url, lines } = await startMain({ SWR_ENDPOINT: simulatorUrl, PORT: '0', HOST: '127.0.0.2', LOG_LEVEL: 'info' });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.2:\d+\/graphql$/);
    expect(lines.some((line) => /demo mode/.test(line.msg))).toBe(false);
    const response = await postQuery(url, QUERY, 'tok-main');
    expect(response.data.repository.syncJobs.totalCount).toBe(12);
    expect(simulator.requests.map((request) => [request.token, request.filter])).toEqual([['tok-main', 'limit::2|offset::0|order::desc']]);
    // HOST=127.0.0.2 means nothing answers on 127.0.0.1 at that port.
    await expect(fetch(url.replace('127.0.0.2', '127.0.0.1'))).rejects.toThrow();
  });

  it('listens on the PORT it is given', async () => {
    const port = await freePort();
    const { url } = await startMain({ SWR_ENDPOINT: simulatorUrl, PORT: String(port), HOST: '127.0.0.1' });
    expect(url).toBe(`http://127.0.0.1:${port}/graphql`);
  });

  it('serves demo data from the bundled simulator without SWR_ENDPOINT, and says so', async () => {
    const { url, lines } = await startMain({ PORT: '0', HOST: '127.0.0.1' });
    expect(lines.some((line) => /SWR_ENDPOINT is not set: demo mode/.test(line.msg))).toBe(true);
    const response = await postQuery(url, QUERY);
    expect(response.data.repository.syncJobs.totalCount).toBe(12);
    expect(simulator.requests).toHaveLength(0);
  });

  it(
    "runs the README's live-update curl as written in demo mode: demo/webapp changes by itself, events arrive",
    { timeout: 60_000 },
    async () => {
      const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
      const section = readme.slice(readme.indexOf('## Live updates'), readme.indexOf('## For frontend developers'));
      const curl = /curl -sN http:\/\/localhost:4000\/graphql ((?:-H '[^']+' )+)\\\n\s*-d '(\{"query".*\})'/.exec(section);
      expect(curl, 'no SSE curl in "Live updates"').not.toBeNull();
      const headers = Object.fromEntries(
        [...curl![1]!.matchAll(/-H '([^:]+): ([^']+)'/g)].map(([, name, value]) => [name!.toLowerCase(), value!]),
      );
      expect(headers.accept).toBe('text/event-stream');
      // No WATCH_INTERVAL_MS, no change made by the test: what a newcomer gets.
      const { url } = await startMain({ PORT: '0', HOST: '127.0.0.1' });
      const response = await fetch(url, { method: 'POST', headers, body: curl![2]! });
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const reader = response.body!.getReader();
      let text = '';
      while (!/event: next\ndata: (.*)\n/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
      await reader.cancel();
      const event = JSON.parse(/event: next\ndata: (.*)\n/.exec(text)![1]!) as {
        data: { syncJobChanged: { kind: string; job: { id: string } } };
      };
      expect(['CREATED', 'UPDATED']).toContain(event.data.syncJobChanged.kind);
      expect(event.data.syncJobChanged.job.id).toMatch(/^\d+$/);
    },
  );

  it('finishes every operation in flight on SIGTERM, then exits 0', async () => {
    const { child, url } = await startMain({ SWR_ENDPOINT: simulatorUrl, PORT: '0', HOST: '127.0.0.1', SHUTDOWN_GRACE_MS: '5000' });
    simulator.addFault({ latencyMs: 800 });
    try {
      const operations = Array.from({ length: 8 }, () => postQuery(url, QUERY));
      // All eight are in flight at SWR when the signal comes.
      await vi.waitFor(() => expect(simulator.inFlight).toBe(8));
      child.kill('SIGTERM');
      const responses = await Promise.all(operations);
      expect(responses.map((response) => response.data?.repository?.syncJobs?.totalCount)).toEqual(Array(8).fill(12));
      expect(await exitCode(child)).toBe(0);
    } finally {
      simulator.clearFaults();
    }
  });

  it('exits 0 on SIGTERM', async () => {
    const { child } = await startMain({ SWR_ENDPOINT: simulatorUrl, PORT: '0', HOST: '127.0.0.1' });
    child.kill('SIGTERM');
    expect(await exitCode(child)).toBe(0);
  });

  it('exits 0 on SIGTERM when its stdout is gone (a broken pipe), without waiting out the grace period', async () => {
    // The grace period is longer than this test may take: only a shutdown that finishes by itself passes.
    const { child } = await startMain({
      SWR_ENDPOINT: simulatorUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      SHUTDOWN_GRACE_MS: '60000',
      LOG_LEVEL: 'debug',
    });
    child.stdout!.destroy();
    child.kill('SIGTERM');
    expect(await exitCode(child)).toBe(0);
  });

  it.each([
    [{ PORT: 'eighty' }, /^swr-gateway: Invalid PORT: expected an integer from 0 to 65535, received "eighty"\n$/],
    [{ SWR_ENDPOINT: 'not a url' }, /^swr-gateway: Invalid SWR_ENDPOINT: /],
    [
      { SWR_ENDPOINT: 'https://swr-api.cn-north-4.myhuaweicloud.com/v2' },
      /^swr-gateway: Invalid SWR_ENDPOINT: expected an origin without a path/,
    ],
    [{ MAX_PAGE_SIZE: '10', DEFAULT_PAGE_SIZE: '20' }, /^swr-gateway: Invalid DEFAULT_PAGE_SIZE/],
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318' },
      /^swr-gateway: Invalid OTEL_EXPORTER_OTLP_ENDPOINT: expected an http:\/\/ or https:\/\/ URL/,
    ],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'not a url' }, /^swr-gateway: Invalid OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: /],
    [
      { HOST: 'no-such-host.invalid', PORT: '0' },
      /^swr-gateway: cannot listen on no-such-host\.invalid:0: HOST "no-such-host\.invalid" does not resolve \(set HOST\)\n$/,
    ],
    [
      { HOST: '192.0.2.1', PORT: '0' },
      /^swr-gateway: cannot listen on 192\.0\.2\.1:0: HOST is not an address of this machine \(set HOST\)\n$/,
    ],
  ])('stops on %j with one line naming the variable, exit 1', async (env, message) => {
    const { code, stderr } = await runToExit({ SWR_ENDPOINT: simulatorUrl, ...env });
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('prints its usage with --help and its version with --version, and starts nothing', async () => {
    const help = spawn(process.execPath, [MAIN.pathname, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let usage = '';
    help.stdout.on('data', (chunk) => (usage += chunk));
    expect(await exitCode(help)).toBe(0);
    expect(usage).toMatch(/^usage: node dist\/main\.js/);
    expect(usage).toContain('SWR_ENDPOINT');
    const version = spawn(process.execPath, [MAIN.pathname, '--version'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let printed = '';
    version.stdout.on('data', (chunk) => (printed += chunk));
    expect(await exitCode(version)).toBe(0);
    const { version: expected } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(printed).toBe(`swr-gateway ${expected}\n`);
  });

  it('stops with one line naming the document when PERSISTED_DOCUMENTS holds one that does not validate, exit 1', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'swr-main-persisted-'));
    try {
      const file = join(directory, 'persisted.json');
      writeFileSync(
        file,
        JSON.stringify({
          fine: '{ repository(namespace: "demo", name: "redis") { name } }',
          stale: '{ repository(namespace: "demo", name: "redis") { owner } }',
        }),
      );
      const { code, stderr } = await runToExit({ SWR_ENDPOINT: simulatorUrl, HOST: '127.0.0.1', PORT: '0', PERSISTED_DOCUMENTS: file });
      expect(code).toBe(1);
      expect(stderr).toMatch(
        new RegExp(
          /^swr-gateway: Invalid PERSISTED_DOCUMENTS: /.source +
            /expected documents that validate against the schema within the limits, received "/.source +
            /.*document stale: Cannot query field \\"owner\\" on type \\"Repository\\"\.?"\n$/.source,
        ),
      );
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('stops with one line naming PORT when the port is in use, exit 1', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as AddressInfo).port;
      const { code, stderr } = await runToExit({ SWR_ENDPOINT: simulatorUrl, HOST: '127.0.0.1', PORT: String(port) });
      expect(code).toBe(1);
      expect(stderr).toBe(`swr-gateway: cannot listen on 127.0.0.1:${port}: the port is in use (set PORT to a free port)\n`);
    } finally {
      taken.close();
    }
  });
});

// Runs dist/main.js with `env` until it exits; its exit code and all it wrote on stderr.
async function runToExit(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [MAIN.pathname], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await exitCode(child);
  await new Promise((resolve) => (child.stderr.readableEnded ? resolve(null) : child.stderr.once('close', resolve)));
  return { code, stderr };
}
