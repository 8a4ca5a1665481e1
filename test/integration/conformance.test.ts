import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

// The audits are listed before beforeAll runs, so each reads the URL when it runs. They only query
// `__typename` and `__type`, so they need no X-Auth-Token and never reach the simulator. Rows are
// [name, audit] so that `%s` prints the whole name (`$name` would quote and truncate it).
const rows = serverAudits({ url: () => stack.url }).map((audit) => [audit.name, audit.fn] as const);
const required = rows.filter(([name]) => !name.startsWith('MAY'));
const optional = rows.filter(([name]) => name.startsWith('MAY'));

describe('GraphQL over HTTP conformance (graphql-http audits)', () => {
  it.each(required)('%s', async (_name, audit) => {
    const result = await audit();
    expect(result.status, 'reason' in result ? result.reason : undefined).toBe('ok');
  });

  // A failed MAY audit is a 'notice', never an 'error' (graphql-http keeps 'error' for MUST and
  // 'warn' for SHOULD), so asserting "not 'error'" would prove nothing. These behaviours are
  // optional: a notice is reported as an annotation, and only an audit that throws fails.
  // (`it.for` rather than `it.each`: it hands the test context, and so `annotate`, to the test.)
  it.for(optional)('%s', async ([, audit], { annotate }) => {
    const result = await audit();
    if (result.status !== 'ok') await annotate(`${result.status}: ${result.reason}`, 'notice');
  });
});
