import { ConfigError, readConfig, type GatewayConfig } from './config.js';
import { createApp } from './app.js';
import { createLogger } from './observability/logger.js';
import type { SwrSimulator } from './simulator/index.js';

// Entry point: read config, start the simulator in demo mode, listen, shut down gracefully on a signal.
async function main(): Promise<void> {
  let config: GatewayConfig;
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
    // Imported only in demo mode: a gateway in front of SWR does not carry the simulator.
    const { createSwrSimulator } = await import('./simulator/index.js');
    simulator = createSwrSimulator();
    endpoint = await simulator.listen(0, '127.0.0.1');
    logger.info(
      { simulator: endpoint },
      'SWR_ENDPOINT is not set: demo mode, serving demo data from the bundled SWR simulator (organization "demo", any non-empty token)',
    );
  }

  const app = createApp({ config, endpoint, logger });
  // Handlers before listening: a signal that arrives once we are reachable must never find the
  // default action (immediate death) still in place.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, graceMs: config.shutdownGraceMs, drainMs: config.shutdownDrainMs }, 'shutting down: finishing in-flight operations');
    await app.shutdown(config.shutdownGraceMs, config.shutdownDrainMs);
    await simulator?.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // One request must never end the process for all: a rejection nobody observed is a bug to log.
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection (a bug): the process goes on'));
  process.on('SIGINT', () => void stop('SIGINT'));

  const { port } = await app.listen(config.port, config.host);
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  logger.info(
    { port, host: config.host, upstream: config.swrEndpoint ?? 'simulator' },
    `swr-gateway listening on http://${shownHost}:${port}/graphql`,
  );
}

await main();
