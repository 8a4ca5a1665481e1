import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/redis.js';
import { startCommand, stopCommands } from '../support/shell-command.js';

// The README's "Use it in a supergraph" section, run as written: three commands, then its curl.
// Each process gets a free port through the variables the README names (a newcomer may have the
// gateway on 4000 already), and each must say it listens on that port: an answer from someone
// else's process on a port does not count.
const ROOT = new URL('../../', import.meta.url).pathname;
const readme = readFileSync(new URL('README.md', `file://${ROOT}`), 'utf8');
const section = readme.slice(readme.indexOf('## Use it in a supergraph'), readme.indexOf('## Operating it'));
const commands = [...section.matchAll(/```sh\n(npm [^\n]+)\n```/g)].map((match) => match[1]!);
const curl = /curl -s http:\/\/localhost:(\d+)(\/graphql) ((?:-H '[^']+' )+)\\\n\s*-d '(\{"query".*\})'/.exec(section);
const liveCurl = /curl -sN http:\/\/localhost:(\d+)(\/graphql) ((?:-H '[^']+' )+)\\\n\s*-d '(\{"query".*\})'/.exec(section);

const children: ChildProcess[] = [];
afterAll(() => stopCommands(children));

// Runs `command` as the README says, with `env`; resolves once it prints that it listens on `port`.
const start = (command: string, env: Record<string, string>, port: number) =>
  startCommand(command, new RegExp(`listening on http://localhost:${port}/graphql`), children, env);

describe('README: Use it in a supergraph', () => {
  it('lists the three commands and the curls', () => {
    expect(commands).toEqual(['npm start', 'npm run example:catalog', 'npm run example:gateway']);
    expect(curl).not.toBeNull();
    expect(liveCurl).not.toBeNull();
  });

  it('works verbatim on free ports: the catalog query crosses into syncJobs', async () => {
    const [swr, catalog, gateway] = [await freePort(), await freePort(), await freePort()];
    const swrUrl = `http://localhost:${swr}/graphql`;
    const catalogUrl = `http://localhost:${catalog}/graphql`;
    await Promise.all([
      start(commands[0]!, { PORT: String(swr) }, swr),
      start(commands[1]!, { CATALOG_PORT: String(catalog) }, catalog),
      start(commands[2]!, { GATEWAY_PORT: String(gateway), SWR_SUBGRAPH_URL: swrUrl, CATALOG_SUBGRAPH_URL: catalogUrl }, gateway),
    ]);

    const [, readmePort, path, headerFlags, payload] = curl!;
    expect(readmePort).toBe('4100');
    const headers = Object.fromEntries([...headerFlags!.matchAll(/-H '([^:]+): ([^']+)'/g)].map(([, name, value]) => [name!, value!]));
    const response = await fetch(`http://localhost:${gateway}${path}`, { method: 'POST', headers, body: payload! });
    const body = (await response.json()) as { data?: any; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data.featuredRepositories).toEqual([
      {
        name: 'nginx',
        description: expect.any(String),
        syncJobs: { totalCount: 47, nodes: [expect.objectContaining({ status: expect.any(String) }), expect.anything()] },
      },
      { name: 'redis', description: expect.any(String), syncJobs: { totalCount: 12, nodes: [expect.anything(), expect.anything()] } },
    ]);
    // The subscription through the router, as written: demo/webapp changes by itself (demo mode's activity).
    const [, livePort, livePath, liveFlags, livePayload] = liveCurl!;
    expect(livePort).toBe('4100');
    const liveHeaders = Object.fromEntries([...liveFlags!.matchAll(/-H '([^:]+): ([^']+)'/g)].map(([, name, value]) => [name!, value!]));
    const stream = await fetch(`http://localhost:${gateway}${livePath}`, { method: 'POST', headers: liveHeaders, body: livePayload! });
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = stream.body!.getReader();
    let text = '';
    while (!/event: next\ndata: (.*)\n/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const event = JSON.parse(/event: next\ndata: (.*)\n/.exec(text)![1]!) as { data?: any; errors?: unknown };
    expect(event.errors).toBeUndefined();
    expect(event.data.syncJobChanged).toMatchObject({ job: { repository: { name: 'webapp', description: expect.any(String) } } });
    // The example gateway's GraphiQL is offline: no script from a CDN.
    const graphiql = await (await fetch(`http://localhost:${gateway}/graphql`, { headers: { accept: 'text/html' } })).text();
    expect(graphiql).toContain('YogaGraphiQL');
    expect(graphiql).not.toMatch(/<script[^>]+src=["']https?:/);
  }, 120_000);
});
