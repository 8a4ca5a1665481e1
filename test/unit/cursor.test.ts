import { describe, expect, it } from 'vitest';
import { nodeRefFromId, repositoryToNodeId } from '../../src/model/node-id.js';
import {
  compareToAnchor,
  cursorFrom,
  cursorToPosition,
  jobToCursor,
  MAX_CURSOR_LENGTH,
  MAX_LISTED_TIES,
  MAX_TIES_TEXT,
  positionToCursor,
} from '../../src/paging/cursor.js';

const encode = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

describe('cursors', () => {
  it.each([0, 1, 19, 46, 2 ** 31 - 1])('round-trips position %i in both orders', (position) => {
    expect(cursorToPosition(positionToCursor('desc', position), 'desc', 'after')).toBe(position);
    expect(cursorToPosition(positionToCursor('asc', position), 'asc', 'after')).toBe(position);
  });

  it('is opaque: neither the order nor the position shows in clear', () => {
    const cursor = positionToCursor('desc', 42);
    expect(cursor).not.toContain('desc');
    expect(cursor).not.toContain('42');
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('gives different cursors for different orders of the same position', () => {
    expect(positionToCursor('asc', 3)).not.toBe(positionToCursor('desc', 3));
  });

  it('refuses a cursor of the other order, naming both', () => {
    expect(() => cursorToPosition(positionToCursor('asc', 3), 'desc', 'after')).toThrow(/belongs to order ASC, not DESC/);
  });

  it.each([
    ['empty', ''],
    ['not base64', '!!!'],
    ['another prefix', encode('arrayconnection:3')],
    ['negative position', encode('swr-sync-job:v1:desc:-1')],
    ['leading zero', encode('swr-sync-job:v1:desc:03')],
    ['fraction', encode('swr-sync-job:v1:desc:1.5')],
    ['beyond 32 bits', encode('swr-sync-job:v1:desc:2147483648')],
    ['unknown order', encode('swr-sync-job:v1:sideways:1')],
    ['extra part', encode('swr-sync-job:v1:desc:1:2')],
    ['padded base64', `${positionToCursor('desc', 1)}=`],
    ['very long', 'A'.repeat(10_000)],
  ])('refuses a cursor that does not decode (%s) with BAD_USER_INPUT', (_label, cursor) => {
    let thrown: unknown;
    try {
      cursorToPosition(cursor, 'desc', 'before');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('`before`') });
  });
});

describe('v2 cursors (naming their job)', () => {
  const anchor = { id: 100047, instant: '2024-01-04T01:04:05.174562000Z', total: 47, shownBefore: [], shownAfter: [3, 4] };

  it('carry the position, the job, the total and the ties shown beside it', () => {
    const cursor = jobToCursor('desc', 12, anchor);
    expect(cursorFrom(cursor, 'desc', 'after')).toEqual({ order: 'desc', position: 12, anchor });
    expect(Buffer.from(cursor, 'base64url').toString('utf8')).toBe('swr-sync-job:v2|desc|12|100047|2024-01-04T01:04:05.174562000Z|47||3.4');
  });

  it('say when the jobs of their instant they do not list stand before them (a page read backwards)', () => {
    const backward = { ...anchor, unlisted: 'before' as const };
    const cursor = jobToCursor('desc', 12, backward);
    expect(cursorFrom(cursor, 'desc', 'after')).toEqual({ order: 'desc', position: 12, anchor: backward });
    expect(Buffer.from(cursor, 'base64url').toString('utf8')).toBe(
      'swr-sync-job:v2|desc|12|100047|2024-01-04T01:04:05.174562000Z|47||3.4|before',
    );
    // 'after' is the default, and the text of a cursor without the part.
    expect(jobToCursor('desc', 12, { ...anchor, unlisted: 'after' })).toBe(jobToCursor('desc', 12, anchor));
  });

  it.each([
    ['a tie after a cursor whose unlisted ties stand after it', 'after', 5, 1],
    ['a tie it lists before it', 'after', 3, -1],
    ['a tie it lists after it', 'after', 4, 1],
    ['a tie before a cursor whose unlisted ties stand before it', 'before', 5, -1],
    ['a tie it lists after it, unlisted before', 'before', 4, 1],
    ['a tie it lists before it, unlisted before', 'before', 3, -1],
  ] as const)('cut %s by its lists, not by id', (_label, unlisted, id, side) => {
    const cut = { ...anchor, id: 10, shownBefore: [3], shownAfter: [4], unlisted };
    for (const order of ['asc', 'desc'] as const)
      expect(Math.sign(compareToAnchor({ instant: anchor.instant, id }, cut, order))).toBe(side);
  });

  it('say when the total or the ties are unknown', () => {
    // More than MAX_TIES_TEXT characters (ids far apart), or more than MAX_LISTED_TIES ids in all.
    for (const many of [
      Array.from({ length: 41 }, (_, index) => -2_000_000_000 + index * 100_000_000),
      Array.from({ length: MAX_LISTED_TIES + 1 }, (_, index) => index),
    ]) {
      const unknown = { ...anchor, total: null, shownBefore: null, shownAfter: many };
      expect(cursorFrom(jobToCursor('asc', 0, unknown), 'asc', 'before').anchor).toEqual({ ...unknown, shownAfter: null });
    }
  });

  it('write three or more consecutive ties as one run, ascending, and read them back', () => {
    const walked = {
      ...anchor,
      shownBefore: [12, 3, 1, 2, 4, 9, 10],
      shownAfter: Array.from({ length: MAX_LISTED_TIES }, (_, index) => 5000 - index),
    };
    const cursor = jobToCursor('asc', 3, walked);
    expect(Buffer.from(cursor, 'base64url').toString('utf8')).toMatch(/\|1~4\.9\.10\.12\|4001~5000$/);
    expect(cursorFrom(cursor, 'asc', 'after').anchor).toEqual({
      ...walked,
      shownBefore: [1, 2, 3, 4, 9, 10, 12],
      shownAfter: Array.from({ length: MAX_LISTED_TIES }, (_, index) => 4001 + index),
    });
  });

  it('list ids a few apart relative to each other: 100 ties of ten-digit ids fit, and read back', () => {
    const ids = Array.from({ length: 100 }, (_, index) => 2_000_000_000 + index * 7 + (index % 3));
    const walked = { ...anchor, shownBefore: ids, shownAfter: [-2_147_483_648, -2_147_483_646, ...ids.slice(0, 3)] };
    const cursor = jobToCursor('desc', 40, walked);
    const text = Buffer.from(cursor, 'base64url').toString('utf8');
    expect(text).toContain('|2000000000.+8.+8.+5.+8.+8.+5');
    expect(text).toMatch(/\|-2147483648\.\+2\.2000000000\.\+8\.\+8$/);
    expect(cursorFrom(cursor, 'desc', 'after').anchor).toEqual({ ...walked, shownAfter: [...walked.shownAfter].sort((a, b) => a - b) });
    // A run's end relative to its start where that is shorter.
    const runs = { ...anchor, shownBefore: [1_000_000_000, 1_000_000_001, 1_000_000_002, 1_000_000_010], shownAfter: [] };
    const runText = Buffer.from(jobToCursor('asc', 0, runs), 'base64url').toString('utf8');
    expect(runText).toContain('|1000000000~+2.+8|');
    expect(cursorFrom(jobToCursor('asc', 0, runs), 'asc', 'after').anchor).toEqual(runs);
  });

  it.each([
    ['an id relative to none', '+3.4'],
    ['a run backwards', '9~3'],
    ['a relative run end past 32 bits', '2147483000~+1000'],
    ['a relative id past 32 bits', '2147483000.+1000'],
    [
      'a list longer than MAX_TIES_TEXT',
      Array.from({ length: 201 }, () => '+1')
        .join('.')
        .replace(/^\+1/, '1'),
    ],
  ])('refuse a list with %s', (_what, list) => {
    const forged = Buffer.from(`swr-sync-job:v2|asc|0|10|${anchor.instant}||${list}|`, 'latin1').toString('base64url');
    expect(() => cursorFrom(forged, 'asc', 'after')).toThrow(/not issued by this gateway/);
  });

  it('decode at their longest: the most ties the gateway lists, with the largest ids and positions', () => {
    // Lists just within MAX_TIES_TEXT: 37 ids so far apart that each takes ten or eleven characters.
    const ids = Array.from({ length: 37 }, (_, index) => -2_147_483_000 + index * 119_000_000);
    const longest = {
      id: -2_147_483_648,
      instant: '2024-01-04T01:04:05.174562000Z',
      total: 2_147_483_647,
      shownBefore: ids,
      shownAfter: ids,
      unlisted: 'before' as const,
    };
    const cursor = jobToCursor('desc', 2_147_483_647, longest);
    const lists = Buffer.from(cursor, 'base64url').toString('utf8').split('|').slice(6, 8);
    for (const list of lists) expect(list.length).toBeGreaterThan(MAX_TIES_TEXT - 12);
    for (const list of lists) expect(list.length).toBeLessThanOrEqual(MAX_TIES_TEXT);
    expect(cursor.length).toBeLessThanOrEqual(MAX_CURSOR_LENGTH);
    expect(cursorFrom(cursor, 'desc', 'after').anchor).toEqual(longest);
  });

  it('belong to one order', () => {
    expect(() => cursorFrom(jobToCursor('asc', 1, anchor), 'desc', 'after')).toThrow(/belongs to order ASC, not DESC/);
  });

  it.each([
    ['a bad instant', 'swr-sync-job:v2|desc|1|5|2024-01-04T01:04:05Z|47||'],
    ['a missing field', 'swr-sync-job:v2|desc|1|5|2024-01-04T01:04:05.174562000Z|47|'],
    ['an id past 32 bits', 'swr-sync-job:v2|desc|1|4294967296|2024-01-04T01:04:05.174562000Z|47||'],
    ['junk ties', 'swr-sync-job:v2|desc|1|5|2024-01-04T01:04:05.174562000Z|47|x|'],
    ['a run of ties backwards', 'swr-sync-job:v2|desc|1|5|2024-01-04T01:04:05.174562000Z|47|9~3|'],
    ['a run of more ties than a cursor lists', 'swr-sync-job:v2|desc|1|5|2024-01-04T01:04:05.174562000Z|47||1~2000000000'],
    ['a run past 32 bits', 'swr-sync-job:v2|desc|1|5|2024-01-04T01:04:05.174562000Z|47||2147483647~2147483649'],
    ['a junk unlisted side', 'swr-sync-job:v2|desc|1|5|2024-01-04T01:04:05.174562000Z|47|||after'],
    ['an extra field', 'swr-sync-job:v2|desc|1|5|2024-01-04T01:04:05.174562000Z|47|||before|'],
    ['a negative total', 'swr-sync-job:v2|desc|1|5|2024-01-04T01:04:05.174562000Z|-1||'],
  ])('refuse %s', (_label, text) => {
    expect(() => cursorFrom(Buffer.from(text, 'utf8').toString('base64url'), 'desc', 'after')).toThrow(/not issued by this gateway/);
  });

  it('keep the v1 cursors of before stable cursors working as positions', () => {
    expect(cursorFrom('c3dyLXN5bmMtam9iOnYxOmRlc2M6NA', 'desc', 'after')).toEqual({ order: 'desc', position: 4, anchor: null });
  });
});

describe('node ids', () => {
  it('decode to the repository they name, names with slashes too', () => {
    const id = repositoryToNodeId({ namespace: 'demo', name: 'team/api' });
    expect(nodeRefFromId(id)).toEqual({ type: 'Repository', key: { namespace: 'demo', name: 'team/api' } });
  });

  it('say so for another type', () => {
    expect(nodeRefFromId(Buffer.from('Team:42').toString('base64url'))).toEqual({ type: 'unknown', typeName: 'Team' });
  });

  it.each([
    ['100047'],
    ['not base64!'],
    [Buffer.from('Repository-demo-nginx').toString('base64url')],
    [`${repositoryToNodeId({ namespace: 'demo', name: 'x' })}=`],
    ['x'.repeat(600)],
  ])('refuse %s as not issued by this gateway', (id) => {
    expect(() => nodeRefFromId(id)).toThrow(/not issued by this gateway/);
  });
});
