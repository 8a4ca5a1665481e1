import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll } from 'vitest';

/** How a script run ended. */
export interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * A runner for a self-bounding Node script of this repository (soak, bench smoke): run(args)
 * starts it from the repository root with only PATH in its environment and resolves when it ends.
 * Registers an afterAll that stops it if the test gave up on it (the scripts stop their own
 * children on SIGTERM; the vitest timeout is the backstop).
 */
export function useScript(script: URL): (args: string[]) => Promise<ScriptRun> {
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  });
  return (args) =>
    new Promise((resolve, reject) => {
      const started = spawn(process.execPath, [script.pathname, ...args], {
        cwd: new URL('../../', import.meta.url),
        env: { PATH: process.env.PATH ?? '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = started;
      let stdout = '';
      let stderr = '';
      started.stdout.on('data', (chunk) => (stdout += chunk));
      started.stderr.on('data', (chunk) => (stderr += chunk));
      started.once('error', reject);
      started.once('close', (code) => resolve({ code, stdout, stderr }));
    });
}
