import { describe, expect, it } from 'vitest';
import { filterFromQuery, parseFilterParam } from '../../src/simulator/filter-param.js';

describe('parseFilterParam', () => {
  it.each([
    ['limit::10|offset::0|order::asc', { limit: 10, offset: 0, order: 'asc' }],
    ['offset::40|limit::5', { limit: 5, offset: 40, order: 'desc' }],
    ['limit::0|offset::0|order::desc', { limit: 0, offset: 0, order: 'desc' }],
    ['limit::007|offset::00', { limit: 7, offset: 0, order: 'desc' }],
  ])('reads %s', (value, filter) => {
    expect(parseFilterParam(value)).toEqual({ ok: true, filter });
  });

  it.each([
    ['absent', null, /required/],
    ['empty', '', /empty term/],
    ['trailing bar', 'limit::1|offset::0|', /empty term/],
    ['no limit', 'offset::0', /limit/],
    ['no offset', 'limit::1|order::asc', /offset/],
    ['signed', 'limit::+1|offset::0', /limit must be a non-negative integer/],
    ['exponent', 'limit::1e3|offset::0', /limit must be/],
    ['space', 'limit:: 1|offset::0', /limit must be/],
    ['empty value', 'limit::|offset::0', /limit must be/],
    ['unsafe integer', 'limit::1|offset::99999999999999999999', /offset must be/],
    ['upper-case order', 'limit::1|offset::0|order::ASC', /order must be asc or desc/],
    ['upper-case key', 'LIMIT::1|offset::0', /unknown/],
    ['duplicate order', 'limit::1|offset::0|order::asc|order::asc', /twice/],
    ['single colon', 'limit:1|offset::0', /key::value/],
  ])('refuses a filter that is %s', (_case, value, message) => {
    const result = parseFilterParam(value);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });
});

describe('filterFromQuery', () => {
  it.each([
    ['filter=limit%3A%3A10%7Coffset%3A%3A0%7Corder%3A%3Aasc'],
    ['filter=limit::10|offset::0|order::asc'],
    ['other=1&filter=limit%3a%3a10|offset::0%7corder::asc'],
  ])('decodes %s to the same value', (rawQuery) => {
    expect(filterFromQuery(rawQuery)).toEqual({
      value: 'limit::10|offset::0|order::asc',
      result: { ok: true, filter: { limit: 10, offset: 0, order: 'asc' } },
    });
  });

  it('reports an absent filter as null', () => {
    expect(filterFromQuery('limit=10').value).toBeNull();
  });

  it('refuses a repeated filter but still reports the first value', () => {
    const { value, result } = filterFromQuery('filter=limit::1|offset::0&filter=limit::2|offset::0');
    expect(value).toBe('limit::1|offset::0');
    expect(result).toEqual({ ok: false, message: 'query parameter filter is given more than once' });
  });
});
