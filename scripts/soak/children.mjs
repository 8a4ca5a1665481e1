// The soak's two child processes, on 127.0.0.1: the soak simulator and the built gateway. Spawning,
// deadlines and stopping are bench/lib/processes.mjs's; what is the soak's own is how each is
// started and how it says it is ready.
import { spawnChild, waitForLine } from '../../bench/lib/processes.mjs';
import { SWR_TIMEOUT_MS } from './expected-errors.mjs';
import { SOAK_HEADERS_TIMEOUT_MS, SOAK_REQUEST_TIMEOUT_MS } from './hostile.mjs';
import { MAX_SAMPLES } from './stats.mjs';

const MAIN = new URL('../../dist/main.js', import.meta.url);
const SIMULATOR = new URL('../soak-simulator.mjs', import.meta.url);

/** How long each child gets to say it is ready. */
export const STARTUP_TIMEOUT_MS = 15_000;

/**
 * Use first: starts scripts/soak-simulator.mjs and resolves to `{ handle, url }` once it has
 * printed its base URL. Its stdin is a pipe from us, and it stops when that closes: that is how it
 * notices a parent killed with SIGKILL, so it needs no orphan guard.
 */
export async function spawnSimulator(env) {
  const handle = spawnChild('simulator', [SIMULATOR.pathname, '--exit-with-stdin'], { env, stdin: 'pipe' });
  const { value: url } = await waitForLine(handle, STARTUP_TIMEOUT_MS, (line) =>
    /^http:\/\/127\.0\.0\.1:\d+$/.test(line.trim()) ? line.trim() : undefined,
  );
  return { handle, url };
}

/**
 * Use once the simulator is up: starts dist/main.js against `simulatorUrl` and resolves to
 * `{ handle, url, log }` once it listens; `url` is its /graphql endpoint and `log` counts, live,
 * the warnings it logs from then on (`{ warnings, samples }`).
 */
export async function spawnGateway(simulatorUrl, env) {
  // dist/main.js is not ours to change and knows nothing of its parent: the orphan guard stops it
  // when we are killed without a chance to stop it. Its stdin stays the pipe it has always been
  // given (it never reads it), so it runs exactly as before.
  const handle = spawnChild('gateway', [MAIN.pathname], {
    // LOG_LEVEL=info, not warn: the "listening on" line (how PORT=0 is learnt) is an info line, and
    // the gateway logs nothing else at info until shutdown; warnings and errors are counted below.
    env: {
      ...env,
      SWR_ENDPOINT: simulatorUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      SWR_TIMEOUT_MS: String(SWR_TIMEOUT_MS),
      // Short, so that the hostile mix's slow sockets are cut within the run.
      HTTP_HEADERS_TIMEOUT_MS: String(SOAK_HEADERS_TIMEOUT_MS),
      HTTP_REQUEST_TIMEOUT_MS: String(SOAK_REQUEST_TIMEOUT_MS),
    },
    stdin: 'pipe',
    orphanGuard: true,
  });
  const { value: url, lines } = await waitForLine(handle, STARTUP_TIMEOUT_MS, listeningUrlFromLine);
  return { handle, url, log: countWarnings(lines) };
}

/** The /graphql URL from pino's "listening on" line, else undefined. */
function listeningUrlFromLine(line) {
  try {
    const entry = JSON.parse(line);
    return /listening on http:\/\//.test(String(entry.msg)) ? `http://${entry.host}:${entry.port}/graphql` : undefined;
  } catch {
    return undefined;
  }
}

/** Counts pino warn (40) and above as they come, keeping the first few; a line that is not JSON counts as an error. */
function countWarnings(lines) {
  const log = { warnings: 0, samples: [] };
  lines.on('line', (line) => {
    let level;
    try {
      level = JSON.parse(line).level;
    } catch {
      level = 50;
    }
    if (level >= 40) {
      log.warnings += 1;
      if (log.samples.length < MAX_SAMPLES) log.samples.push(line);
    }
  });
  return log;
}
