import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';

// Every ```graphql block of the README must work verbatim in demo mode.
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const examples = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1]!);

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

describe('README examples', () => {
  it('has example queries', () => {
    expect(examples.length).toBeGreaterThanOrEqual(4);
  });

  it.each(examples.map((query, index) => [index + 1, query]))('example %i answers without errors in demo mode', async (_index, query) => {
    const response = await stack.query(query, { token: 'any-token' });
    expect(response.errors).toBeUndefined();
    const text = JSON.stringify(response.data);
    expect(text).not.toContain('null}');
    expect(text).toMatch(/"id":"\d+"/);
  });

  it('has curl examples that work in demo mode as written', async () => {
    const curls = [...readme.matchAll(/curl -s http:\/\/localhost:4000\/graphql ((?:-H '[^']+' )+)\\?\n?\s*-d '(\{"query".*\})'/g)];
    expect(curls.length).toBeGreaterThanOrEqual(2);
    for (const [, headerFlags, payload] of curls) {
      const headers = Object.fromEntries(
        [...headerFlags!.matchAll(/-H '([^:]+): ([^']+)'/g)].map(([, name, value]) => [name!.toLowerCase(), value!]),
      );
      const { query } = JSON.parse(payload!) as { query: string };
      const response = await stack.query(query, { headers });
      expect(response.errors).toBeUndefined();
      expect(JSON.stringify(response.data)).toMatch(/"totalCount":47/);
      if (headers['x-debug-upstream'] === '1') {
        expect(response.extensions).toMatchObject({ upstream: { calls: 1, coalesced: 2 } });
      }
    }
  });
});
