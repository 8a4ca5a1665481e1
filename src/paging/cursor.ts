import { InvalidInputError } from '../errors.js';
import { INT32_MAX, INT32_MIN } from '../model/limits.js';
import type { SwrOrder } from '../swr/types.js';
import { compareInstants, compareKeys, type JobKey } from './job-order.js';

/**
 * Opaque cursors: base64url of a versioned text. Clients must not build them; the prefix and
 * version let the format change without accepting old junk.
 *
 * - v2 (what the gateway issues): `swr-sync-job:v2|{order}|{position}|{id}|{instant}|{total}|{before}|{after}[|before]`:
 *   the job's place in the order when the cursor was issued, the job itself (id and creation
 *   instant: what `after`/`before` cut by, wherever SWR has moved it since), SWR's total then
 *   (empty when unknown), from which a later page guesses how far the list has drifted, the ids
 *   of jobs of the same instant already shown before and after it (ascending, `.`-separated,
 *   three or more consecutive ids as one run `3~9`; an id may be written `+d`, d more than the
 *   id before it, and a run's end `+d`, d more than its start, where that is shorter; `*` when the
 *   list would take more than MAX_TIES_TEXT characters or list more than MAX_LISTED_TIES ids),
 *   and, for a cursor of a page read backwards, a last `before`: the jobs
 *   of its instant it does not list stand before it, not after (see CursorAnchor.unlisted). A
 *   cursor without that part (all cursors of pages read forwards, and those issued before it
 *   existed) puts them after it.
 * - v1 (issued before stable cursors): `swr-sync-job:v1:{order}:{position}`, a bare position;
 *   still accepted, and paged by position as before.
 */
const CURSOR_PREFIX = 'swr-sync-job:';
const V1 = `${CURSOR_PREFIX}v1:`;
const V2 = `${CURSOR_PREFIX}v2|`;
/** The last part of a v2 cursor whose unlisted ties stand before its job. */
const UNLISTED_BEFORE = 'before';
/**
 * Longest cursor accepted, in characters: the longest the gateway can issue (MAX_TIES_TEXT
 * characters of ties on each side, with the largest ids, positions and total: 1,192; without
 * ties a v2 cursor is about 110).
 */
export const MAX_CURSOR_LENGTH = 1200;
/**
 * Characters a cursor's list of ties takes at most on each side (about 100 ids a few apart, or
 * 16 runs of ten-digit ids, as cursors listed before), and ids it lists in all; past either it
 * says `*` (unknown).
 */
export const MAX_TIES_TEXT = 400;
export const MAX_LISTED_TIES = 1000;
const POSITION_PATTERN = /^(?:0|[1-9]\d{0,9})$/;
const ID_PATTERN = /^-?(?:0|[1-9]\d{0,9})$/;
const INSTANT_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/;
const ID_TEXT = String.raw`(?:-?\d{1,10}|\+\d{1,10})`;
const IDS_PATTERN = new RegExp(String.raw`^(?:\*|(?:${ID_TEXT}(?:~${ID_TEXT})?(?:\.${ID_TEXT}(?:~${ID_TEXT})?)*)?)$`);

/** A job a cursor names: where it was, what it is, and how long the list was then. */
export interface CursorAnchor extends JobKey {
  /** SWR's total when the cursor was issued; null when SWR did not report one. */
  total: number | null;
  /**
   * Ids of other jobs created in the same instant that the client was shown before / after this
   * one in the order (on this page or, for the cursor's own walk, earlier ones); null when
   * unknown (more than a cursor lists: MAX_TIES_TEXT, MAX_LISTED_TIES). How they cut: see compareToAnchor.
   */
  shownBefore: readonly number[] | null;
  shownAfter: readonly number[] | null;
  /**
   * Where the jobs of its instant that neither list names stand: those SWR served beyond the
   * page, on the far side of the walk that issued the cursor (after it for a page read forwards,
   * before it for one read backwards).
   * @default 'after'
   */
  unlisted?: 'before' | 'after';
}

/** What a cursor says. */
export interface SyncJobCursor {
  order: SwrOrder;
  /** The job's position in its order when the cursor was issued. */
  position: number;
  /** The job itself (v2); null for a v1 cursor, which is a position only. */
  anchor: CursorAnchor | null;
}

// Cursors of the first positions of each order, made once (v1 only: the README's examples).
const CACHED_POSITIONS = 1024;
const cachedCursors: Record<SwrOrder, Array<string | undefined>> = { asc: [], desc: [] };

/** A v1 cursor: a bare position. The gateway no longer issues them; they stay valid. */
export function positionToCursor(order: SwrOrder, position: number): string {
  if (position >= CACHED_POSITIONS) return encode(`${V1}${order}:${position}`);
  const cached = cachedCursors[order];
  return (cached[position] ??= encode(`${V1}${order}:${position}`));
}

/** The cursor of a job at `position` in `order`, when SWR's total was `total`, with the ties shown beside it. */
export function jobToCursor(order: SwrOrder, position: number, anchor: CursorAnchor): string {
  const unlisted = anchor.unlisted === 'before' ? `|${UNLISTED_BEFORE}` : '';
  return encode(
    `${V2}${order}|${position}|${anchor.id}|${anchor.instant}|${anchor.total ?? ''}|` +
      `${idsText(anchor.shownBefore)}|${idsText(anchor.shownAfter)}${unlisted}`,
  );
}

/**
 * Where a job stands against the job a cursor names, in the order cursors cut by: negative
 * before it, positive after it, 0 for that job itself. Every cut by a cursor goes through it, in
 * either direction, so that `after: c` and `before: c` share no job and miss none. Jobs of
 * another instant go by time. Those of its instant go by the list opposite its `unlisted` side:
 * a job in it stands on the list's side, every other one (shown on the unlisted side, or never
 * shown) on the unlisted side; by id when that list is unknown.
 */
export function compareToAnchor(key: JobKey, anchor: CursorAnchor, order: SwrOrder): number {
  const byTime = compareInstants(key.instant, anchor.instant, order);
  if (byTime !== 0 || key.id === anchor.id) return byTime;
  const unlistedAfter = anchor.unlisted !== 'before';
  const listed = unlistedAfter ? anchor.shownBefore : anchor.shownAfter;
  if (listed === null) return compareKeys(key, anchor, order);
  return listed.includes(key.id) === unlistedAfter ? -1 : 1;
}

// A list of tie ids as a cursor writes it: ascending, `.`-separated, three or more consecutive
// ids as one run `a~b`, each id (and run end) written relative to the one before where shorter.
function idsText(list: readonly number[] | null): string {
  if (list === null || list.length > MAX_LISTED_TIES) return '*';
  if (list.length === 0) return '';
  const sorted = [...new Set(list)].sort((a, b) => a - b);
  let text = '';
  let previous: number | null = null;
  const written = (id: number, from: number | null) => {
    const absolute = String(id);
    const relative = from === null ? absolute : `+${id - from}`;
    return relative.length < absolute.length ? relative : absolute;
  };
  for (let start = 0; start < sorted.length;) {
    let end = start;
    while (end + 1 < sorted.length && sorted[end + 1] === sorted[end]! + 1) end += 1;
    // Two ids stay two (as cursors wrote them before runs existed), three and more make a run.
    const items: string[] = [];
    if (end - start >= 2) {
      items.push(`${written(sorted[start]!, previous)}~${written(sorted[end]!, sorted[start]!)}`);
      previous = sorted[end]!;
    } else {
      for (let at = start; at <= end; at += 1) {
        items.push(written(sorted[at]!, previous));
        previous = sorted[at]!;
      }
    }
    for (const item of items) text = text === '' ? item : `${text}.${item}`;
    if (text.length > MAX_TIES_TEXT) return '*';
    start = end + 1;
  }
  return text;
}

// The ids a cursor's list names; null when it does not decode (a run backwards, an id relative
// to none, an id beyond 32 bits, a text too long, or more than MAX_LISTED_TIES ids).
function idsFromText(text: string): number[] | null {
  if (text.length > MAX_TIES_TEXT) return null;
  const ids: number[] = [];
  let previous: number | null = null;
  for (const run of text.split('.')) {
    const [start, end] = run.split('~') as [string, string?];
    const first: number = start.startsWith('+') ? (previous === null ? NaN : previous + Number(start.slice(1))) : Number(start);
    const last: number = end === undefined ? first : end.startsWith('+') ? first + Number(end.slice(1)) : Number(end);
    if (!(last >= first) || first < INT32_MIN || last > INT32_MAX || ids.length + (last - first) >= MAX_LISTED_TIES) return null;
    for (let id = first; id <= last; id += 1) ids.push(id);
    previous = last;
  }
  return ids;
}

// Cursor texts are ASCII (names never enter them), so Latin-1 bytes are their UTF-8 bytes, and cheaper to write.
function encode(text: string): string {
  return Buffer.from(text, 'latin1').toString('base64url');
}

/**
 * What a cursor says; throws BAD_USER_INPUT for one that does not decode, or one made for
 * another order. `argument` names the argument in the message.
 */
export function cursorFrom(cursor: string, order: SwrOrder, argument: string): SyncJobCursor {
  const notOurs = () => new InvalidInputError(`Invalid cursor in \`${argument}\`: it was not issued by this gateway`);
  const decoded = cursor.length <= MAX_CURSOR_LENGTH ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  // Decoding is lenient; re-encoding must give back exactly what the client sent.
  if (!decoded.startsWith(CURSOR_PREFIX) || Buffer.from(decoded, 'utf8').toString('base64url') !== cursor) throw notOurs();
  const parts = decoded.startsWith(V2)
    ? decoded.slice(V2.length).split('|')
    : decoded.startsWith(V1)
      ? decoded.slice(V1.length).split(':')
      : [];
  const [cursorOrder, position] = parts;
  if (cursorOrder !== 'asc' && cursorOrder !== 'desc') throw notOurs();
  if (cursorOrder !== order) {
    throw new InvalidInputError(
      `Invalid cursor in \`${argument}\`: it belongs to order ${cursorOrder.toUpperCase()}, not ${order.toUpperCase()}`,
    );
  }
  if (position === undefined || !POSITION_PATTERN.test(position) || Number(position) > INT32_MAX) throw notOurs();
  if (decoded.startsWith(V1)) {
    if (parts.length !== 2) throw notOurs();
    return { order, position: Number(position), anchor: null };
  }
  const [, , id, instant, total, before, after, unlisted] = parts;
  if (
    (parts.length !== 7 && (parts.length !== 8 || unlisted !== UNLISTED_BEFORE)) ||
    id === undefined ||
    instant === undefined ||
    total === undefined ||
    before === undefined ||
    after === undefined
  )
    throw notOurs();
  if (!ID_PATTERN.test(id) || Number(id) > INT32_MAX || Number(id) < INT32_MIN || !INSTANT_PATTERN.test(instant)) throw notOurs();
  if (total !== '' && (!POSITION_PATTERN.test(total) || Number(total) > INT32_MAX)) throw notOurs();
  if (!IDS_PATTERN.test(before) || !IDS_PATTERN.test(after)) throw notOurs();
  const listed = (text: string) => (text === '*' ? null : text === '' ? [] : (idsFromText(text) ?? undefined));
  const [shownBefore, shownAfter] = [listed(before), listed(after)];
  if (shownBefore === undefined || shownAfter === undefined) throw notOurs();
  return {
    order,
    position: Number(position),
    anchor: {
      id: Number(id),
      instant,
      total: total === '' ? null : Number(total),
      shownBefore,
      shownAfter,
      ...(unlisted === UNLISTED_BEFORE ? { unlisted: 'before' as const } : {}),
    },
  };
}

/** The position a cursor carries (v1 or v2); throws as cursorFrom does. */
export function cursorToPosition(cursor: string, order: SwrOrder, argument: string): number {
  return cursorFrom(cursor, order, argument).position;
}
