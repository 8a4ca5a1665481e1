import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

// `npm start` runs the built entry point; `npm test` builds it first (pretest).
export const MAIN = new URL('../../dist/main.js', import.meta.url);

/** A dist/main.js process, its log lines (parsed) and where it serves GraphQL. */
export interface StartedMain {
  child: ChildProcess;
  lines: Array<Record<string, any>>;
  url: string;
}

/** Starts dist/main.js with exactly `env` (plus PATH) and waits for its "listening" log line; `children` collects it for clean-up. */
export async function startMain(env: Record<string, string>, children: ChildProcess[]): Promise<StartedMain> {
  const child = spawn(process.execPath, [MAIN.pathname], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines: Array<Record<string, any>> = [];
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line; saw ${JSON.stringify(lines)}`)), 15_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, any>;
      lines.push(entry);
      const match = /listening on (http:\/\/\S+)/.exec(String(entry.msg));
      if (match) {
        clearTimeout(timer);
        resolve(`http://${entry.host}:${entry.port}/graphql`);
      }
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
  });
  return { child, lines, url };
}

/** The exit code of a child, once it has exited. */
export const exitCode = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve)));
