/**
 * Entry point: runs the SWR simulator with demo data as its own process (benchmarks, soak tests,
 * trying the gateway against something that talks HTTP). `node dist/simulator/cli.js`
 * Environment: SIMULATOR_PORT (default 4010), SIMULATOR_HOST (default 127.0.0.1).
 */
import { createSwrSimulator } from './simulator.js';

/** Reads SIMULATOR_PORT; a bad value stops start-up with a message naming the variable. */
function portFromEnv(value: string | undefined): number {
  if (value === undefined || value === '') return 4010;
  const port = Number(value);
  if (!/^[0-9]+$/.test(value) || port > 65535) {
    throw new Error(`SIMULATOR_PORT must be an integer 0..65535, got '${value}'`);
  }
  return port;
}

/** Starts listening and wires the signals that end the process. */
async function main(): Promise<void> {
  const port = portFromEnv(process.env['SIMULATOR_PORT']);
  const host = process.env['SIMULATOR_HOST'] || '127.0.0.1';
  const simulator = createSwrSimulator();
  const url = await simulator.listen(port, host);
  console.log(`SWR simulator (demo data) listening on ${url}`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    // A second signal means the operator is done waiting.
    if (stopping) process.exit(1);
    stopping = true;
    simulator.close().then(
      () => {
        console.log(`SWR simulator stopped (${signal})`);
        process.exitCode = 0;
      },
      (error: unknown) => {
        console.error('SWR simulator failed to stop cleanly:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`SWR simulator failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
