import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPHIQL_DEFAULT_QUERY } from '../../src/http/graphiql.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

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
