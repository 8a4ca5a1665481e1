import { describe, expect, it } from 'vitest';
import { callsFromWindows, type Interval } from '../../src/economy/window-cover.js';

const w = (offset: number, limit: number): Interval => ({ offset, limit });

describe('coalescing windows into upstream calls', () => {
  it.each<[string, Interval[], Interval[]]>([
    ['one window', [w(0, 10)], [w(0, 10)]],
    ['duplicates', [w(0, 10), w(0, 10)], [w(0, 10)]],
    ['a window inside another', [w(0, 10), w(0, 20)], [w(0, 20)]],
    ['touching windows', [w(0, 10), w(10, 10)], [w(0, 20)]],
    ['overlapping windows', [w(5, 10), w(0, 8)], [w(0, 15)]],
    ['windows with a gap stay apart', [w(0, 10), w(11, 10)], [w(0, 10), w(11, 10)]],
    ['a chain that fits', [w(0, 40), w(40, 40), w(80, 20)], [w(0, 100)]],
    ['windows whose union is too long for one call get a call each, each window whole', [w(0, 60), w(50, 60)], [w(0, 60), w(50, 60)]],
    ['a window joins the call it fits in', [w(0, 60), w(50, 30), w(70, 40)], [w(0, 80), w(70, 40)]],
    ['a run of three pages', [w(0, 100), w(100, 100), w(200, 50)], [w(0, 100), w(100, 100), w(200, 50)]],
    ['unsorted input', [w(30, 5), w(0, 10), w(10, 20)], [w(0, 35)]],
  ])('%s', (_label, windows, calls) => {
    expect(callsFromWindows(windows, 100)).toEqual(calls);
  });

  it('splits a window wider than the upstream maximum into consecutive calls', () => {
    expect(callsFromWindows([w(0, 20), w(20, 20)], 15)).toEqual([w(0, 15), w(15, 5), w(20, 15), w(35, 5)]);
    expect(callsFromWindows([w(0, 10), w(5, 10)], 15)).toEqual([w(0, 15)]);
  });

  it.each<[string, Interval[], Interval[], Interval[]]>([
    ['a window inside an earlier call costs nothing', [w(3, 5)], [w(0, 10)], []],
    // Never stitched from two answers of different moments: asked for whole.
    ['a window across two earlier calls is asked for whole', [w(5, 10)], [w(0, 10), w(10, 10)], [w(5, 10)]],
    ['a window sticking out of an earlier call is asked for whole', [w(5, 10)], [w(0, 10)], [w(5, 10)]],
    ['a window sticking out at the front is asked for whole', [w(0, 10)], [w(5, 10)], [w(0, 10)]],
    ['a window over a hole asks once for all of it', [w(0, 30)], [w(10, 10)], [w(0, 30)]],
  ])('%s', (_label, windows, fetched, calls) => {
    expect(callsFromWindows(windows, 100, fetched)).toEqual(calls);
  });
});
