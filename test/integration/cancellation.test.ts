import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
// The gateway's log lines, parsed.
const logged: Array<Record<string, unknown>> = [];
beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logged.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  stack = await startStack({ env: { SWR_TIMEOUT_MS: '10000' }, logger: createLogger('info', sink) });
});
afterAll(() => stack.close());

describe('cancellation', () => {
  it('aborts the upstream calls of an operation whose caller went away', async () => {
    stack.simulator.addFault({ hang: true });
    const controller = new AbortController();
    const pending = fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': 't' },
      body: JSON.stringify({
        query:
          '{ a: repository(namespace: "demo", name: "nginx") { syncJobs { totalCount } } ' +
          'b: repository(namespace: "demo", name: "redis") { syncJobs { totalCount } } }',
      }),
      signal: controller.signal,
    });
    await vi.waitFor(() => expect(stack.simulator.inFlight).toBe(2));
    controller.abort();
    await expect(pending).rejects.toThrow();
    // The gateway closes its upstream requests (SWR_TIMEOUT_MS is 10 s, the test's own timeout shorter).
    await vi.waitFor(() => expect(stack.simulator.inFlight).toBe(0));
    expect(stack.simulator.requests.map((request) => request.aborted)).toEqual([true, true]);
    stack.simulator.clearFaults();

    // A caller going away is no SWR failure: the tries count as cancelled, never as errors.
    const metricsUrl = stack.url.replace('/graphql', '/metrics');
    let metrics = '';
    await vi.waitFor(async () => {
      metrics = await (await fetch(metricsUrl)).text();
      expect(metrics).toMatch(/swr_gateway_upstream_calls_total\{status_class="cancelled"\} 2$/m);
    });
    expect(metrics).not.toMatch(/swr_gateway_upstream_calls_total\{status_class="(timeout|network)"\}/);
    expect(metrics).not.toMatch(/swr_gateway_graphql_errors_total\{code="UPSTREAM_/);
    // Nor is it an error of the gateway's: no error-level line (and no stack) for it in the log.
    await vi.waitFor(() => expect(logged.some((entry) => entry.outcome === 'cancelled')).toBe(true));
    expect(logged.filter((entry) => Number(entry.level) >= 50)).toEqual([]);
  });

  it('lets a caller leave in the middle of its request body without an error of the gateway', async () => {
    const before = logged.length;
    const { port } = new URL(stack.url);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      'POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n' +
        'content-length: 1000\r\nx-auth-token: t\r\n\r\n{"query":',
    );
    // The gateway is reading the body when the caller leaves, and is done with the request after.
    await vi.waitFor(() => expect(stack.app.http.inFlight()).toBe(1));
    socket.destroy();
    await vi.waitFor(() => expect(stack.app.http.inFlight()).toBe(0));
    expect(logged.slice(before).filter((entry) => Number(entry.level) >= 50)).toEqual([]);
    // And the gateway goes on serving.
    expect((await stack.query('{ __typename }')).data).toEqual({ __typename: 'Query' });
  });
});
