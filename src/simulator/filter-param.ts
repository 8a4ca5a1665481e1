import type { SwrOrder } from '../swr/types.js';

/** A parsed `filter` query value: `limit::{L}|offset::{O}|order::{asc|desc}`. */
export interface SyncJobFilter {
  limit: number;
  offset: number;
  order: SwrOrder;
}

/** Outcome of reading the filter: the window, or why the request is a 400. */
export type FilterParseResult = { ok: true; filter: SyncJobFilter } | { ok: false; message: string };

const KNOWN_KEYS = new Set(['limit', 'offset', 'order']);

/**
 * Use to read the `filter` of a raw query string: its decoded value (null when absent, for the
 * request log) and whether it is acceptable.
 * URLSearchParams decodes percent-escapes and leaves raw `:` and `|` alone, so the encoded form
 * SWR's SDKs send, the raw form other clients send, and any mix of both read the same.
 */
export function filterFromQuery(rawQuery: string): { value: string | null; result: FilterParseResult } {
  const values = new URLSearchParams(rawQuery).getAll('filter');
  const value = values[0] ?? null;
  // Two filters could disagree; guessing which one wins would hide a client bug.
  if (values.length > 1) return { value, result: fail('query parameter filter is given more than once') };
  return { value, result: parseFilterParam(value) };
}

/** Use to validate a decoded filter value the way SWR's API document describes it (`limit::L|offset::O|order::asc|desc`). */
export function parseFilterParam(value: string | null): FilterParseResult {
  if (value === null) return fail('query parameter filter is required');
  const seen = new Map<string, string>();
  for (const term of value.split('|')) {
    if (term === '') return fail(`filter has an empty term: '${value}'`);
    const separator = term.indexOf('::');
    if (separator < 0) return fail(`filter term '${term}' is not key::value`);
    const key = term.slice(0, separator);
    const termValue = term.slice(separator + 2);
    if (!KNOWN_KEYS.has(key)) return fail(`filter key '${key}' is unknown; expected limit, offset or order`);
    if (seen.has(key)) return fail(`filter key '${key}' is given twice`);
    seen.set(key, termValue);
  }

  const limit = seen.get('limit');
  const offset = seen.get('offset');
  const order = seen.get('order') ?? 'desc';
  // SWR documents offset and limit as mandatory and to be used together.
  if (limit === undefined) return fail('filter must contain limit::{limit}');
  if (offset === undefined) return fail('filter must contain offset::{offset}');
  const limitNumber = nonNegativeIntegerFromDigits(limit);
  if (limitNumber === undefined) return fail(`filter limit must be a non-negative integer, got '${limit}'`);
  const offsetNumber = nonNegativeIntegerFromDigits(offset);
  if (offsetNumber === undefined) return fail(`filter offset must be a non-negative integer, got '${offset}'`);
  if (order !== 'asc' && order !== 'desc') return fail(`filter order must be asc or desc, got '${order}'`);
  return { ok: true, filter: { limit: limitNumber, offset: offsetNumber, order } };
}

/** Digits only: no sign, no spaces, no exponent, no fraction, and small enough to be exact. */
function nonNegativeIntegerFromDigits(text: string): number | undefined {
  if (!/^[0-9]+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Builds the refusal. */
function fail(message: string): FilterParseResult {
  return { ok: false, message };
}
