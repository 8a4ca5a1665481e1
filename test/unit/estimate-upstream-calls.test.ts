import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { assertEstimateCoverage } from '../../src/economy/estimate-coverage.js';
import { estimateUpstreamCalls, ListTooLongError } from '../../src/economy/estimate-upstream-calls.js';
import { createSchema, loadTypeDefs } from '../../src/graphql/schema.js';
import { jobToCursor, positionToCursor } from '../../src/paging/cursor.js';

const options = { sizes: { defaultPageSize: 20, maxPageSize: 100 }, maxLimit: 100, maxRefs: 50 };
const after = (position: number) => JSON.stringify(positionToCursor('desc', position));
// A stable (v2) cursor naming a job at `position`: its page is read with a margin around it.
const afterJob = (position: number) =>
  JSON.stringify(
    jobToCursor('desc', position, {
      id: 1000 - position,
      instant: '2026-01-01T00:00:00.000000000Z',
      total: 500,
      shownBefore: [],
      shownAfter: [],
    }),
  );
const schema = createSchema();
const estimate = (query: string, variables?: Record<string, unknown>, operationName?: string) =>
  estimateUpstreamCalls(schema, parse(query), operationName, variables, options);

describe('estimating upstream calls before execution', () => {
  it.each([
    ['no syncJobs', `{ repository(namespace: "demo", name: "nginx") { name } }`, 0],
    ['one page', `{ repository(namespace: "demo", name: "nginx") { syncJobs { totalCount } } }`, 1],
    [
      'an alias repeating a page',
      '{ a: repository(namespace: "demo", name: "nginx") { syncJobs(first: 5) { totalCount } } ' +
        'b: repository(namespace: "demo", name: "nginx") { syncJobs(first: 5) { totalCount } } }',
      1,
    ],
    [
      'touching pages',
      '{ repository(namespace: "demo", name: "nginx") { a: syncJobs(first: 5) { totalCount } ' +
        `b: syncJobs(first: 5, after: ${after(4)}) { totalCount } } }`,
      1,
    ],
    [
      'pages with a gap',
      '{ repository(namespace: "demo", name: "nginx") { a: syncJobs(first: 5) { totalCount } ' +
        `b: syncJobs(first: 5, after: ${after(5)}) { totalCount } } }`,
      2,
    ],
    [
      'two repositories',
      '{ a: repository(namespace: "demo", name: "nginx") { syncJobs { totalCount } } ' +
        'b: repository(namespace: "demo", name: "redis") { syncJobs { totalCount } } }',
      2,
    ],
    ['last alone: head and tail', `{ repository(namespace: "demo", name: "nginx") { syncJobs(last: 5) { totalCount } } }`, 2],
    [
      'a page after a stable cursor: its window with margins, one call',
      `{ repository(namespace: "demo", name: "nginx") { syncJobs(first: 10, after: ${afterJob(40)}) { totalCount } } }`,
      1,
    ],
    [
      'a full-width page after a stable cursor: its margins make it two calls',
      `{ repository(namespace: "demo", name: "nginx") { syncJobs(first: 100, after: ${afterJob(40)}) { totalCount } } }`,
      2,
    ],
    [
      'a stable cursor page whose margins reach the first page: coalesced into one call',
      '{ repository(namespace: "demo", name: "nginx") { a: syncJobs(first: 10) { totalCount } ' +
        `b: syncJobs(first: 10, after: ${afterJob(9)}) { totalCount } } }`,
      1,
    ],
    [
      'a stable cursor page far from the first page: two calls',
      '{ repository(namespace: "demo", name: "nginx") { a: syncJobs(first: 10) { totalCount } ' +
        `b: syncJobs(first: 10, after: ${afterJob(200)}) { totalCount } } }`,
      2,
    ],
    [
      'refused arguments cost nothing',
      `{ repository(namespace: "demo", name: "nginx") { syncJobs(first: 1, last: 1) { totalCount } } }`,
      0,
    ],
    ['an invalid name costs nothing', `{ repository(namespace: "Demo", name: "nginx") { syncJobs { totalCount } } }`, 0],
    [
      'duplicate refs',
      '{ repositories(refs: [{namespace: "demo", name: "a"}, {namespace: "demo", name: "a"}, {namespace: "demo", name: "b"}]) { syncJobs ' +
        '{ totalCount } } }',
      2,
    ],
    [
      'a nested lookup of the same repository',
      '{ repository(namespace: "demo", name: "nginx") { syncJobs(first: 10) { nodes { repository { syncJobs(first: 5) ' +
        '{ totalCount } } } } } }',
      1,
    ],
    [
      'edges too',
      '{ repository(namespace: "demo", name: "nginx") { syncJobs(first: 10) { edges { node { repository { syncJobs(first: 5, order: ASC) ' +
        '{ totalCount } } } } } } }',
      2,
    ],
    ['inline fragments', `{ repository(namespace: "demo", name: "nginx") { ... on Repository { syncJobs { totalCount } } } }`, 1],
    ['@include(if: false)', `{ repository(namespace: "demo", name: "nginx") { syncJobs @include(if: false) { totalCount } } }`, 0],
    ['only __typename', `{ __typename }`, 0],
    ['a subscription event without pages', `subscription { syncJobChanged(namespace: "demo", name: "nginx") { kind job { id } } }`, 0],
    [
      'a subscription event reading its repository again',
      'subscription { syncJobChanged(namespace: "demo", name: "nginx") { job { repository { syncJobs(first: 5) { totalCount } ' +
        'a: syncJobs(first: 10, order: ASC) { totalCount } } } } }',
      2,
    ],
  ])('%s → %i', (_label, query, calls) => {
    expect(estimate(query)).toBe(calls);
  });

  it('reads variables', () => {
    const query = `query($refs: [RepositoryRef!]!, $first: Int) { repositories(refs: $refs) { syncJobs(first: $first) { totalCount } } }`;
    const refs = Array.from({ length: 7 }, (_, index) => ({ namespace: 'demo', name: `r${index}` }));
    expect(estimate(query, { refs, first: 5 })).toBe(7);
    expect(estimate(query, { refs, first: 500 })).toBe(0);
  });

  it('refuses more refs or ids than their fields answer, wherever they are in the operation', () => {
    const refs = Array.from({ length: 51 }, (_, index) => ({ namespace: 'demo', name: `r${index}` }));
    expect(() => estimate(`query($refs: [RepositoryRef!]!) { repositories(refs: $refs) { syncJobs { totalCount } } }`, { refs })).toThrow(
      ListTooLongError,
    );
    const ids = Array.from({ length: 51 }, () => 'x');
    expect(() =>
      estimate(
        `query($ids: [ID!]!) { a: repository(namespace: "demo", name: "a") { name } ...F } fragment F on Query { nodes(ids: $ids) { id } }`,
        { ids },
      ),
    ).toThrow(/at most 50 ids, received 51/);
    // The refusal names the field by its response key, inside a fragment too.
    let refused: unknown;
    try {
      estimate(`query($ids: [ID!]!) { ...F } fragment F on Query { listed: nodes(ids: $ids) { id } }`, { ids });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(ListTooLongError);
    expect((refused as ListTooLongError).field?.path).toEqual(['listed']);
    expect((refused as ListTooLongError).field?.node.name.value).toBe('nodes');
    // A skipped field is not run, so not refused; 50 refs are.
    expect(estimate(`query($refs: [RepositoryRef!]!) { repositories(refs: $refs) @skip(if: true) { name } }`, { refs })).toBe(0);
    expect(
      estimate(`query($refs: [RepositoryRef!]!) { repositories(refs: $refs) { syncJobs { totalCount } } }`, { refs: refs.slice(1) }),
    ).toBe(50);
  });

  it('estimates the named operation', () => {
    const document = `query A { repository(namespace: "demo", name: "a") { syncJobs { totalCount } } }
      query B { a: repository(namespace: "demo", name: "a") { syncJobs { totalCount } }
        b: repository(namespace: "demo", name: "b") { syncJobs { totalCount } } }`;
    expect(estimate(document, undefined, 'A')).toBe(1);
    expect(estimate(document, undefined, 'B')).toBe(2);
  });

  it('counts federation representations of Repository', () => {
    const query =
      'query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Repository { syncJobs ' +
      '{ totalCount } } } }';
    const representations = [
      { __typename: 'Repository', namespace: 'demo', name: 'a' },
      { __typename: 'Repository', namespace: 'demo', name: 'a' },
      { __typename: 'Repository', namespace: 'demo', name: 'b' },
      { __typename: 'Other', id: 1 },
    ];
    expect(estimate(query, { representations })).toBe(2);
  });
});

describe('the estimate under hostile documents', () => {
  it('applies variable defaults', () => {
    const query = `query($refs: [RepositoryRef!]! = [{ namespace: "demo", name: "a" }, { namespace: "demo", name: "b" }], $first: Int = 5) {
      repositories(refs: $refs) { syncJobs(first: $first) { totalCount } }
    }`;
    expect(estimate(query)).toBe(2);
    expect(estimate(query, { first: 500 })).toBe(0);
  });

  it('counts a fragment spread many times on many levels once', () => {
    const level = (name: string, next: string) =>
      `fragment ${name} on Repository { ${Array.from({ length: 60 }, () => `...${next}`).join(' ')} }`;
    const query = [
      '{ repository(namespace: "demo", name: "nginx") { ...L1 } other: repository(namespace: "demo", name: "redis") { ...L1 } }',
      level('L1', 'L2'),
      level('L2', 'L3'),
      'fragment L3 on Repository { syncJobs(first: 1) { totalCount } asc: syncJobs(first: 1, order: ASC) { totalCount } }',
    ].join('\n');
    expect(estimate(query)).toBe(4);
  });

  it('gives up (Infinity) past MAX_ESTIMATE_WORK, whatever the document', () => {
    const refs = Array.from({ length: 50 }, (_, index) => ({ namespace: 'demo', name: `r${index}` }));
    const windows = Array.from({ length: 100 }, (_, index) => `w${index}: syncJobs(first: ${index + 1}) { totalCount }`).join(' ');
    const fields = Array.from({ length: 50 }, (_, index) => `f${index}: repositories(refs: $r) { ...W }`).join(' ');
    expect(estimate(`query($r: [RepositoryRef!]!) { ${fields} } fragment W on Repository { ${windows} }`, { r: refs })).toBe(
      Number.POSITIVE_INFINITY,
    );
  });

  it('costs nothing for variables that do not coerce (execution refuses them)', () => {
    expect(
      estimate(`query($first: Int) { repository(namespace: "demo", name: "a") { syncJobs(first: $first) { totalCount } } }`, {
        first: 'x',
      }),
    ).toBe(0);
  });
});

describe('the estimate’s rules', () => {
  it('cover every field on the way to Repository.syncJobs of the gateway’s schema', () => {
    expect(() => assertEstimateCoverage(schema)).not.toThrow();
  });

  it('refuse a schema with a field that leads to a Repository and has no rule', () => {
    const extended = buildSubgraphSchema([
      {
        typeDefs: parse(`${loadTypeDefs()}\nextend type Query { favourite: Repository }`),
        resolvers: {},
      },
    ]);
    expect(() => assertEstimateCoverage(extended)).toThrow('The upstream-call estimate has no rule for Query.favourite');
  });
});
