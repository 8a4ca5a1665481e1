// The soak test's command line: `--duration`, `--concurrency`, `--max-operations`, `--help`.
import { parseArgs } from 'node:util';

const USAGE = 'usage: node scripts/soak.mjs [--duration SECONDS (60)] [--concurrency N (200)] [--max-operations N (no cap)]';

/**
 * Use once at start: reads the command line into `{ durationMs, concurrency, maxOperations }`
 * (`maxOperations` Infinity without a cap). Prints the usage and exits 0 on `--help`, and exits 2
 * with a message on a bad value, so the caller never sees either.
 */
export function optionsFromArgv(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        duration: { type: 'string', default: '60' },
        concurrency: { type: 'string', default: '200' },
        'max-operations': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    usage(error.message);
  }
  if (values.help) usage();
  const duration = Number(values.duration);
  if (!Number.isFinite(duration) || duration <= 0 || duration > 3600)
    usage(`--duration: expected seconds in (0, 3600], received ${JSON.stringify(values.duration)}`);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 10_000) {
    usage(`--concurrency: expected an integer 1..10000, received ${JSON.stringify(values.concurrency)}`);
  }
  let maxOperations = Infinity;
  if (values['max-operations'] !== undefined) {
    maxOperations = Number(values['max-operations']);
    if (!Number.isInteger(maxOperations) || maxOperations < 1) {
      usage(`--max-operations: expected a positive integer, received ${JSON.stringify(values['max-operations'])}`);
    }
  }
  return { durationMs: duration * 1000, concurrency, maxOperations };
}

/** Prints the usage (to stderr with the problem, exit 2; else to stdout, exit 0). */
function usage(problem) {
  if (problem) {
    console.error(`soak: ${problem}\n${USAGE}`);
    process.exit(2);
  }
  console.log(USAGE);
  process.exit(0);
}
