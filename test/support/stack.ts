import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readConfig, type GatewayConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createGateway, createHttpServer } from '../../src/server.js';
import { createSwrSimulator, type SimulatorData, type SwrSimulator } from '../../src/simulator/index.js';
import { createSwrClient, type SwrClient } from '../../src/swr/client.js';

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
}

/** A running simulator and gateway, each on its own loopback port, and a way to query. */
export interface Stack {
  simulator: SwrSimulator;
  client: SwrClient;
  config: GatewayConfig;
  url: string;
  query(
    query: string,
    options?: { variables?: Record<string, unknown>; token?: string | null; headers?: Record<string, string> },
  ): Promise<GraphQLResponse>;
  close(): Promise<void>;
}

/** Starts the bundled SWR simulator and the gateway on real loopback ports, reached through undici. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const simulator = createSwrSimulator(options.data ? { data: options.data } : {});
  const simulatorUrl = await simulator.listen(0, '127.0.0.1');
  const config = readConfig({ LOG_LEVEL: 'silent', ...options.env });
  const client = createSwrClient({ endpoint: options.endpoint ?? simulatorUrl, timeoutMs: config.swrTimeoutMs });
  const gateway = createGateway({ config, client, logger: createLogger('silent') });
  const server: Server = createHttpServer(gateway);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;

  return {
    simulator,
    client,
    config,
    url,
    async query(query, { variables, token = 'token-demo', headers = {} } = {}) {
      const response = await fetch(url, {
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
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await client.close();
      await simulator.close();
    },
  };
}

/** The filter strings the simulator received, in arrival order. */
export function recordedFilters(simulator: SwrSimulator): Array<string | null> {
  return simulator.requests.map((request) => request.filter);
}
