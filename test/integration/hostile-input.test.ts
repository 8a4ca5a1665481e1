import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { startStack, useStack } from '../support/stack.js';

// What an attacker sends, without a token or with one, against the gateway as it runs: none of it
// may stall the process, grow its memory for good, reach SWR, or come back without a code.

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

// Heap in use after full collections (twice: finalizers of the first free more in the second).
function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const NGINX = (selection: string) => `repository(namespace: "demo", name: "nginx") { ${selection} }`;

// Four levels of fragments, each spreading the next `spreads` times: 60⁴ paths through one document of about 1.3 KB.
// Inline, each spread sits in its own `... on Repository { }`: selection sets the executor and
// validation do not merge, so only the estimate's memo of each fragment keeps the walk short.
function fanOut(spreads: number, inline = false): string {
  const spread = (next: string) => (inline ? `... on Repository { ...${next} }` : `...${next}`);
  const level = (name: string, next: string) =>
    `fragment ${name} on Repository { ${Array.from({ length: spreads }, () => spread(next)).join(' ')} }`;
  return [
    `{ ${NGINX('...L1')} }`,
    level('L1', 'L2'),
    level('L2', 'L3'),
    level('L3', 'L4'),
    'fragment L4 on Repository { syncJobs(first: 1) { totalCount } }',
  ].join('\n');
}

// MAX_DEPTH above the inline fan-out's 16 levels (each inline fragment counts as one), so the estimate meets it.
const stack = useStack({ env: { MAX_TOKENS: '5000', MAX_DEPTH: '20' } });

describe('the cost estimate', () => {
  it.each([
    [60, false],
    [120, false],
    [60, true],
  ])(
    'answers a fragment fan-out of %i spreads per level (inline: %s) promptly, with /healthz answered meanwhile',
    async (spreads, inline) => {
      const query = fanOut(spreads, inline);
      expect(query.length).toBeLessThan(spreads * (inline ? 90 : 20) + 200);
      const delay = monitorEventLoopDelay({ resolution: 10 });
      delay.enable();
      const probes: Array<Promise<number>> = [];
      const answer = stack.query(query);
      for (let probe = 0; probe < 5; probe += 1)
        probes.push(fetch(stack.url.replace('/graphql', '/healthz')).then((response) => response.status));
      const response = await answer;
      delay.disable();
      expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
      expect(response.data).toEqual({ repository: { syncJobs: { totalCount: 47 } } });
      expect(await Promise.all(probes)).toEqual([200, 200, 200, 200, 200]);
      expect(stack.simulator.requests).toHaveLength(1);
      // Before the estimate memoized fragments, 60 spreads blocked the event loop for over a minute;
      // graphql-jit's compiler alone took a second at 120 (such documents now run uncompiled).
      expect(delay.max / 1e6).toBeLessThan(500);
    },
  );

  it('applies variable defaults: a default list of 50 refs, used twice, is refused with zero SWR calls', async () => {
    const refs = Array.from({ length: 50 }, (_, index) => `{ namespace: "demo", name: "repo-${index}" }`).join(', ');
    const query = `query($r: [RepositoryRef!]! = [${refs}]) {
      a: repositories(refs: $r) { syncJobs(first: 1) { totalCount } }
      b: repositories(refs: $r) { syncJobs(first: 1, order: ASC) { totalCount } }
    }`;
    const response = await stack.query(query);
    expect(response.data).toBeUndefined();
    expect(response.errors).toEqual([
      expect.objectContaining({
        extensions: expect.objectContaining({ code: 'OPERATION_TOO_EXPENSIVE', limit: 'MAX_UPSTREAM_CALLS', estimatedUpstreamCalls: 100 }),
      }),
    ]);
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('refuses, with zero SWR calls, a document built to make the estimate itself expensive', async () => {
    // 50 refs × 100 distinct windows in one fragment, spread under 40 fields: 200,000 windows to add up.
    const refs = Array.from({ length: 50 }, (_, index) => ({ namespace: 'demo', name: `r${index}` }));
    const windows = Array.from({ length: 100 }, (_, index) => `w${index}: syncJobs(first: ${index + 1}) { totalCount }`).join(' ');
    const fields = Array.from({ length: 40 }, (_, index) => `f${index}: repositories(refs: $r) { ...W }`).join(' ');
    const query = `query($r: [RepositoryRef!]!) { ${fields} } fragment W on Repository { ${windows} }`;
    const response = await stack.query(query, { variables: { r: refs } });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'OPERATION_TOO_EXPENSIVE' });
    expect(stack.simulator.requests).toHaveLength(0);
  });
});

describe('memory', () => {
  it('keeps nothing of distinct large variables', async () => {
    const query = `query($pad: String!) { __type(name: $pad) { name } }`;
    const before = heapAfterGc();
    for (let index = 0; index < 100; index += 1) {
      const response = await stack.query(query, { variables: { pad: `${index}:`.padEnd(900_000, 'x') } });
      expect(response).toEqual({ status: 200, data: { __type: null } });
    }
    // 100 × 900 KB went through; kept, they would be 90 MB (and more as parsed values).
    expect((heapAfterGc() - before) / 1e6).toBeLessThan(30);
  });

  it('keeps nothing of distinct large documents', async () => {
    const before = heapAfterGc();
    for (let index = 0; index < 100; index += 1) {
      const response = await stack.query(`{ __typename } # ${String(index).padEnd(900_000, 'x')}`);
      expect(response.data).toEqual({ __typename: 'Query' });
    }
    expect((heapAfterGc() - before) / 1e6).toBeLessThan(30);
  });
});

describe('deep input', () => {
  it.each([
    [
      'a list literal 2,400 deep',
      JSON.stringify({ query: `{ repositories(refs: ${'['.repeat(2400)}${']'.repeat(2400)}) { name } }` }),
      'The document',
    ],
    [
      'selections 100 deep',
      JSON.stringify({ query: `{ ${'repository(namespace: "demo", name: "nginx") { '.repeat(100)}name${' }'.repeat(100)} }` }),
      'The document',
    ],
    [
      'a variable 5,000 deep',
      '{"query":"query($r: [RepositoryRef!]!) { repositories(refs: $r) { name } }",' +
        `"variables":{"r":${'['.repeat(5000)}1${']'.repeat(5000)}}}`,
      '`variables`',
    ],
    ['extensions 5,000 deep', `{"query":"{ __typename }","extensions":{"x":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}}`, '`extensions`'],
  ])('refuses %s with 400 and a code, before anything recursive runs', async (_label, body, what) => {
    const response = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', 'x-auth-token': 't' },
      body,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: [
        {
          message: `${what} is nested deeper than 64 levels (MAX_INPUT_DEPTH)`,
          extensions: { code: 'OPERATION_TOO_EXPENSIVE', limit: 'MAX_INPUT_DEPTH' },
        },
      ],
    });
  });

  it('ignores brackets inside strings, block strings and comments', async () => {
    const query = `query { # ${'['.repeat(100)}
      a: repository(namespace: "demo", name: "nginx") { name }
      b: __type(name: "${'('.repeat(100)}\\"${'{'.repeat(100)}") { name }
      c: __type(name: """${'['.repeat(100)}\\"""${'('.repeat(100)}""") { name }
    }`;
    const response = await stack.query(query);
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ a: { name: 'nginx' }, b: null, c: null });
  });
});

describe('metric labels', () => {
  it('are taken only by operations that passed validation from a caller whose token SWR accepted', async () => {
    for (let index = 0; index < 210; index += 1) {
      await stack.query(`query Spam${index} { __typename }`, { token: null });
      await stack.query(`query Invalid${index} { nope }`);
      // A well-formed token SWR never saw: no call of it was answered, so no slot.
      await stack.query(`query Invented${index} { __typename }`, { token: `invented-${index}` });
    }
    stack.simulator.addFault({ status: 401, times: 1 });
    const refused = await stack.query(
      'query RefusedBySwr { repository(namespace: "demo", name: "nginx") { syncJobs(first: 1) { totalCount } } }',
      {
        token: 'refused-token',
      },
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const caller = { token: 'real-caller-token' };
    await stack.query('query RealDashboard { repository(namespace: "demo", name: "nginx") { syncJobs(first: 1) { totalCount } } }', caller);
    // The same caller's later operations take slots even without a call of their own.
    await stack.query('query RealShell { __typename }', caller);
    // Another caller accepted by SWR in an operation whose name is already a label is remembered too.
    const colleague = { token: 'colleague-token' };
    await stack.query(
      'query RealDashboard { repository(namespace: "demo", name: "nginx") { syncJobs(first: 1) { totalCount } } }',
      colleague,
    );
    await stack.query('query ColleagueShell { __typename }', colleague);
    const metrics = await (await fetch(stack.url.replace('/graphql', '/metrics'))).text();
    expect(metrics).toContain('operation="RealDashboard"');
    expect(metrics).toContain('operation="RealShell"');
    expect(metrics).toContain('operation="ColleagueShell"');
    expect(metrics).toContain('operation="unidentified"');
    expect(metrics).not.toMatch(/operation="(Spam|Invalid|Invented)\d+"/);
    expect(metrics).not.toContain('operation="RefusedBySwr"');
  });
});

describe('the schema with INTROSPECTION=false', () => {
  it('is not served by introspection nor by _service; FEDERATION_SERVICE_SDL=true serves _service alone', async () => {
    const closed = await startStack({ env: { INTROSPECTION: 'false' } });
    const routers = await startStack({ env: { INTROSPECTION: 'false', FEDERATION_SERVICE_SDL: 'true' } });
    try {
      for (const query of ['{ _service { sdl } }', '{ __schema { types { name } } }']) {
        const refused = await closed.query(query);
        expect(refused.status).toBe(400);
        expect(refused.data).toBeUndefined();
        expect([...new Set(refused.errors?.map((error) => error.extensions?.code))]).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      }
      expect((await routers.query('{ __schema { types { name } } }')).errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      const sdl = await routers.query('{ _service { sdl } }');
      expect(sdl.data._service.sdl).toMatch(/type Repository implements Node\s+@key\(fields: "namespace name"\)/);
    } finally {
      await closed.close();
      await routers.close();
    }
  });
});
