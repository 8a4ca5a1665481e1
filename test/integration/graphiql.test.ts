import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPHIQL_DEFAULT_QUERY } from '../../src/http/graphiql.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

const browser = { accept: 'text/html,application/xhtml+xml', 'accept-encoding': 'gzip, deflate, br' };

// The page's own asset URLs: script, style, workers, icon.
function assetUrls(html: string): string[] {
  return [...html.matchAll(/\/graphql\/assets\/[\w.-]+/g)].map((match) => match[0]);
}

describe('GraphiQL', () => {
  it('is served at /graphql to browsers, with no script or style from another host', async () => {
    const response = await fetch(stack.url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const html = await response.text();
    expect(html).toContain('swr-gateway');
    const external = [...html.matchAll(/<(?:script|link|img)\b[^>]*\b(?:src|href)=["']?(https?:)?\/\//gi)];
    expect(external).toEqual([]);
    expect(html).not.toMatch(/unpkg\.com|jsdelivr|cdnjs|esm\.sh/);
  });

  it('pre-fills the default query and an X-Auth-Token header', async () => {
    const html = await (await fetch(stack.url, { headers: { accept: 'text/html' } })).text();
    expect(html).toContain(JSON.stringify(GRAPHIQL_DEFAULT_QUERY).slice(1, 40));
    expect(html).toContain('X-Auth-Token');
  });

  it('is a small page that a browser revalidates, with its assets compressed and cached for a year', async () => {
    const page = await fetch(stack.url, { headers: browser });
    const html = await page.text();
    expect(html.length).toBeLessThan(8 * 1024);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const etag = page.headers.get('etag')!;
    const again = await fetch(stack.url, { headers: { ...browser, 'if-none-match': etag } });
    expect([again.status, await again.text()]).toEqual([304, '']);

    const urls = assetUrls(html);
    expect(urls.length).toBe(6);
    let compressedBytes = 0;
    for (const url of urls) {
      const asset = await fetch(new URL(url, stack.url), { headers: browser });
      expect(asset.status).toBe(200);
      expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(asset.headers.get('vary')).toBe('accept-encoding');
      if (!url.includes('favicon')) expect(asset.headers.get('content-encoding')).toBe('br');
      compressedBytes += Number(asset.headers.get('content-length'));
      await asset.arrayBuffer();
      const cached = await fetch(new URL(url, stack.url), { headers: { ...browser, 'if-none-match': asset.headers.get('etag')! } });
      expect(cached.status).toBe(304);
    }
    // About 9 MB uncompressed, as @graphql-yoga/render-graphiql inlines it.
    expect(compressedBytes).toBeLessThan(3 * 1024 * 1024);
  });

  it('falls back to gzip, then to no encoding', async () => {
    const html = await (await fetch(stack.url, { headers: browser })).text();
    const script = assetUrls(html).find((url) => /\/graphiql-[\w-]+\.js$/.test(url))!;
    // Node's fetch always offers gzip and br itself: raw undici requests say exactly what is accepted.
    const { request } = await import('undici');
    const gzip = await request(new URL(script, stack.url), { headers: { 'accept-encoding': 'gzip' } });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    await gzip.body.dump();
    const plain = await request(new URL(script, stack.url), { headers: {} });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(Number(plain.headers['content-length'])).toBeGreaterThan(4 * 1024 * 1024);
    await plain.body.dump();
    // The uncompressed copy made for that client is not what the others get from then on.
    for (const accepted of ['gzip, deflate, br', 'gzip']) {
      const again = await request(new URL(script, stack.url), { headers: { 'accept-encoding': accepted } });
      expect(again.headers['content-encoding'], accepted).toBe(accepted === 'gzip' ? 'gzip' : 'br');
      expect(Number(again.headers['content-length'])).toBeLessThan(2 * 1024 * 1024);
      await again.body.dump();
    }
  });

  it('is not served to clients that do not ask for HTML', async () => {
    const response = await fetch(stack.url, { headers: { accept: 'application/json' } });
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect((await response.json()) as unknown).toEqual({
      errors: [{ message: 'Must provide query string.', extensions: { code: 'BAD_REQUEST' } }],
    });
    const unknown = await fetch(new URL('/graphql/assets/nothing-here.js', stack.url), { headers: browser });
    expect(unknown.status).toBe(404);
  });

  it('runs the default query in demo mode', async () => {
    const response = await stack.query(GRAPHIQL_DEFAULT_QUERY, { token: 'demo-token' });
    expect(response.errors).toBeUndefined();
    expect(response.data.repository).toMatchObject({
      namespace: 'demo',
      name: 'nginx',
      syncJobs: { totalCount: 47, pageInfo: { hasNextPage: true, hasPreviousPage: false } },
    });
    expect(response.data.repository.syncJobs.edges).toHaveLength(5);
  });
});

describe('GraphiQL turned off', () => {
  it('is not served (GRAPHIQL=false)', async () => {
    const off = await startStack({ env: { GRAPHIQL: 'false' } });
    try {
      const response = await fetch(off.url, { headers: { accept: 'text/html' } });
      expect(response.headers.get('content-type')).not.toMatch(/text\/html/);
    } finally {
      await off.close();
    }
  });
});
