import { describe, expect, it } from 'vitest';
import { cursorToPosition, positionToCursor } from '../../src/paging/cursor.js';

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
