import { describe, expect, it } from 'vitest';
import { dateTimeFromSwrTime } from '../../src/graphql/resolvers/date-time.js';
import { instantOf } from '../../src/paging/job-order.js';

describe('DateTime on output', () => {
  it.each([
    ['SWR’s own form, untouched', '2020-03-12T08:11:36.518144Z', '2020-03-12T08:11:36.518144Z'],
    ['an offset, converted with its microseconds', '2020-03-12T16:11:36.518144+08:00', '2020-03-12T08:11:36.518144Z'],
    ['an offset without a colon, across midnight', '2020-03-12T01:11:36.5-0300', '2020-03-12T04:11:36.5Z'],
    ['no zone (UTC), with its microseconds', '2020-03-12 08:11:36.518144', '2020-03-12T08:11:36.518144Z'],
    ['no zone and no fraction', '2020-03-12T08:11:36', '2020-03-12T08:11:36Z'],
    ['nine fraction digits and an offset', '2020-03-12T09:11:36.123456789+01:00', '2020-03-12T08:11:36.123456789Z'],
    ['more than nine fraction digits, cut to nine', '2020-03-12T08:11:36.1234567891', '2020-03-12T08:11:36.123456789Z'],
    ['before 1970, with an offset', '1969-12-31T23:59:59.25-01:00', '1970-01-01T00:59:59.25Z'],
  ])('gives %s', (_label, swr, expected) => {
    expect(dateTimeFromSwrTime(swr)).toBe(expected);
    // The same instant cursors compare by.
    expect(instantOf(expected)).toBe(instantOf(swr));
  });

  it('refuses a time that does not read', () => {
    expect(() => dateTimeFromSwrTime('yesterday')).toThrow('DateTime cannot represent an unreadable time');
  });
});
