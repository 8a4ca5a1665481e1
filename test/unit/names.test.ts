import { describe, expect, it } from 'vitest';
import { namespaceProblem, repositoryFromPathSegment, repositoryNameProblem, repositoryToPathSegment } from '../../src/swr/names.js';

const validNamespaces = ['demo', 'a', 'team1', 'my-org', 'my.org', 'my_org', 'my__org', 'a1b2c3', 'x-1.y_2', 'a'.repeat(64)];

const invalidNamespaces = [
  ['', 'empty'],
  ['a'.repeat(65), '65 characters'],
  ['1demo', 'starts with a digit'],
  ['-demo', 'starts with a separator'],
  ['demo-', 'ends with a separator'],
  ['Demo', 'upper case'],
  ['my--org', 'two hyphens'],
  ['my.-org', 'dot then hyphen'],
  ['my___org', 'three underscores'],
  ['my_-org', 'underscore then hyphen'],
  ['my/org', 'slash'],
  ['my org', 'space'],
  ['dé', 'non-ASCII'],
  ['demo$', 'dollar'],
  ['_demo', 'starts with underscore'],
] as const;

const validNames = [
  'nginx',
  'team/api',
  'a',
  '1',
  '9lives',
  'team/api/v2',
  'my-app',
  'my.app',
  'my_app',
  'my__app',
  'a/b.c_d-e',
  'x'.repeat(128),
];

const invalidNames = [
  ['', 'empty'],
  ['x'.repeat(129), '129 characters'],
  ['/api', 'starts with a slash'],
  ['api/', 'ends with a slash'],
  ['team//api', 'two slashes'],
  ['team/-api', 'slash then hyphen'],
  ['my___app', 'three underscores'],
  ['my._app', 'dot then underscore'],
  ['-app', 'starts with a hyphen'],
  ['app.', 'ends with a dot'],
  ['App', 'upper case'],
  ['team$api', 'dollar (the path form, not a name)'],
  ['a b', 'space'],
  ['a?b', 'question mark'],
  ['a%2fb', 'percent-encoded slash'],
  ['..', 'dots only'],
  ['a\nb', 'newline'],
] as const;

describe('namespace names', () => {
  it.each(validNamespaces)('accepts %j', (namespace) => {
    expect(namespaceProblem(namespace)).toBeNull();
  });

  it.each(invalidNamespaces)('refuses %j (%s)', (namespace) => {
    expect(namespaceProblem(namespace)).toMatch(/must/);
  });
});

describe('repository names', () => {
  it.each(validNames)('accepts %j', (name) => {
    expect(repositoryNameProblem(name)).toBeNull();
  });

  it.each(invalidNames)('refuses %j (%s)', (name) => {
    expect(repositoryNameProblem(name)).toMatch(/must/);
  });
});

describe('names that are not strings (an `_entities` representation may carry anything)', () => {
  it.each([5, ['demo'], null, undefined, { name: 'demo' }])('refuses %j', (value) => {
    expect(namespaceProblem(value)).toBe('must be a string');
    expect(repositoryNameProblem(value)).toBe('must be a string');
  });
});

describe('repository path segments', () => {
  it('replaces every slash with a dollar sign', () => {
    expect(repositoryToPathSegment('team/api/v2')).toBe('team$api$v2');
  });

  it('restores slashes from dollar signs', () => {
    expect(repositoryFromPathSegment('team$api$v2')).toBe('team/api/v2');
  });
});
