import { readFileSync } from 'node:fs';
import { createApp } from './app.js';
import { ConfigError, readConfig, type GatewayConfig } from './config.js';
import { tracingEndpointProblem, tracingRequested, type Tracing } from './observability/tracing-types.js';
import { createLogger, createStdoutDestination } from './observability/logger.js';
import type { SwrSimulator } from './simulator/index.js';

/** Extra time past the grace and drain periods before the process exits however far shutdown got. */
const SHUTDOWN_MARGIN_MS = 2000;

const USAGE = `usage: node dist/main.js [--help | --version]   (npm start builds and runs it)

swr-gateway serves GraphQL at http://HOST:PORT/graphql in front of the SWR API at SWR_ENDPOINT
(unset: demo mode, the bundled SWR simulator with demo data). It is configured by environment
variables only, among them:

  PORT, HOST                 where to listen (4000, 0.0.0.0)
  SWR_ENDPOINT               SWR origin, e.g. https://swr-api.cn-north-4.myhuaweicloud.com
  SWR_TIMEOUT_MS             deadline of one SWR call, retries included (10000)
  MAX_UPSTREAM_CALLS         SWR calls one operation may cost (50)
  CORS_ORIGINS               origins whose pages may call it: *, none, or a list (*)
  REDIS_URL                  Redis shared by replicas (unset: all in the process); needs TOKEN_HASH_SECRET
  RESPONSE_CACHE_TTL_MS      per-caller response cache TTL (0: off)
  SWR_RATE_LIMIT             SWR calls per second per caller, across replicas (0: no limit)
  LOG_LEVEL                  fatal, error, warn, info, debug, trace, silent (info)

The README's "Configuration" lists every variable and its default.`;

// Entry point: read config, start the simulator in demo mode, listen, shut down gracefully on a signal.
async function main(): Promise<void> {
  const flag = process.argv[2];
  if (flag === '--help' || flag === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (flag === '--version' || flag === '-v') {
    process.stdout.write(`swr-gateway ${packageVersion()}\n`);
    return;
  }
  if (flag !== undefined) fail(`unknown argument ${JSON.stringify(flag)}: try --help`);
  let config: GatewayConfig;
  try {
    config = readConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  const logs = createStdoutDestination();
  // OpenTelemetry only when the standard variables ask for it: otherwise none of it is loaded.
  let tracing: Tracing | null = null;
  const logger = createLogger(config.logLevel, logs);
  if (tracingRequested(process.env)) {
    const problem = tracingEndpointProblem(process.env);
    if (problem) fail(problem);
    const { startTracing } = await import('./observability/tracing.js');
    tracing = startTracing({ version: packageVersion(), logger });
  }

  let simulator: SwrSimulator | null = null;
  let endpoint = config.swrEndpoint;
  if (endpoint === null) {
    // Imported only in demo mode: a gateway in front of SWR does not carry the simulator.
    const { createSwrSimulator, startDemoActivity } = await import('./simulator/index.js');
    simulator = createSwrSimulator();
    endpoint = await simulator.listen(0, '127.0.0.1');
    // demo/webapp changes by itself, so that live updates show events without anyone pushing.
    startDemoActivity(simulator);
    logger.info(
      { simulator: endpoint },
      'SWR_ENDPOINT is not set: demo mode, serving demo data from the bundled SWR simulator ' +
        '(organization "demo", any non-empty token; demo/webapp changes every few seconds)',
    );
  }

  let app: ReturnType<typeof createApp>;
  try {
    app = createApp({ config, endpoint, logger, ...(tracing ? { tracing } : {}) });
  } catch (error) {
    // A file the configuration names (PERSISTED_DOCUMENTS) that cannot be used.
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  // Handlers before listening: a signal that arrives once we are reachable must never find the
  // default action (immediate death) still in place.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    // Whatever blocks shutdown (a stuck socket, a log destination that went away), the process
    // still ends shortly after the grace period.
    setTimeout(() => process.exit(0), config.shutdownDrainMs + config.shutdownGraceMs + SHUTDOWN_MARGIN_MS).unref();
    logger.info(
      { signal, graceMs: config.shutdownGraceMs, drainMs: config.shutdownDrainMs },
      'shutting down: finishing in-flight operations',
    );
    await app.shutdown(config.shutdownGraceMs, config.shutdownDrainMs);
    await simulator?.close();
    await tracing?.shutdown().catch(() => {});
    logger.info('stopped');
    await logs.drain(1000);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // One request must never end the process for all: a rejection nobody observed is a bug to log.
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection (a bug): the process goes on'));

  try {
    const { port } = await app.listen(config.port, config.host);
    const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    logger.info(
      { port, host: config.host, upstream: config.swrEndpoint ?? 'simulator' },
      `swr-gateway listening on http://${shownHost}:${port}/graphql`,
    );
  } catch (error) {
    fail(listenFailure(error, config));
  }
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** One line on stderr, exit 1: start-up refusals name what to change, without a stack trace. */
function fail(message: string): never {
  process.stderr.write(`swr-gateway: ${message}\n`);
  process.exit(1);
}

// Why listening failed, in terms of the variables that set it.
function listenFailure(error: unknown, config: GatewayConfig): string {
  const code = (error as { code?: unknown } | null)?.code;
  const where = `${config.host}:${config.port}`;
  if (code === 'EADDRINUSE') return `cannot listen on ${where}: the port is in use (set PORT to a free port)`;
  if (code === 'EACCES')
    return `cannot listen on ${where}: permission denied (set PORT to 1024 or above, or HOST to an address this user may bind)`;
  if (code === 'EADDRNOTAVAIL') return `cannot listen on ${where}: HOST is not an address of this machine (set HOST)`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return `cannot listen on ${where}: HOST ${JSON.stringify(config.host)} does not resolve (set HOST)`;
  return `cannot listen on ${where}: ${error instanceof Error ? error.message : String(error)} (check PORT and HOST)`;
}

await main();
