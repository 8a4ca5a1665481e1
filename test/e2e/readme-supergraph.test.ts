import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';

// The README's "Use it in a supergraph" section, run as written: three commands, then its curl.
const ROOT = new URL('../../', import.meta.url).pathname;
const readme = readFileSync(new URL('README.md', `file://${ROOT}`), 'utf8');
const section = readme.slice(readme.indexOf('## Use it in a supergraph'), readme.indexOf('## Errors'));
const commands = [...section.matchAll(/```sh\n(npm [^\n]+)\n```/g)].map((match) => match[1]!);
const curl = /curl -s (http:\/\/localhost:\d+\/graphql) ((?:-H '[^']+' )+)\\\n\s*-d '(\{"query".*\})'/.exec(section);

const children: ChildProcess[] = [];
afterAll(() => {
  // Each command runs in its own process group (npm and node under it).
  for (const child of children) {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
  }
});

async function waitForGraphQL(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      if (response.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('README: Use it in a supergraph', () => {
  it('lists the three commands and the curl', () => {
    expect(commands).toEqual(['npm start', 'npm run example:catalog', 'npm run example:gateway']);
    expect(curl).not.toBeNull();
  });

  it('works verbatim: the catalog query crosses into syncJobs', async () => {
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };
    for (const command of commands) {
      const child = spawn('sh', ['-c', command], { cwd: ROOT, env, detached: true, stdio: 'ignore' });
      children.push(child);
    }
    await waitForGraphQL('http://localhost:4000/graphql', 60_000);
    await waitForGraphQL('http://localhost:4001/graphql', 30_000);
    await waitForGraphQL('http://localhost:4100/graphql', 30_000);

    const [, url, headerFlags, payload] = curl!;
    const headers = Object.fromEntries([...headerFlags!.matchAll(/-H '([^:]+): ([^']+)'/g)].map(([, name, value]) => [name!, value!]));
    const response = await fetch(url!, { method: 'POST', headers, body: payload! });
    const body = (await response.json()) as { data?: any; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data.featuredRepositories).toEqual([
      { name: 'nginx', description: expect.any(String), syncJobs: { totalCount: 47, nodes: [expect.objectContaining({ status: expect.any(String) }), expect.anything()] } },
      { name: 'redis', description: expect.any(String), syncJobs: { totalCount: 12, nodes: [expect.anything(), expect.anything()] } },
    ]);
  }, 120_000);
});
