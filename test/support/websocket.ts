import { createClient, type Client } from 'graphql-ws';
import { vi } from 'vitest';
import WebSocket from 'ws';
import type { LiveResult } from './live.js';

/** A graphql-ws client of the gateway (the `graphql-ws` package over `ws`), one socket, no retries. */
export function wsClient(httpUrl: string, connectionParams?: Record<string, unknown>): Client {
  return createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    ...(connectionParams ? { connectionParams } : {}),
    retryAttempts: 0,
    lazy: true,
  });
}

/** One operation of a graphql-ws client, recorded. */
export interface WsOperation {
  results: LiveResult[];
  /** The `error` message's errors, if the server sent one. */
  errors: Array<{ message: string; extensions?: Record<string, any> }> | null;
  readonly completed: boolean;
  ended: Promise<'complete' | 'error'>;
  waitForResults(count: number): Promise<LiveResult[]>;
  stop(): void;
}

/** Runs an operation (a subscription, or a query) on a client, recording what comes back. */
export function wsOperation(client: Client, query: string, variables?: Record<string, unknown>): WsOperation {
  const results: LiveResult[] = [];
  let completed = false;
  let errors: WsOperation['errors'] = null;
  let stop = () => {};
  const ended = new Promise<'complete' | 'error'>((resolve) => {
    stop = client.subscribe(
      { query, ...(variables ? { variables } : {}) },
      {
        next: (result) => void results.push(result as LiveResult),
        error: (error) => {
          completed = true;
          errors = Array.isArray(error)
            ? (error as NonNullable<WsOperation['errors']>)
            : [{ message: String((error as Error).message ?? error) }];
          resolve('error');
        },
        complete: () => {
          completed = true;
          resolve('complete');
        },
      },
    );
  });
  return {
    results,
    get errors() {
      return errors;
    },
    get completed() {
      return completed;
    },
    ended,
    async waitForResults(count) {
      await vi.waitFor(
        () => {
          if (results.length < count) throw new Error(`${results.length} of ${count} results so far`);
        },
        { timeout: 20_000, interval: 10 },
      );
      return results;
    },
    stop: () => stop(),
  };
}

/** A raw socket speaking graphql-transport-ws by hand (for what a client library hides), its messages parsed. */
export interface RawSocket {
  socket: WebSocket;
  messages: any[];
  opened: Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  /** The HTTP status of a refused upgrade. */
  failed: Promise<number>;
  /** Sends connection_init with `payload` and waits for the ack. */
  init(payload?: Record<string, unknown>): Promise<void>;
}

/** Opens a raw socket to the gateway at `httpUrl`. */
export function rawSocket(
  httpUrl: string,
  options: {
    protocol?: string;
    headers?: Record<string, string>;
    /** Answer pings (as browsers do). @default true */ autoPong?: boolean;
  } = {},
): RawSocket {
  const protocol = options.protocol ?? 'graphql-transport-ws';
  const socket = new WebSocket(httpUrl.replace(/^http/, 'ws'), protocol ? [protocol] : [], {
    headers: options.headers ?? {},
    autoPong: options.autoPong ?? true,
  });
  // A refused handshake is an error event too; the tests read the refusal itself.
  socket.on('error', () => {});
  const messages: any[] = [];
  socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8'))));
  const opened = new Promise<void>((resolve) => socket.on('open', () => resolve()));
  return {
    socket,
    messages,
    opened,
    closed: new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') }))),
    failed: new Promise((resolve) => socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0))),
    async init(payload) {
      await opened;
      socket.send(JSON.stringify({ type: 'connection_init', ...(payload ? { payload } : {}) }));
      await vi.waitFor(() => {
        if (!messages.some((message) => message.type === 'connection_ack')) throw new Error('no connection_ack yet');
      });
    },
  };
}

/**
 * A subscription whose every event is large (90 aliased copies of the job, tens of KB): a few
 * hundred of them fill the socket buffers of a client that stops reading, and then its queue.
 */
export function bigEventSubscription(namespace: string, name: string): string {
  const fields =
    'id status tag namespace repoName remoteRegionId remoteNamespace override domainId domainName ' +
    'syncOperatorId syncOperatorName createdAt updatedAt';
  const copies = Array.from({ length: 90 }, (_, index) => `j${index}: job { ${fields} }`).join(' ');
  return `subscription Big { syncJobChanged(namespace: "${namespace}", name: "${name}") { kind ${copies} } }`;
}

/**
 * Subscribes on a socket that then stops reading (paused) while `provoke` makes more events than
 * socket buffers and the subscriber's queue hold; resumes, and resolves to the socket's messages
 * once the server completed the subscription.
 */
export async function overrunSubscriber(
  httpUrl: string,
  repository: { namespace: string; name: string },
  provoke: () => Promise<void>,
): Promise<any[]> {
  const slow = rawSocket(httpUrl);
  await slow.init({ 'X-Auth-Token': 'token-demo' });
  slow.socket.send(
    JSON.stringify({ id: 'slow', type: 'subscribe', payload: { query: bigEventSubscription(repository.namespace, repository.name) } }),
  );
  slow.socket.pause();
  try {
    await provoke();
  } finally {
    slow.socket.resume();
  }
  await vi.waitFor(
    () => {
      if (slow.messages.at(-1)?.type !== 'complete') throw new Error(`${slow.messages.length} messages, not complete yet`);
    },
    { timeout: 20_000 },
  );
  slow.socket.terminate();
  return slow.messages;
}
