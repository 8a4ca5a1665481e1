// The live-updates phase of the benchmark alone (lib/live.mjs): `node bench/live.mjs [--smoke]`
// after `npm run build`. A full run: 1,000 SSE subscribers over 100 repositories, three change
// rounds (about half a minute); --smoke: 50 over 10, one round. Prints the summary; exit 0 when
// every subscriber got every event (a goal missed is in the summary, not the exit code), 1 when
// anything failed, 2 for a bad flag, 130/143 on SIGINT/SIGTERM. A watchdog bounds the run.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runLiveBench } from './lib/live.mjs';
import { stopAllChildren } from './lib/processes.mjs';

const USAGE = 'usage: node bench/live.mjs [--smoke] [--markdown]   (dist/ must be built: npm run build)';
const WATCHDOG_MS = 5 * 60_000;
const STOP_CHILDREN_MS = 8_000;

let options;
try {
  ({ values: options } = parseArgs({
    args: process.argv.slice(2),
    options: {
      smoke: { type: 'boolean', default: false },
      markdown: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  }));
} catch (error) {
  console.error(`bench/live: ${error.message}\n${USAGE}`);
  process.exit(2);
}
if (options.help) {
  console.log(`${USAGE}\n\n  --smoke     50 subscribers over 10 repositories, one round\n  --markdown  also print the RESULTS.md section`);
  process.exit(0);
}

let finishing = false;
/** The one way out: stop every child (bounded), then exit with `code`. */
async function finish(code, error) {
  if (finishing) return;
  finishing = true;
  if (error) console.error(`bench/live: ${error.message ?? error}`);
  await Promise.race([stopAllChildren(), new Promise((resolve) => setTimeout(resolve, STOP_CHILDREN_MS))]);
  process.exit(code);
}
process.once('SIGINT', () => void finish(130, new Error('interrupted (SIGINT); children stopped')));
process.once('SIGTERM', () => void finish(143, new Error('terminated (SIGTERM); children stopped')));
setTimeout(() => void finish(1, new Error(`watchdog: not done within ${WATCHDOG_MS / 1000} s`)), WATCHDOG_MS).unref();

async function main() {
  const missing = ['dist/main.js', 'dist/simulator/index.js'].filter((path) => !existsSync(new URL(`../${path}`, import.meta.url)));
  if (missing.length > 0) throw new Error(`${missing.join(', ')} missing: run \`npm run build\` first`);
  const { summary, markdown } = await runLiveBench({ smoke: options.smoke, log: (message) => console.log(`bench: ${message}`) });
  console.log(summary.join('\n'));
  if (options.markdown) console.log(`\n${markdown}`);
  return 0;
}

main().then(
  (code) => finish(code),
  (error) => finish(1, error),
);
