import { INT32_MAX } from '../model/limits.js';

/** SWR's `Content-Range: {offset}-{count}/{total}` (a count, not an inclusive end). */
export interface ContentRange {
  offset: number;
  count: number;
  total: number;
}

// Spaces around the separators and HTTP's `items` unit are read too: only the total is used.
const CONTENT_RANGE_PATTERN = /^\s*(?:items\s+)?(\d{1,10})\s*-\s*(\d{1,10})\s*\/\s*(\d{1,10})\s*$/i;

/**
 * Parses a Content-Range header value; null when it is missing or unreadable, so paging can
 * fall back to asking one item more and report `totalCount: null`. The count is not checked
 * against the total (an SWR that wrote its limit there still gives the total).
 */
export function contentRangeFromHeader(value: string | string[] | undefined): ContentRange | null {
  if (typeof value !== 'string') return null;
  const match = CONTENT_RANGE_PATTERN.exec(value);
  if (!match) return null;
  const [offset, count, total] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // `totalCount` is a GraphQL Int: a larger total cannot be reported, so it counts as unreadable.
  if (total > INT32_MAX) return null;
  return { offset, count, total };
}
