// Child processes of the benchmark (bench/run.mjs) and the soak test (scripts/soak.mjs): started
// with a deadline, always stopped.
//
// Every child is its own `node` process (so its pid is the server's, for RSS sampling) on
// 127.0.0.1. Children are tracked in one set: stopAllChildren() on the normal and error paths, and
// a synchronous SIGKILL in the 'exit' handler as the last resort; lib/orphan-guard.mjs, preloaded
// when `orphanGuard` asks for it, covers a parent killed with SIGKILL.
//
// A child says it is ready in one of three ways, and one deadline helper serves them all:
// startServer() knows the bench's two (a JSON line with `port`, which our own scripts print after
// listening on port 0; or, for dist/main.js at LOG_LEVEL=warn, which prints nothing at start, an
// HTTP readiness URL that answers 200); waitForLine() takes any line the caller recognises (the
// soak's simulator prints a bare URL, and its gateway at LOG_LEVEL=info a pino "listening on" line).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

/** The project's root folder (every server runs with it as its cwd). */
export const ROOT = new URL('../../', import.meta.url);
const ORPHAN_GUARD = new URL('./orphan-guard.mjs', import.meta.url);

/** How long a child gets to stop after SIGTERM before it is killed. */
export const STOP_GRACE_MS = 3_000;
const KILL_WAIT_MS = 2_000;
const READY_POLL_MS = 50;
/** Lines of a child's output kept for error messages. */
const TAIL_LINES = 20;
/** Lines of output waitForLine() shows when a child did not get ready. */
const SHOWN_LINES = 5;

/** Every child not yet known to have exited. */
const children = new Set();

process.on('exit', killAllChildrenNow);

/**
 * Use to start a `node` child with `args` and track it until it exits (stop it with
 * `handle.stop()`). `stdin: 'pipe'` for a child that stops when its stdin closes; `orphanGuard`
 * preloads lib/orphan-guard.mjs, for a child that cannot tell by itself that its parent is gone.
 */
export function spawnChild(name, args, { env, stdin = 'ignore', ipc = false, orphanGuard = false }) {
  const preload = orphanGuard ? ['--import', ORPHAN_GUARD.href] : [];
  const child = spawn(process.execPath, [...preload, ...args], {
    cwd: ROOT,
    env,
    stdio: [stdin, 'pipe', 'pipe', ...(ipc ? ['ipc'] : [])],
  });
  return createHandle(name, child);
}

/**
 * Use to start a Node server script as a child process and wait until it serves.
 * `ready` is `{ line: true }` (a stdout JSON line with `port`) or `{ url }` (polled until 200).
 * Resolves to a handle with `pid`, `baseUrl`, `stop()`, `request()` (IPC); rejects on exit or timeout.
 */
export async function startServer({ name, script, nodeArgs = [], env, ready, ipc = false, timeoutMs = 20_000 }) {
  const handle = spawnChild(name, [...nodeArgs, new URL(script, ROOT).pathname], {
    env: { PATH: process.env.PATH ?? '', ...env },
    ipc,
    orphanGuard: true,
  });
  try {
    const port = await withDeadline(
      handle,
      timeoutMs,
      () =>
        'line' in ready
          ? firstLineMatching(handle, portFromLine)
          : pollUntilOk(ready.url, handle).then(() => Number(new URL(ready.url).port)),
      {
        timedOut: `${name} did not get ready within ${timeoutMs} ms`,
        exited: () => `${name} exited (${handle.exitDescription}) before it was ready`,
        output: () => `its output:\n${handle.describeOutput()}`,
      },
    );
    handle.baseUrl = `http://127.0.0.1:${port}`;
    return handle;
  } catch (error) {
    await handle.stop();
    throw error;
  }
}

/**
 * Use when a child announces readiness in a line of its own making: resolves with
 * `{ value, lines }`, `value` being the first non-undefined `match(line)` of its stdout and `lines`
 * the readline over that stdout (to keep reading it); rejects on exit or after `timeoutMs`.
 */
export function waitForLine(handle, timeoutMs, match) {
  const seen = [];
  const matching = firstLineMatching(handle, (line) => {
    keepLast(seen, line);
    return match(line);
  });
  return withDeadline(handle, timeoutMs, () => matching.then((value) => ({ value, lines: handle.stdoutLines })), {
    timedOut: `${handle.name} did not start within ${timeoutMs} ms`,
    exited: () => `${handle.name} exited (${handle.exitSignal ?? handle.exitCode}) before it was ready`,
    output: () => `stdout: ${JSON.stringify(seen.slice(-SHOWN_LINES))}, stderr: ${JSON.stringify(handle.stderrTail.slice(-SHOWN_LINES))}`,
  });
}

/** Use to pick a port for a server that cannot listen on port 0 and report it (dist/main.js at LOG_LEVEL=warn). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Use on every way out: SIGTERM to every child, SIGKILL to those still there after a grace period. */
export async function stopAllChildren() {
  await Promise.all([...children].map((handle) => handle.stop()));
}

/** Synchronous last resort (exit handlers cannot wait): SIGKILL every child still running. */
export function killAllChildrenNow() {
  for (const handle of children) {
    try {
      handle.child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * Tracks a child: its exit, the tail of its output (stdout is always drained so it never blocks).
 * `tail` interleaves both streams, for the bench's messages; `stderrTail` is stderr alone, for the
 * soak's report, where the gateway's stdout is its own log and would crowd out the crash.
 */
function createHandle(name, child) {
  const handle = {
    name,
    child,
    pid: child.pid,
    baseUrl: null,
    exited: false,
    exitCode: null,
    exitSignal: null,
    exitDescription: null,
    /** Set when SIGTERM was not enough and the child was killed. */
    stoppedHard: false,
    tail: [],
    stderrTail: [],
    stdoutLines: createInterface({ input: child.stdout }),
    /** Describes the child's last output, for error messages. */
    describeOutput() {
      return handle.tail.length === 0 ? '(no output)' : handle.tail.join('\n');
    },
    stop: () => stopChild(handle),
    /** Sends an IPC message and resolves with the first reply of type `replyType` (with a deadline). */
    request: (message, replyType, timeoutMs = 5_000) => ipcRequest(handle, message, replyType, timeoutMs),
  };
  children.add(handle);
  handle.stdoutLines.on('line', (line) => keepLast(handle.tail, line));
  createInterface({ input: child.stderr }).on('line', (line) => {
    keepLast(handle.tail, line);
    keepLast(handle.stderrTail, line);
  });
  // A child that stops reading its piped stdin must not crash us with EPIPE.
  child.stdin?.on('error', () => {});
  child.once('error', (error) => keepLast(handle.tail, `spawn error: ${error.message}`));
  child.once('exit', (code, signal) => {
    handle.exited = true;
    handle.exitCode = code;
    handle.exitSignal = signal;
    handle.exitDescription = signal ?? `code ${code}`;
    children.delete(handle);
  });
  return handle;
}

/** Appends `line`, keeping the last TAIL_LINES. */
function keepLast(lines, line) {
  lines.push(line);
  if (lines.length > TAIL_LINES) lines.shift();
}

/** Resolves with the first non-undefined `match(line)` of the child's stdout. */
function firstLineMatching(handle, match) {
  return new Promise((resolve) => {
    const onLine = (line) => {
      const value = match(line);
      if (value === undefined) return;
      handle.stdoutLines.off('line', onLine);
      resolve(value);
    };
    handle.stdoutLines.on('line', onLine);
  });
}

/** `port` of a JSON line that has one, else undefined. */
function portFromLine(line) {
  let entry;
  try {
    entry = JSON.parse(line);
  } catch {
    return undefined;
  }
  return Number.isInteger(entry?.port) && entry.port > 0 ? entry.port : undefined;
}

/** Polls `url` until it answers 200; each try has its own short timeout. */
async function pollUntilOk(url, handle) {
  while (!handle.exited) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
}

/**
 * Runs `start()`, failing on the deadline or when the child exits first; `wording` words the
 * error (`timedOut`, `exited()`, then `; ` and `output()`). An exit fails a tick later, so the
 * child's last lines, which may be read after its 'exit', are in the message.
 */
function withDeadline(handle, timeoutMs, start, wording) {
  return new Promise((resolve, reject) => {
    const fail = (why) => {
      clearTimeout(timer);
      handle.child.off('exit', onExit);
      reject(new Error(`${why}; ${wording.output()}`));
    };
    const onExit = () => setImmediate(() => fail(wording.exited()));
    const timer = setTimeout(() => fail(wording.timedOut), timeoutMs);
    handle.child.once('exit', onExit);
    if (handle.exited) onExit();
    start().then(
      (value) => {
        clearTimeout(timer);
        handle.child.off('exit', onExit);
        resolve(value);
      },
      (error) => fail(error.message),
    );
  });
}

/** SIGTERM, then SIGKILL after STOP_GRACE_MS; resolves when the child is gone (or given up on). */
async function stopChild(handle) {
  if (handle.exited) return;
  const gone = new Promise((resolve) => handle.child.once('exit', resolve));
  // Unref'd: while the child runs, its own handle keeps us alive; these must not outlast it.
  const within = (ms) => Promise.race([gone.then(() => true), new Promise((resolve) => setTimeout(resolve, ms, false).unref())]);
  handle.child.kill('SIGTERM');
  if (await within(STOP_GRACE_MS)) return;
  handle.stoppedHard = true;
  handle.child.kill('SIGKILL');
  await within(KILL_WAIT_MS);
}

/** One IPC round trip with a deadline. */
function ipcRequest(handle, message, replyType, timeoutMs) {
  return new Promise((resolve, reject) => {
    const onMessage = (reply) => {
      if (reply?.type !== replyType) return;
      done();
      resolve(reply);
    };
    const onExit = () => {
      done();
      reject(new Error(`${handle.name} exited (${handle.exitDescription}) while we waited for '${replyType}'`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${handle.name} did not answer '${message.type}' within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      handle.child.off('message', onMessage);
      handle.child.off('exit', onExit);
    };
    handle.child.on('message', onMessage);
    handle.child.once('exit', onExit);
    if (handle.exited) return onExit();
    handle.child.send(message);
  });
}
