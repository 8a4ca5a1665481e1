import { describe, expect, it } from 'vitest';
import { connectionFromSlice } from '../../src/paging/connection.js';
import { cursorFrom } from '../../src/paging/cursor.js';
import { keyOf } from '../../src/paging/job-order.js';
import type { PageSlice } from '../../src/paging/page-slice.js';
import { swrJob } from '../support/swr-job.js';

const job = (id: number, createdAt: string) => swrJob({ id, createdAt });

const A = '2025-01-01T00:00:03.000001Z';
const B = '2025-01-01T00:00:02Z';
const C = '2025-01-01T00:00:01.5Z';

// What each edge's cursor says of the jobs of its instant shown before and after it (ascending, as cursors write them).
function tiesOfEdges(slice: PageSlice) {
  return connectionFromSlice(slice, 'desc').edges.map((edge) => {
    const anchor = cursorFrom(edge.cursor, 'desc', 'after').anchor!;
    return [anchor.id, anchor.shownBefore, anchor.shownAfter];
  });
}

describe('connection cursors: ties', () => {
  const items = [job(9, A), job(8, A), job(7, B), job(6, C), job(5, C), job(4, C)];
  const expected = [
    [9, [], [8]],
    [8, [9], []],
    [7, [], []],
    [6, [], [4, 5]],
    [5, [6], [4]],
    [4, [5, 6], []],
  ];

  it('lists the jobs of its instant shown beside each job, on either side', () => {
    const slice: PageSlice = { start: 0, items, total: 6, hasPreviousPage: false, hasNextPage: false };
    expect(tiesOfEdges(slice)).toEqual(expected);
  });

  it('takes the keys a slice carries rather than working them out again', () => {
    const bare: PageSlice = { start: 0, items, total: 6, hasPreviousPage: false, hasNextPage: false };
    expect(tiesOfEdges({ ...bare, keys: items.map(keyOf) })).toEqual(expected);
    // Keys the slice's maker worked out (here, one instant moved a microsecond) are what the cursors carry.
    const moved = items.map((item) => ({ ...keyOf(item), instant: keyOf(item).instant.replace('.000001000Z', '.000002000Z') }));
    const instants = connectionFromSlice({ ...bare, keys: moved }, 'desc').edges.map(
      (edge) => cursorFrom(edge.cursor, 'desc', 'after').anchor!.instant,
    );
    expect(instants).toEqual(moved.map((key) => key.instant));
    expect(instants[0]).toBe('2025-01-01T00:00:03.000002000Z');
  });

  it('finds the ties of a page whose jobs of one instant do not stand side by side', () => {
    // Not a page the gateway builds (its pages are in its order), but the cursors stay right.
    const scattered = [job(9, A), job(7, B), job(8, A)];
    const slice: PageSlice = { start: 0, items: scattered, total: 3, hasPreviousPage: false, hasNextPage: false };
    expect(tiesOfEdges(slice)).toEqual([
      [9, [], [8]],
      [7, [], []],
      [8, [9], []],
    ]);
  });
});
