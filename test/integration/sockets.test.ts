import { connect, type Socket } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';

// Raw sockets: what a slow or flooding client does, byte by byte.
function openSocket(port: number): Promise<{ socket: Socket; received: () => string; closed: () => boolean }> {
  return new Promise((resolve, reject) => {
    let data = '';
    let closed = false;
    const socket = connect(port, '127.0.0.1', () => resolve({ socket, received: () => data, closed: () => closed }));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('close', () => (closed = true));
    socket.on('error', () => {});
    socket.once('error', reject);
  });
}

describe('slow clients', () => {
  let stack: Stack;
  let port: number;
  beforeAll(async () => {
    stack = await startStack({ env: { HTTP_HEADERS_TIMEOUT_MS: '500', HTTP_REQUEST_TIMEOUT_MS: '1000' } });
    port = Number(new URL(stack.url).port);
  });
  afterAll(() => stack.close());

  it('cuts a trickling body with 408 and closes the socket', async () => {
    const client = await openSocket(port);
    client.socket.write('POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"query":');
    const trickle = setInterval(() => client.socket.write(' '), 100);
    try {
      await vi.waitFor(() => expect(client.closed()).toBe(true), { timeout: 10_000 });
    } finally {
      clearInterval(trickle);
    }
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  it('cuts trickling headers with 408', async () => {
    const client = await openSocket(port);
    client.socket.write('GET /healthz HTTP/1.1\r\n');
    const trickle = setInterval(() => client.socket.write('X-A: b\r\n'), 100);
    try {
      await vi.waitFor(() => expect(client.closed()).toBe(true), { timeout: 10_000 });
    } finally {
      clearInterval(trickle);
    }
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  });
});

describe('a socket flood', () => {
  let stack: Stack;
  let port: number;
  beforeAll(async () => {
    stack = await startStack({ env: { HTTP_MAX_CONNECTIONS: '20' } });
    port = Number(new URL(stack.url).port);
  });
  afterAll(() => stack.close());

  it('cannot keep /healthz and /metrics out: the oldest idle sockets make room', async () => {
    const flood: Array<Awaited<ReturnType<typeof openSocket>>> = [];
    for (let index = 0; index < 60; index += 1) {
      const client = await openSocket(port);
      client.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
      flood.push(client);
    }
    await vi.waitFor(() => expect(flood.filter((client) => client.closed())).toHaveLength(40));
    expect(flood.slice(0, 40).every((client) => client.closed())).toBe(true);
    const health = await fetch(stack.url.replace('/graphql', '/healthz'));
    expect(health.status).toBe(200);
    const metrics = await (await fetch(stack.url.replace('/graphql', '/metrics'))).text();
    const open = Number(/^swr_gateway_http_connections (\d+)$/m.exec(metrics)?.[1]);
    expect(open).toBeLessThanOrEqual(20);
    expect(Number(/^swr_gateway_http_connections_evicted (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(42);
    for (const client of flood) client.socket.destroy();
  });
});

describe('shutdown', () => {
  it('moves looping keep-alive clients away without a single reset', async () => {
    const stack = await startStack({ env: { LOG_LEVEL: 'silent' } });
    const agent = new Agent({ keepAliveTimeout: 10_000, connections: 8 });
    const url = new URL(stack.url);
    let answered = 0;
    let closedByServer = 0;
    const failures: string[] = [];
    const loop = async () => {
      for (;;) {
        try {
          const response = await request(url, {
            dispatcher: agent,
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-auth-token': 't' },
            body: JSON.stringify({ query: '{ __typename }' }),
          });
          await response.body.text();
          answered += 1;
          if (response.headers.connection === 'close') closedByServer += 1;
        } catch (error) {
          failures.push(String((error as { code?: string }).code ?? (error as Error).message));
          return;
        }
      }
    };
    const loops = Array.from({ length: 8 }, loop);
    await vi.waitFor(() => expect(answered).toBeGreaterThan(200));
    await stack.app.shutdown(5000);
    await Promise.all(loops);
    await agent.close();
    await stack.simulator.close();
    // Every loop ends when it finds the listener closed; none was cut off mid-exchange.
    expect(failures).toHaveLength(8);
    expect(new Set(failures)).toEqual(new Set(['ECONNREFUSED']));
    expect(closedByServer).toBeGreaterThan(0);
  });

  it('answers a request whose headers were still arriving when shutdown began, however long its socket seemed idle', async () => {
    const stack = await startStack({ env: { LOG_LEVEL: 'silent' } });
    const port = Number(new URL(stack.url).port);
    const body = JSON.stringify({ query: '{ __typename }' });
    const wire = `POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`;
    const answered = (client: { received: () => string }, count: number) =>
      vi.waitFor(() => expect(client.received().split('"Query"').length - 1).toBe(count));
    const slow = await openSocket(port);
    const idle = await openSocket(port);
    slow.socket.write(wire);
    await answered(slow, 1);
    idle.socket.write(wire);
    await answered(idle, 1);
    // The slow client's next request begins: a few bytes, the rest later.
    slow.socket.write(wire.slice(0, 20));
    const shutdown = stack.app.shutdown(5000);
    // Shutdown closes a truly idle socket once it has been idle a moment; the slow one, idle for
    // longer by the clock but mid-request, must stay.
    await vi.waitFor(() => expect(idle.closed()).toBe(true), { timeout: 5000 });
    expect(slow.closed()).toBe(false);
    slow.socket.write(wire.slice(20));
    await answered(slow, 2);
    expect(slow.received()).toMatch(/connection: close/i);
    await shutdown;
    await stack.simulator.close();
  });
});
