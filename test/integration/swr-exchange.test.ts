import { getEventListeners } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CallGroup } from '../../src/swr/call-signal.js';
import { createSwrClient, type SwrClient } from '../../src/swr/client.js';
import type { SwrSyncJob } from '../../src/swr/types.js';

// The client's exchange with SWR over a real socket: a loopback server answers as each test
// says (whole, streamed, oversized, stalled), and the client is the real one with its own undici Agent.

const job: SwrSyncJob = {
  id: 1,
  status: 'success',
  tag: '8',
  namespace: 'test',
  repoName: 'repo',
  remoteRegionId: 'cn-north-1',
  remoteNamespace: 'remote',
  override: false,
  domainID: 'd1',
  domainName: 'h4',
  syncOperatorId: 'o1',
  syncOperatorName: 'h4',
  createdAt: '2020-03-12T08:11:36.518144Z',
  updatedAt: '2020-03-12T08:11:41.505499Z',
};
const request = { token: 'tok', namespace: 'test', repository: 'repo', order: 'desc' as const, offset: 0, limit: 10 };
const MAX_BODY_BYTES = 4096;

type Answer = (req: IncomingMessage, res: ServerResponse) => void;
let answer: Answer;
let server: Server;
let origin: string;
// Requests the server received, and whether each one's connection was closed before it answered whole.
const received: Array<{ closedEarly: boolean }> = [];
const clients: SwrClient[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const record = { closedEarly: false };
    received.push(record);
    res.once('close', () => (record.closedEarly = !res.writableFinished));
    answer(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  server.closeAllConnections();
  received.length = 0;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

function client(timeoutMs = 5000, connections = 8): SwrClient {
  const created = createSwrClient({ endpoint: origin, timeoutMs, connections, maxBodyBytes: MAX_BODY_BYTES, retry: { retries: 0 } });
  clients.push(created);
  return created;
}

describe('the SWR exchange', () => {
  it('reads a body that arrives in many chunks, without Content-Length, as one page', async () => {
    const body = JSON.stringify([job, { ...job, id: 2 }]);
    answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-range': '0-2/7' });
      for (let at = 0; at < body.length; at += 50) res.write(body.slice(at, at + 50));
      res.end();
    };
    const page = await client().listSyncJobs(request);
    expect(page.items.map((item) => item.id)).toEqual([1, 2]);
    expect(page.total).toBe(7);
  });

  it('drops a UTF-8 byte order mark and keeps every other character', async () => {
    const named = { ...job, syncOperatorName: 'Zoë 测试' };
    answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify([named]))]));
    };
    expect((await client().listSyncJobs(request)).items).toEqual([named]);
  });

  it.each([
    ['by its Content-Length', true],
    ['as it streams, without Content-Length', false],
  ])('refuses a body larger than its limit %s as UPSTREAM_BAD_RESPONSE, and stops reading it', async (_label, withLength) => {
    // 64 MiB offered, more than the sockets' buffers hold: the server is still writing when the client stops.
    const chunk = `[${JSON.stringify(job)}`.padEnd(64 * 1024, ' ');
    const chunks = 1024;
    let written = 0;
    answer = (_req, res) => {
      res.writeHead(200, {
        'x-request-id': 'req-big',
        ...(withLength ? { 'content-length': String(chunk.length * chunks) } : {}),
      });
      // Written as the socket drains: a client that stopped reading stops the writes.
      const more = () => {
        while (written < chunks && !res.destroyed) {
          written += 1;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        if (!res.destroyed) res.end();
      };
      more();
    };
    await expect(client().listSyncJobs(request)).rejects.toMatchObject({
      code: 'UPSTREAM_BAD_RESPONSE',
      message: expect.stringContaining(`larger than ${MAX_BODY_BYTES} bytes`),
      upstream: { status: 200, requestId: 'req-big' },
    });
    await vi.waitFor(() => expect(received).toEqual([{ closedEarly: true }]));
  });

  it('cuts a body that stalls after its headers at the deadline (UPSTREAM_TIMEOUT) and closes the connection', async () => {
    answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[');
    };
    await expect(client(200).listSyncJobs(request)).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    await vi.waitFor(() => expect(received).toEqual([{ closedEarly: true }]));
  });

  it('aborts every call of a call group in flight when its signal aborts, sends none after, and listens to the signal once', async () => {
    answer = () => {}; // no answer: each call waits
    const controller = new AbortController();
    const group = CallGroup.of(controller.signal);
    const swr = client();
    const pending = ['a', 'b', 'c'].map((repository) =>
      swr.listSyncJobs({ ...request, repository, signal: group }).then(
        () => 'answered',
        (error: { code?: string }) => error.code,
      ),
    );
    await vi.waitFor(() => expect(received).toHaveLength(3));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    expect(await Promise.all(pending)).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED']);
    await vi.waitFor(() => expect(received).toEqual([{ closedEarly: true }, { closedEarly: true }, { closedEarly: true }]));
    await expect(swr.listSyncJobs({ ...request, signal: group })).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(received).toHaveLength(3);
  });

  it('cancels a call of a group that waits for a connection, which never reaches SWR', async () => {
    answer = () => {}; // no answer: the one connection stays busy
    const controller = new AbortController();
    const group = CallGroup.of(controller.signal);
    const swr = client(5000, 1);
    const settle = (promise: Promise<unknown>) =>
      promise.then(
        () => 'answered',
        (error: { code?: string }) => error.code,
      );
    const first = settle(swr.listSyncJobs({ ...request, repository: 'a', signal: group }));
    await vi.waitFor(() => expect(received).toHaveLength(1));
    const second = settle(swr.listSyncJobs({ ...request, repository: 'b', signal: group }));
    await vi.waitFor(() => expect(swr.pool()).toEqual({ inUse: 1, waiting: 1 }));
    controller.abort();
    expect(await Promise.all([first, second])).toEqual(['CANCELLED', 'CANCELLED']);
    expect(swr.pool()).toEqual({ inUse: 0, waiting: 0 });
    expect(received).toHaveLength(1);
  });
});
