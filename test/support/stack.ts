import { afterAll, beforeAll, beforeEach } from 'vitest';
import { readConfig, type GatewayConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { createApp, type App } from '../../src/app.js';
import { createSwrSimulator, type SimulatorData, type SwrSimulator } from '../../src/simulator/index.js';
import type { SwrClient } from '../../src/swr/client.js';
import type { Logger } from 'pino';
import type { Plugin } from 'graphql-yoga';

/** What a GraphQL response over HTTP looks like to a test. */
export interface GraphQLResponse {
  status: number;
  data?: any;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, any> }>;
  extensions?: Record<string, unknown>;
}

/** Options of startStack. */
export interface StackOptions {
  data?: SimulatorData;
  /** Environment overrides, as main reads them (e.g. SWR_TIMEOUT_MS). */
  env?: Record<string, string>;
  /** Point the gateway here instead of at the simulator (e.g. a closed port). */
  endpoint?: string;
  /** The gateway's logger. @default silent */
  logger?: Logger;
  /** Yoga plugins added after the gateway's own. */
  plugins?: Plugin[];
  /** How the SWR client waits before a retry. @default a real timer */
  retryWait?: (ms: number, signal: AbortSignal) => Promise<void>;
  /**
   * `query` goes to the Yoga instance in memory (`gateway.fetch`) rather than over the gateway's
   * port: for GraphQL semantics, where no socket is the point. SWR is still the simulator over
   * real HTTP. @default false
   */
  inMemory?: boolean;
}

/** A running simulator and gateway, each on its own loopback port, and a way to query. */
export interface Stack {
  simulator: SwrSimulator;
  app: App;
  client: SwrClient;
  config: GatewayConfig;
  url: string;
  query(
    query: string,
    options?: { variables?: Record<string, unknown>; token?: string | null; headers?: Record<string, string> },
  ): Promise<GraphQLResponse>;
  close(): Promise<void>;
}

/** Starts the bundled SWR simulator and the gateway (the app main.ts runs) on real loopback ports, reached through undici. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const simulator = createSwrSimulator(options.data ? { data: options.data } : {});
  const simulatorUrl = await simulator.listen(0, '127.0.0.1');
  const config = readConfig({ LOG_LEVEL: 'silent', ...options.env });
  const app = createApp({
    config,
    endpoint: options.endpoint ?? simulatorUrl,
    logger: options.logger ?? createLogger('silent'),
    ...(options.plugins ? { plugins: options.plugins } : {}),
    ...(options.retryWait ? { retryWait: options.retryWait } : {}),
  });
  const { port } = await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}/graphql`;

  return {
    simulator,
    app,
    client: app.client,
    config,
    url,
    async query(query, { variables, token = 'token-demo', headers = {} } = {}) {
      const send = options.inMemory ? (target: string, init: RequestInit) => app.gateway.fetch(target, init) : fetch;
      const response = await send(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          ...(token === null ? {} : { 'x-auth-token': token }),
          ...headers,
        },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, ...((await response.json()) as object) };
    },
    async close() {
      await app.shutdown(0);
      await simulator.close();
    },
  };
}

/** The filter strings the simulator received, in arrival order. */
export function recordedFilters(simulator: SwrSimulator): Array<string | null> {
  return simulator.requests.map((request) => request.filter);
}

/**
 * The stack of a test file: started before its tests, closed after them, and with the simulator's
 * recorded requests and faults cleared before each test. Returns the stack itself (a view that
 * reads through to it once beforeAll has started it), so tests write `stack.query(...)`.
 */
export function useStack(options: StackOptions = {}): Stack {
  let current: Stack | undefined;
  beforeAll(async () => {
    current = await startStack(options);
  });
  afterAll(() => current?.close());
  beforeEach(() => {
    current?.simulator.clearRequests();
    current?.simulator.clearFaults();
  });
  return new Proxy({} as Stack, {
    get(_target, property) {
      if (!current) throw new Error('The stack starts in beforeAll: use it inside tests and hooks');
      return Reflect.get(current, property);
    },
  });
}
