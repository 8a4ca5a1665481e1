import type { AddressInfo } from 'node:net';
import { ConfigError, readConfig } from './config.js';
import { createLogger } from './logger.js';
import { createGateway, createHttpServer } from './server.js';
import { createSwrSimulator, type SwrSimulator } from './simulator/index.js';
import { createSwrClient } from './swr/client.js';

// Entry point: read config, start the simulator in demo mode, listen, stop cleanly on a signal.
async function main(): Promise<void> {
  let config;
  try {
    config = readConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`swr-gateway: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);

  let simulator: SwrSimulator | null = null;
  let endpoint = config.swrEndpoint;
  if (endpoint === null) {
    simulator = createSwrSimulator();
    endpoint = await simulator.listen(0, '127.0.0.1');
    logger.info(
      { simulator: endpoint },
      'SWR_ENDPOINT is not set: demo mode, serving demo data from the bundled SWR simulator (organization "demo", any non-empty token)',
    );
  }

  const upstreamLog = logger.child({ component: 'swr' });
  const client = createSwrClient({
    endpoint,
    timeoutMs: config.swrTimeoutMs,
    onCall: (call) => upstreamLog.debug(call, 'SWR call'),
  });
  const gateway = createGateway({ config, client, logger });
  const server = createHttpServer(gateway);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  logger.info(
    { port, host: config.host, upstream: config.swrEndpoint ?? 'simulator' },
    `swr-gateway listening on http://${shownHost}:${port}/graphql`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await client.close();
    await simulator?.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

await main();
