import { InvalidInputError } from '../errors.js';
import { INT32_MAX } from '../model/limits.js';
import type { SwrOrder } from '../swr/types.js';

/**
 * Opaque cursors: base64url of `swr-sync-job:v1:{order}:{position}`, the position being the
 * item's offset in that order. Clients must not build them; the prefix and version let us change
 * the format later without accepting old junk.
 */
const CURSOR_PREFIX = 'swr-sync-job:v1:';
const MAX_POSITION = INT32_MAX;
const POSITION_PATTERN = /^(?:0|[1-9]\d{0,9})$/;

// Cursors of the first positions of each order, made once: most pages of most operations need
// them (at most about 100 KB in all).
const CACHED_POSITIONS = 1024;
const cachedCursors: Record<SwrOrder, Array<string | undefined>> = { asc: [], desc: [] };

/** The cursor of the item at `position` in `order`. */
export function positionToCursor(order: SwrOrder, position: number): string {
  if (position >= CACHED_POSITIONS) return encodeCursor(order, position);
  const cached = cachedCursors[order];
  return (cached[position] ??= encodeCursor(order, position));
}

function encodeCursor(order: SwrOrder, position: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${order}:${position}`, 'utf8').toString('base64url');
}

/**
 * The position a cursor carries; throws BAD_USER_INPUT for a cursor that does not decode, or
 * one made for another order. `argument` names the argument in the message.
 */
export function cursorToPosition(cursor: string, order: SwrOrder, argument: string): number {
  const decoded = cursor.length <= 64 ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  // Decoding is lenient; re-encoding must give back exactly what the client sent.
  if (!decoded.startsWith(CURSOR_PREFIX) || Buffer.from(decoded, 'utf8').toString('base64url') !== cursor) {
    throw new InvalidInputError(`Invalid cursor in \`${argument}\`: it was not issued by this gateway`);
  }
  const parts = decoded.slice(CURSOR_PREFIX.length).split(':');
  const [cursorOrder, position] = parts;
  if (parts.length !== 2 || (cursorOrder !== 'asc' && cursorOrder !== 'desc')) {
    throw new InvalidInputError(`Invalid cursor in \`${argument}\`: it was not issued by this gateway`);
  }
  if (cursorOrder !== order) {
    throw new InvalidInputError(
      `Invalid cursor in \`${argument}\`: it belongs to order ${cursorOrder.toUpperCase()}, not ${order.toUpperCase()}`,
    );
  }
  if (position === undefined || !POSITION_PATTERN.test(position) || Number(position) > MAX_POSITION) {
    throw new InvalidInputError(`Invalid cursor in \`${argument}\`: it was not issued by this gateway`);
  }
  return Number(position);
}
