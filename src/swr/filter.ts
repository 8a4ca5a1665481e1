import type { SwrOrder } from './types.js';

/** One upstream page request: `limit` items from `offset` in `order`. */
export interface SwrWindow {
  offset: number;
  limit: number;
  order: SwrOrder;
}

/** The SWR filter value for a window: always all three terms, e.g. `limit::20|offset::0|order::desc`. */
export function filterFromWindow(window: SwrWindow): string {
  return `limit::${window.limit}|offset::${window.offset}|order::${window.order}`;
}

/** The filter as a percent-encoded query value, the way SWR's official SDKs send it. */
export function filterToQueryValue(filter: string): string {
  return encodeURIComponent(filter);
}
