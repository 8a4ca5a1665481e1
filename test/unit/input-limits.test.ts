import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { bracketDepthOf, nestingOf } from '../../src/graphql/plugins/use-input-limits.js';
import { MAX_COMPILED_SPREAD_PATHS, spreadPathsOf } from '../../src/graphql/plugins/use-compiled-execution.js';

describe('nesting of JSON values', () => {
  it.each([
    ['a scalar', 1, 0],
    ['null', null, 0],
    ['an empty object', {}, 1],
    ['a list of objects', [{ a: 1 }, { b: [2] }], 3],
    ['refs as a client sends them', { refs: [{ namespace: 'demo', name: 'nginx' }] }, 3],
  ])('%s is %i deep', (_label, value, depth) => {
    expect(nestingOf(value, 64)).toBe(depth);
  });

  it('stops counting past the limit, without recursion, on 100,000 levels', () => {
    let value: unknown = 1;
    for (let level = 0; level < 100_000; level += 1) value = [value];
    expect(nestingOf(value, 64)).toBe(65);
  });
});

describe('bracket depth of documents', () => {
  it.each([
    ['a flat query', '{ a }', 1],
    ['selections, arguments and lists', '{ a(x: [[1]]) { b } }', 4],
    ['brackets in a comment', '{ a } # {{{{[[[[', 1],
    ['brackets in a string, an escaped quote included', '{ a(x: "\\" {{{{") }', 2],
    ['brackets in a block string, an escaped triple quote included', '{ a(x: """ \\""" [[[[ """) }', 2],
    ['an unterminated string (the parser refuses it)', '{ a(x: "{{{{', 2],
  ])('%s', (_label, source, depth) => {
    expect(bracketDepthOf(source, 64)).toBe(depth);
  });

  it('stops past the limit', () => {
    expect(bracketDepthOf('['.repeat(100_000), 64)).toBe(65);
  });
});

describe('fragment spread paths (what graphql-jit would compile)', () => {
  const fanOut = (spreads: number, levels: number) =>
    [
      '{ ...L1 }',
      ...Array.from(
        { length: levels - 1 },
        (_, level) => `fragment L${level + 1} on Query { ${Array.from({ length: spreads }, () => `...L${level + 2}`).join(' ')} }`,
      ),
      `fragment L${levels} on Query { __typename }`,
    ].join('\n');

  it.each([
    ['no fragments', '{ a { b } }', 0],
    ['distinct fragments spread once', '{ ...A b { ...B } } fragment A on Q { x } fragment B on Q { ...C } fragment C on Q { y }', 3],
    ['one fragment spread three times', '{ ...A ...A ...A } fragment A on Q { x }', 3],
    ['two levels of two spreads', fanOut(2, 3), 1 + 2 + 4],
  ])('%s: %i', (_label, source, paths) => {
    expect(spreadPathsOf(parse(source), MAX_COMPILED_SPREAD_PATHS)).toBe(paths);
  });

  it('counts 60 spreads on four levels as past the limit, visiting each fragment once', () => {
    expect(spreadPathsOf(parse(fanOut(60, 4)), MAX_COMPILED_SPREAD_PATHS)).toBe(MAX_COMPILED_SPREAD_PATHS + 1);
  });

  it('counts a spread cycle as past the limit', () => {
    expect(spreadPathsOf(parse('{ ...A } fragment A on Q { ...B } fragment B on Q { ...A }'), 100)).toBe(101);
  });
});
