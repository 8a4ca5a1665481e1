import { request as httpRequest, type IncomingMessage } from 'node:http';
import { vi } from 'vitest';
import type { SwrSimulator } from '../../src/simulator/index.js';

/** One result of a subscription, as a client receives it. */
export interface LiveResult {
  data?: any;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, any> }>;
}

/** A subscription over GraphQL over SSE (distinct connections), read as it arrives. */
export interface SseSubscription {
  status: number;
  contentType: string | null;
  /** Every `next` result so far, in arrival order. */
  results: LiveResult[];
  /** True once the server sent `complete` (or the stream ended). */
  readonly completed: boolean;
  /** Resolves when the stream ends: `complete` if the server completed it, `cut` if the connection broke. */
  ended: Promise<'complete' | 'cut'>;
  /** Waits until at least `count` results have arrived; returns them all. */
  waitForResults(count: number, timeoutMs?: number): Promise<LiveResult[]>;
  /** Leaves (the client closes the stream). */
  close(): void;
}

/** The subscription the live tests mostly use. */
export const JOB_CHANGES = /* GraphQL */ `
  subscription JobChanges($namespace: String!, $name: String!) {
    syncJobChanged(namespace: $namespace, name: $name) {
      kind
      job {
        id
        status
        updatedAt
      }
    }
  }
`;

/** Subscribes over SSE (POST, `Accept: text/event-stream`). */
export async function subscribeSse(
  url: string,
  query: string,
  options: {
    variables?: Record<string, unknown>;
    token?: string | null;
    headers?: Record<string, string>;
    /** @default globalThis.fetch (a router in memory passes its own) */
    fetch?: (url: string, init: RequestInit) => Promise<Response>;
    /** Leaves when it aborts, even before the response has begun (a client gone while the watch reads its baseline). */
    signal?: AbortSignal;
  } = {},
): Promise<SseSubscription> {
  const controller = new AbortController();
  options.signal?.addEventListener('abort', () => controller.abort(), { once: true });
  const token = options.token === undefined ? 'token-demo' : options.token;
  const send = options.fetch ?? fetch;
  const response = await send(url, {
    method: 'POST',
    signal: controller.signal,
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(token === null ? {} : { 'x-auth-token': token }),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables: options.variables }),
  });
  const results: LiveResult[] = [];
  let completed = false;
  const reader = response.body!.getReader();
  const ended = (async (): Promise<'complete' | 'cut'> => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { done, value: chunk } = await reader.read();
        if (done) break;
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const { event, data } = sseMessageOf(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (event === 'complete') completed = true;
          else if (event === 'next' || (event === undefined && data)) results.push(JSON.parse(data) as LiveResult);
        }
      }
      return completed ? 'complete' : 'cut';
    } catch {
      return completed ? 'complete' : 'cut';
    } finally {
      completed = true;
    }
  })();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    results,
    get completed() {
      return completed;
    },
    ended,
    async waitForResults(count, timeoutMs = 15_000) {
      await vi.waitFor(
        () => {
          if (results.length < count) throw new Error(`${results.length} of ${count} results so far`);
        },
        { timeout: timeoutMs, interval: 10 },
      );
      return results;
    },
    close() {
      controller.abort();
      // A response in memory (a router's own fetch) is not cut by the signal: cancel its body too.
      reader.cancel().catch(() => {});
    },
  };
}

/** The sync_job calls the simulator received for one repository ('/' form). */
export function callsFor(simulator: SwrSimulator, repository: string, namespace = 'demo'): number {
  return simulator.requests.filter((request) => request.namespace === namespace && request.repository === repository).length;
}

/** Waits until the simulator has received `more` calls for the repository beyond `from`. */
export async function waitForCalls(simulator: SwrSimulator, repository: string, from: number, more = 1): Promise<number> {
  let now = from;
  await vi.waitFor(
    () => {
      now = callsFor(simulator, repository);
      if (now < from + more) throw new Error(`${now - from} of ${more} calls so far`);
    },
    { timeout: 15_000, interval: 5 },
  );
  return now;
}

/** A subscription over SSE on a raw HTTP request whose reading can be paused, with the stream's comments counted. */
export interface RawSseSubscription {
  /** Resolves once the response headers arrived: its status. */
  status: Promise<number>;
  /** Every `next` result so far, in arrival order. */
  results: LiveResult[];
  /** How many `:` comments (keep-alive pings) have arrived so far. */
  readonly comments: number;
  /** Resolves when the stream ends: `complete` if the server completed it, `cut` if the connection broke. */
  ended: Promise<'complete' | 'cut'>;
  /** Stops reading the response (its socket's buffers fill, and then the server's). */
  pause(): void;
  /** Reads on. */
  resume(): void;
  /** Leaves (destroys the request). */
  close(): void;
}

/**
 * Subscribes over SSE (POST, `Accept: text/event-stream`) with node:http, so that the client can
 * stop reading (`pause()`: the response is no longer read from the socket) as a stalled browser tab
 * would, and the keep-alive comments the server sends are seen.
 */
export function subscribeSseRaw(
  url: string,
  query: string,
  options: { variables?: Record<string, unknown>; token?: string; paused?: boolean } = {},
): RawSseSubscription {
  const body = JSON.stringify({ query, variables: options.variables });
  const results: LiveResult[] = [];
  let comments = 0;
  let completed = false;
  let response: IncomingMessage | null = null;
  let paused = options.paused ?? false;
  let resolveStatus!: (status: number) => void;
  const status = new Promise<number>((resolve) => (resolveStatus = resolve));
  const request = httpRequest(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      'content-length': Buffer.byteLength(body),
      'x-auth-token': options.token ?? 'token-demo',
    },
  });
  const ended = new Promise<'complete' | 'cut'>((resolve) => {
    const finish = () => resolve(completed ? 'complete' : 'cut');
    request.on('error', finish);
    request.on('response', (incoming) => {
      response = incoming;
      if (paused) incoming.pause();
      resolveStatus(incoming.statusCode ?? 0);
      incoming.setEncoding('utf8');
      let buffer = '';
      incoming.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const { event, data, comment } = sseMessageOf(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (comment) comments += 1;
          if (event === 'complete') completed = true;
          else if (event === 'next' || (event === undefined && data)) results.push(JSON.parse(data) as LiveResult);
        }
      });
      incoming.on('end', finish);
      incoming.on('close', finish);
      incoming.on('error', finish);
    });
  });
  request.end(body);
  return {
    status,
    results,
    get comments() {
      return comments;
    },
    ended,
    pause() {
      paused = true;
      response?.pause();
    },
    resume() {
      paused = false;
      response?.resume();
    },
    close() {
      request.destroy();
    },
  };
}

/** The value of one sample of /metrics (`name{labels}` as it is written there); 0 when it is not there yet. */
export async function metricValue(url: string, sample: string): Promise<number> {
  const metrics = await (await fetch(url.replace(/\/graphql$/, '/metrics'))).text();
  const line = metrics.split('\n').find((each) => each.startsWith(`${sample} `));
  return line === undefined ? 0 : Number(line.slice(sample.length + 1));
}

// One SSE message (the text before its blank line): its event name, its data lines joined, and
// whether it is only a comment (a keep-alive).
function sseMessageOf(message: string): { event: string | undefined; data: string; comment: boolean } {
  const lines = message.split('\n');
  return {
    event: lines
      .find((line) => line.startsWith('event:'))
      ?.slice(6)
      .trim(),
    data: lines
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trim())
      .join('\n'),
    comment: lines.every((line) => line.startsWith(':')),
  };
}
