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
    const response = await stack.query(query as string, { token: 'any-token' });
    expect(response.errors).toBeUndefined();
    const text = JSON.stringify(response.data);
    expect(text).not.toContain('null}');
    expect(text).toMatch(/"id":"\d+"/);
  });

  it('the curl example in the quick start uses the demo data', async () => {
    const curl = /-d '(\{"query".*\})'/.exec(readme);
    expect(curl).not.toBeNull();
    const { query } = JSON.parse(curl![1]!) as { query: string };
    const response = await stack.query(query);
    expect(response.data.repository.syncJobs.totalCount).toBe(47);
  });
});
