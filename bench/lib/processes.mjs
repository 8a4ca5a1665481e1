// Child processes of the benchmark: started with a deadline, always stopped.
//
// Every server runs as its own `node` process (so its pid is the server's, for RSS sampling) on
// 127.0.0.1. A server is ready either when it prints a JSON line with `port` (our own scripts
// listen on port 0 and say which port they got) or, for dist/main.js at LOG_LEVEL=warn (which
// prints nothing at start), when an HTTP readiness URL answers 200. Children are tracked in one
// set: stopAllChildren() on the normal and error paths, and a synchronous SIGKILL in the 'exit'
// handler as the last resort; lib/orphan-guard.mjs covers a parent killed with SIGKILL.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

const ROOT = new URL('../../', import.meta.url);
const ORPHAN_GUARD = new URL('./orphan-guard.mjs', import.meta.url);

const STOP_GRACE_MS = 3_000;
const KILL_WAIT_MS = 2_000;
const READY_POLL_MS = 50;
/** Lines of a child's output kept for error messages. */
const TAIL_LINES = 20;

/** Every child not yet known to have exited. */
const children = new Set();

process.on('exit', killAllChildrenNow);

/**
 * Use to start a Node server script as a child process and wait until it serves.
 * `ready` is `{ line: true }` (a stdout JSON line with `port`) or `{ url }` (polled until 200).
 * Resolves to a handle with `pid`, `baseUrl`, `stop()`, `request()` (IPC); rejects on exit or timeout.
 */
export async function startServer({ name, script, env, ready, ipc = false, timeoutMs = 20_000 }) {
  const child = spawn(process.execPath, ['--import', ORPHAN_GUARD.href, new URL(script, ROOT).pathname], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe', ...(ipc ? ['ipc'] : [])],
  });
  const handle = createHandle(name, child);
  try {
    const port = await withDeadline(timeoutMs, `${name} did not get ready within ${timeoutMs} ms`, handle, () =>
      'line' in ready ? portFromLine(handle) : pollUntilOk(ready.url, handle).then(() => Number(new URL(ready.url).port)),
    );
    handle.baseUrl = `http://127.0.0.1:${port}`;
    return handle;
  } catch (error) {
    await handle.stop();
    throw error;
  }
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

/** Tracks a child: its exit, the tail of its output (stdout is always drained so it never blocks). */
function createHandle(name, child) {
  const handle = {
    name,
    child,
    pid: child.pid,
    baseUrl: null,
    exited: false,
    exitDescription: null,
    tail: [],
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
  const keep = (line) => {
    handle.tail.push(line);
    if (handle.tail.length > TAIL_LINES) handle.tail.shift();
  };
  handle.stdoutLines.on('line', keep);
  createInterface({ input: child.stderr }).on('line', keep);
  child.once('error', (error) => keep(`spawn error: ${error.message}`));
  child.once('exit', (code, signal) => {
    handle.exited = true;
    handle.exitDescription = signal ?? `code ${code}`;
    children.delete(handle);
  });
  return handle;
}

/** Resolves with `port` from the first stdout JSON line that has one. */
function portFromLine(handle) {
  return new Promise((resolve) => {
    const onLine = (line) => {
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      if (Number.isInteger(entry?.port) && entry.port > 0) {
        handle.stdoutLines.off('line', onLine);
        resolve(entry.port);
      }
    };
    handle.stdoutLines.on('line', onLine);
  });
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

/** Runs `start()`, failing on the deadline or when the child exits first. */
function withDeadline(timeoutMs, message, handle, start) {
  return new Promise((resolve, reject) => {
    const fail = (why) => {
      clearTimeout(timer);
      handle.child.off('exit', onExit);
      reject(new Error(`${why}; its output:\n${handle.describeOutput()}`));
    };
    const onExit = () => setImmediate(() => fail(`${handle.name} exited (${handle.exitDescription}) before it was ready`));
    const timer = setTimeout(() => fail(message), timeoutMs);
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
  const within = (ms) => Promise.race([gone.then(() => true), new Promise((resolve) => setTimeout(resolve, ms, false).unref())]);
  handle.child.kill('SIGTERM');
  if (await within(STOP_GRACE_MS)) return;
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
