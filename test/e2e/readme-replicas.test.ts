import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/redis.js';
import { startCommand, stopCommands } from '../support/shell-command.js';

// The README's "Running several replicas" recipe, run as written: its four commands one after the
// other (as a newcomer opens four terminals), then its two curls. The only change: each port the
// README names is replaced by a free one (a newcomer may have a Redis on 6379 already).
const ROOT = new URL('../../', import.meta.url).pathname;
const readme = readFileSync(new URL('README.md', `file://${ROOT}`), 'utf8');
const section = readme.slice(readme.indexOf('## Running several replicas'), readme.indexOf('### Response cache'));
const commands = [...section.matchAll(/```sh\n((?:redis-server|SIMULATOR_PORT|REDIS_URL)[^\n]+)\n```/g)].map((match) => match[1]!);
const curls = [...section.matchAll(/curl -s http:\/\/localhost:(\d+)(\/graphql) ((?:-H '[^']+' )+)\\\n\s*-d '(\{"query".*\})'/g)];
const README_PORTS = ['6379', '4010', '4001', '4002'];

const children: ChildProcess[] = [];
afterAll(() => stopCommands(children));
const start = (command: string, ready: RegExp) => startCommand(command, ready, children);

describe('README: Running several replicas', () => {
  it('lists Redis, the simulator, two replicas and two curls on the ports it names', () => {
    expect(commands).toHaveLength(4);
    expect(commands[0]).toBe("redis-server --port 6379 --save '' --appendonly no");
    expect(commands[1]).toBe('SIMULATOR_PORT=4010 npm run simulator');
    for (const [index, port] of [
      [2, '4001'],
      [3, '4002'],
    ] as const) {
      expect(commands[index]).toMatch(
        new RegExp(`^REDIS_URL=redis://127\\.0\\.0\\.1:6379 TOKEN_HASH_SECRET=\\S{32,} .* PORT=${port} npm start$`),
      );
    }
    expect(curls.map((curl) => curl[1])).toEqual(['4001', '4002']);
  });

  it('works verbatim on free ports: the second replica answers from the cache the first filled', async () => {
    const ports = new Map<string, string>();
    for (const port of README_PORTS) ports.set(port, String(await freePort()));
    const localize = (text: string) => text.replace(/\b(6379|4010|4001|4002)\b/g, (port) => ports.get(port)!);

    await start(localize(commands[0]!), /Ready to accept connections/);
    await start(localize(commands[1]!), /SWR simulator \(demo data\) listening/);
    // One after the other: each `npm start` builds dist/ first.
    await start(localize(commands[2]!), new RegExp(`listening on http://localhost:${ports.get('4001')}/graphql`));
    await start(localize(commands[3]!), new RegExp(`listening on http://localhost:${ports.get('4002')}/graphql`));

    const answers = [];
    for (const [, port, path, flags, payload] of curls) {
      const headers = Object.fromEntries([...flags!.matchAll(/-H '([^:]+): ([^']+)'/g)].map(([, name, value]) => [name!, value!]));
      const response = await fetch(`http://localhost:${ports.get(port!)}${path}`, { method: 'POST', headers, body: payload! });
      answers.push((await response.json()) as { data?: any; errors?: unknown; extensions?: any });
    }
    const [first, second] = answers as [(typeof answers)[number], (typeof answers)[number]];
    expect(first.errors).toBeUndefined();
    expect(first.data.repository.syncJobs.totalCount).toBeGreaterThanOrEqual(45);
    expect(first.extensions.upstream).toMatchObject({ cache: 'miss', calls: 1 });
    expect(second.data).toEqual(first.data);
    expect(second.extensions.upstream).toMatchObject({ cache: 'hit', calls: 0 });
  }, 180_000);
});
