import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSwrSimulator, type SwrSimulator } from '../../src/simulator/index.js';
import { JOB_CHANGES, subscribeSse } from '../support/live.js';
import { exitCode, MAIN } from '../support/main-process.js';

// OpenTelemetry as an operator runs it: dist/main.js with the standard OTEL_ variables, exporting
// over OTLP/HTTP to a real HTTP server of the test that records what it receives, in front of the
// simulator (which records the headers SWR would get).

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
  events?: Array<{ name: string; attributes: Array<{ key: string; value: Record<string, unknown> }> }>;
  status?: { code?: number };
}

const TOKEN = 'tracing-secret-token-0123456789';
const INCOMING = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' };
const TRACEPARENT = `00-${INCOMING.traceId}-${INCOMING.spanId}-01`;

let simulator: SwrSimulator;
let simulatorUrl: string;
let receiver: Server;
let receiverUrl: string;
const exports: string[] = [];
const children: ChildProcess[] = [];
const directory = mkdtempSync(join(tmpdir(), 'swr-tracing-'));

beforeAll(async () => {
  simulator = createSwrSimulator();
  simulatorUrl = await simulator.listen(0, '127.0.0.1');
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      if (req.url === '/v1/traces') exports.push(body);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await simulator.close();
  await new Promise((resolve) => receiver.close(resolve));
  rmSync(directory, { recursive: true, force: true });
});
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  simulator.clearRequests();
  simulator.clearFaults();
  exports.length = 0;
});

// Starts dist/main.js with `env`, recording the modules it loads; resolves with its URL and log lines.
async function start(env: Record<string, string>) {
  const modulesFile = join(directory, `modules-${children.length}-${Date.now()}.json`);
  const child = spawn(process.execPath, ['--import', new URL('../support/record-modules.mjs', import.meta.url).pathname, MAIN.pathname], {
    env: {
      PATH: process.env.PATH ?? '',
      SWR_ENDPOINT: simulatorUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      RECORD_MODULES_FILE: modulesFile,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines: Array<Record<string, any>> = [];
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, any>;
      lines.push(entry);
      if (/listening on/.test(String(entry.msg))) resolve(`http://${entry.host}:${entry.port}/graphql`);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
  });
  const stop = async () => {
    child.kill('SIGTERM');
    expect(await exitCode(child)).toBe(0);
    return JSON.parse(readFileSync(modulesFile, 'utf8')) as string[];
  };
  return { url, lines, stop };
}

const TRACED = {
  OTEL_EXPORTER_OTLP_ENDPOINT: '',
  OTEL_SERVICE_NAME: 'swr-gateway-under-test',
  OTEL_BSP_SCHEDULE_DELAY: '50',
  LOG_LEVEL: 'debug',
};
const traced = () => ({ ...TRACED, OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl });

function spans(): OtlpSpan[] {
  return exports.flatMap(
    (body) =>
      (JSON.parse(body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> }).resourceSpans.flatMap((resource) =>
        resource.scopeSpans.flatMap((scope) => scope.spans),
      ) ?? [],
  );
}
const attribute = (span: OtlpSpan, key: string) => {
  const value = span.attributes.find((entry) => entry.key === key)?.value;
  return value === undefined ? undefined : Object.values(value)[0];
};

async function query(url: string, text: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-auth-token': TOKEN, ...headers },
    body: JSON.stringify({ query: text }),
  });
  return (await response.json()) as { data?: any; errors?: unknown[] };
}

describe('OpenTelemetry traces', () => {
  it('carries the incoming trace through the operation to the SWR call and its traceparent, with the service name, no token', async () => {
    const gateway = await start(traced());
    const answer = await query(
      gateway.url,
      'query Redis { repository(namespace: "demo", name: "redis") { syncJobs(first: 2) { totalCount } } }',
      {
        traceparent: TRACEPARENT,
      },
    );
    expect(answer.errors).toBeUndefined();
    await vi.waitFor(() => expect(spans().filter((span) => span.traceId === INCOMING.traceId)).toHaveLength(3), { timeout: 10_000 });
    const trace = spans().filter((span) => span.traceId === INCOMING.traceId);
    const server = trace.find((span) => span.kind === 2)!;
    const operation = trace.find((span) => span.name === 'query Redis')!;
    const call = trace.find((span) => span.kind === 3)!;
    expect(server).toMatchObject({ name: 'POST /graphql', parentSpanId: INCOMING.spanId });
    expect(attribute(server, 'http.response.status_code')).toBe(200);
    expect(operation.parentSpanId).toBe(server.spanId);
    expect(attribute(operation, 'graphql.operation.type')).toBe('query');
    expect(attribute(operation, 'graphql.document.hash')).toMatch(/^[0-9a-f]{64}$/);
    expect(call.parentSpanId).toBe(operation.spanId);
    expect(attribute(call, 'url.path')).toBe('/v2/manage/namespaces/demo/repos/redis/sync_job');
    expect(attribute(call, 'http.response.status_code')).toBe(200);
    expect(attribute(call, 'swr.attempts')).toBe(1);
    // SWR received the trace: the call's own span id as its parent.
    expect(simulator.requests.map((request) => request.headers.traceparent)).toEqual([`00-${INCOMING.traceId}-${call.spanId}-01`]);
    // The resource names the service; nothing exported holds the token; logs carry the trace id.
    expect(exports.join('')).toContain('"swr-gateway-under-test"');
    expect(exports.join('')).not.toContain(TOKEN);
    const logged = (message: string) => gateway.lines.filter((line) => line.msg === message);
    expect(logged('graphql operation').map((line) => line.trace_id)).toEqual([INCOMING.traceId]);
    expect(logged('SWR call').map((line) => line.trace_id)).toEqual([INCOMING.traceId]);
    const modules = await gateway.stop();
    expect(modules.some((module) => module.includes('@opentelemetry/sdk-trace-node'))).toBe(true);
  });

  it('gives each of many concurrent operations its own trace, down to the traceparent SWR receives', async () => {
    const gateway = await start(traced());
    const repositories = ['nginx', 'redis', 'webapp', 'team/api', 'nginx', 'redis'];
    const traceIds = repositories.map((_, index) => `${'ab'.repeat(15)}${String(index).padStart(2, '0')}`);
    const answers = await Promise.all(
      repositories.map((name, index) =>
        query(
          gateway.url,
          `query Page${index} { repository(namespace: "demo", name: "${name}") { syncJobs(first: ${index + 1}) { totalCount } } }`,
          {
            traceparent: `00-${traceIds[index]}-${INCOMING.spanId}-01`,
          },
        ),
      ),
    );
    expect(answers.map((answer) => answer.errors)).toEqual(repositories.map(() => undefined));
    await vi.waitFor(() => expect(spans().filter((span) => traceIds.includes(span.traceId))).toHaveLength(3 * repositories.length), {
      timeout: 10_000,
    });
    for (const [index, traceId] of traceIds.entries()) {
      const trace = spans().filter((span) => span.traceId === traceId);
      const server = trace.find((span) => span.kind === 2)!;
      const operation = trace.find((span) => span.name === `query Page${index}`)!;
      const call = trace.find((span) => span.kind === 3)!;
      expect(operation.parentSpanId).toBe(server.spanId);
      expect(call.parentSpanId).toBe(operation.spanId);
      expect(attribute(call, 'swr.filter')).toBe(`limit::${index + 1}|offset::0|order::desc`);
      expect(simulator.requests.filter((request) => request.headers.traceparent === `00-${traceId}-${call.spanId}-01`)).toHaveLength(1);
    }
    const operationLines = gateway.lines.filter((line) => line.msg === 'graphql operation');
    expect(operationLines.map((line) => [line.operation, line.trace_id]).sort()).toEqual(
      traceIds.map((traceId, index) => [`Page${index}`, traceId]).sort(),
    );
    await gateway.stop();
  });

  it('keeps a retried SWR call in one span of one trace, each try an event, each carrying the traceparent', async () => {
    const gateway = await start({ ...traced(), SWR_RETRIES: '1' });
    simulator.addFault({ repository: 'nginx', status: 503, times: 1, retryAfter: '0' });
    const answer = await query(gateway.url, '{ repository(namespace: "demo", name: "nginx") { syncJobs(first: 1) { totalCount } } }');
    expect(answer.errors).toBeUndefined();
    const tries = () => spans().filter((span) => span.kind === 3 && attribute(span, 'swr.repository') === 'nginx');
    await vi.waitFor(() => expect(tries()).toHaveLength(1), { timeout: 10_000 });
    const [call] = tries();
    expect(attribute(call!, 'swr.attempts')).toBe(2);
    expect(call!.events?.map((event) => event.name)).toEqual(['swr.try', 'swr.try']);
    expect(
      call!.events?.map((event) => Object.values(event.attributes.find((entry) => entry.key === 'http.response.status_code')!.value)[0]),
    ).toEqual([503, 200]);
    const parents = simulator.requests.map((request) => String(request.headers.traceparent));
    expect(parents).toEqual([`00-${call!.traceId}-${call!.spanId}-01`, `00-${call!.traceId}-${call!.spanId}-01`]);
    expect(exports.join('')).not.toContain(TOKEN);
    await gateway.stop();
  });

  it("traces a watch's polls as spans of their own, with their SWR calls under them", async () => {
    const gateway = await start({ ...traced(), WATCH_INTERVAL_MS: '100' });
    const subscription = await subscribeSse(gateway.url, JOB_CHANGES, { variables: { namespace: 'demo', name: 'team/api' }, token: TOKEN });
    try {
      await vi.waitFor(() => expect(spans().filter((span) => span.name === 'watch poll').length).toBeGreaterThanOrEqual(2), {
        timeout: 10_000,
      });
      const poll = spans().find((span) => span.name === 'watch poll')!;
      expect(attribute(poll, 'swr.repository')).toBe('team/api');
      expect(spans().some((span) => span.kind === 3 && span.parentSpanId === poll.spanId)).toBe(true);
      expect(exports.join('')).not.toContain(TOKEN);
    } finally {
      subscription.close();
    }
    await gateway.stop();
  });

  it('loads no OpenTelemetry SDK, exporter or tracing module without the OTEL_ variables, and sends no traceparent', async () => {
    const gateway = await start({});
    expect(
      (await query(gateway.url, '{ repository(namespace: "demo", name: "redis") { syncJobs(first: 1) { totalCount } } }')).errors,
    ).toBeUndefined();
    expect(simulator.requests.map((request) => request.headers.traceparent)).toEqual([undefined]);
    const modules = await gateway.stop();
    expect(modules.some((module) => module.includes('dist/main.js'))).toBe(true);
    expect(modules.filter((module) => /@opentelemetry\/(sdk-|exporter-|resources|core)|observability\/tracing\.js/.test(module))).toEqual(
      [],
    );
    expect(gateway.lines.some((line) => 'trace_id' in line)).toBe(false);
  });
});
