import { describe, expect, it } from 'vitest';
import { contentRangeFromHeader } from '../../src/swr/content-range.js';
import { filterFromWindow, filterToQueryValue } from '../../src/swr/filter.js';

describe('filter strings', () => {
  it.each([
    [{ limit: 20, offset: 0, order: 'desc' as const }, 'limit::20|offset::0|order::desc'],
    [{ limit: 10, offset: 40, order: 'asc' as const }, 'limit::10|offset::40|order::asc'],
    [{ limit: 1, offset: 0, order: 'asc' as const }, 'limit::1|offset::0|order::asc'],
  ])('writes all three terms for %j', (window, filter) => {
    expect(filterFromWindow(window)).toBe(filter);
  });

  it('percent-encodes the filter the way the official SDKs do', () => {
    expect(filterToQueryValue('limit::10|offset::0|order::desc')).toBe('limit%3A%3A10%7Coffset%3A%3A0%7Corder%3A%3Adesc');
  });
});

describe('Content-Range', () => {
  it.each([
    ['0-10/47', { offset: 0, count: 10, total: 47 }],
    ['40-7/47', { offset: 40, count: 7, total: 47 }],
    ['100-0/47', { offset: 100, count: 0, total: 47 }],
    ['0-0/0', { offset: 0, count: 0, total: 0 }],
    [' 5-5/10 ', { offset: 5, count: 5, total: 10 }],
    ['0-10/2147483647', { offset: 0, count: 10, total: 2147483647 }],
    ['items 0-3/47', { offset: 0, count: 3, total: 47 }],
    ['0 - 3 / 47', { offset: 0, count: 3, total: 47 }],
    // An SWR that writes its limit as the count: the total is still SWR's.
    ['40-10/47', { offset: 40, count: 10, total: 47 }],
  ])('reads %j as offset-count/total', (header, range) => {
    expect(contentRangeFromHeader(header)).toEqual(range);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['bytes unit', 'bytes 0-9/47'],
    ['no total', '0-10'],
    ['star total', '0-10/*'],
    ['negative', '-1-10/47'],
    ['letters', 'a-b/c'],
    ['repeated header', ['0-10/47', '0-10/47']],
    ['the total beyond a GraphQL Int', '0-10/2147483648'],
  ])('is null when %s', (_label, header) => {
    expect(contentRangeFromHeader(header)).toBeNull();
  });
});
