import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const ROOT = new URL('../../', import.meta.url).pathname;

/**
 * Runs a command of the README as a newcomer types it (`sh -c`, from the repository root, with
 * PATH, HOME and `env`), in a process group of its own (`children` collects it: stop the group
 * with `process.kill(-pid)`); resolves once a line of its output matches `ready`, rejects with
 * its output if it exits first.
 */
export function startCommand(command: string, ready: RegExp, children: ChildProcess[], env: Record<string, string> = {}): Promise<void> {
  const child = spawn('sh', ['-c', command], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      output += `${line}\n`;
      if (ready.test(line)) resolve();
    });
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => reject(new Error(`\`${command}\` exited with ${code} before it was ready:\n${output}`)));
  });
}

/** Stops the process groups startCommand started. */
export function stopCommands(children: ChildProcess[]): void {
  for (const child of children.splice(0)) {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}
