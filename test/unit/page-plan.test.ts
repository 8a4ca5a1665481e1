import { describe, expect, it } from 'vitest';
import { positionToCursor } from '../../src/paging/cursor.js';
import { pagePlanFromArgs, type PagingArgs } from '../../src/paging/page-plan.js';

const sizes = { defaultPageSize: 20, maxPageSize: 100 };
const desc = (position: number) => positionToCursor('desc', position);

describe('page plans from connection arguments', () => {
  it.each<[string, PagingArgs, ReturnType<typeof pagePlanFromArgs>]>([
    ['no arguments: the default page from the start', { order: 'desc' }, { kind: 'range', order: 'desc', start: 0, count: 20 }],
    ['first', { order: 'desc', first: 10 }, { kind: 'range', order: 'desc', start: 0, count: 10 }],
    ['first after', { order: 'desc', first: 10, after: desc(9) }, { kind: 'range', order: 'desc', start: 10, count: 10 }],
    ['after alone', { order: 'desc', after: desc(4) }, { kind: 'range', order: 'desc', start: 5, count: 20 }],
    ['first: 0', { order: 'asc', first: 0 }, { kind: 'range', order: 'asc', start: 0, count: 0 }],
    [
      'first before: cut at the cursor',
      { order: 'desc', first: 10, before: desc(5) },
      { kind: 'range', order: 'desc', start: 0, count: 5 },
    ],
    [
      'last before',
      { order: 'desc', last: 5, before: desc(20) },
      { kind: 'range', order: 'desc', start: 15, count: 5, tail: { from: 0, count: 5 } },
    ],
    [
      'last before near the start: fewer',
      { order: 'desc', last: 5, before: desc(3) },
      { kind: 'range', order: 'desc', start: 0, count: 3, tail: { from: 0, count: 5 } },
    ],
    [
      'last before the first item: empty',
      { order: 'desc', last: 5, before: desc(0) },
      { kind: 'range', order: 'desc', start: 0, count: 0, tail: { from: 0, count: 5 } },
    ],
    [
      'before alone: the default page before it',
      { order: 'desc', before: desc(30) },
      { kind: 'range', order: 'desc', start: 10, count: 20, tail: { from: 0, count: 20 } },
    ],
    ['last alone: the tail', { order: 'asc', last: 7 }, { kind: 'tail', order: 'asc', from: 0, count: 7 }],
    [
      'last after: the tail after the cursor',
      { order: 'desc', last: 7, after: desc(2) },
      { kind: 'tail', order: 'desc', from: 3, count: 7 },
    ],
    [
      'after and before: between them',
      { order: 'desc', after: desc(2), before: desc(6) },
      { kind: 'range', order: 'desc', start: 3, count: 3 },
    ],
    [
      'last between cursors',
      { order: 'desc', last: 2, after: desc(2), before: desc(9) },
      { kind: 'range', order: 'desc', start: 7, count: 2, tail: { from: 3, count: 2 } },
    ],
    [
      'after past before: empty',
      { order: 'desc', first: 5, after: desc(9), before: desc(3) },
      { kind: 'range', order: 'desc', start: 10, count: 0 },
    ],
    ['first: MAX_PAGE_SIZE', { order: 'desc', first: 100 }, { kind: 'range', order: 'desc', start: 0, count: 100 }],
  ])('%s', (_label, args, plan) => {
    expect(pagePlanFromArgs(args, sizes)).toEqual(plan);
  });

  it.each<[string, PagingArgs, RegExp]>([
    ['first and last', { order: 'desc', first: 1, last: 1 }, /either `first` or `last`/],
    ['negative first', { order: 'desc', first: -1 }, /`first` must be an integer from 0 to 100, received -1/],
    ['first over the maximum', { order: 'desc', first: 101 }, /`first` must be an integer from 0 to 100/],
    ['last over the maximum', { order: 'desc', last: 1000 }, /`last` must be an integer from 0 to 100/],
    ['a cursor of the other order', { order: 'asc', first: 1, after: desc(3) }, /belongs to order DESC, not ASC/],
    ['a cursor that does not decode', { order: 'desc', before: 'bm9wZQ' }, /Invalid cursor in `before`/],
  ])('refuses %s with BAD_USER_INPUT', (_label, args, message) => {
    expect(() => pagePlanFromArgs(args, sizes)).toThrow(message);
    try {
      pagePlanFromArgs(args, sizes);
    } catch (error) {
      expect(error).toMatchObject({ code: 'BAD_USER_INPUT' });
    }
  });
});
