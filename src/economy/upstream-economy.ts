import { OperationTooExpensiveError } from '../errors.js';

/** One upstream call as the debug report shows it: never the token. */
export interface UpstreamCallReport {
  namespace: string;
  repository: string;
  filter: string;
  status: number | null;
  durationMs: number;
}

/**
 * The upstream bill of one operation: what resolvers asked for, what reached SWR, and the budget
 * that caps it. One per request, created with the context.
 */
export interface UpstreamEconomy {
  /** MAX_UPSTREAM_CALLS: the hard cap of calls for this operation. */
  readonly budget: number;
  /** Page lookups made by resolvers. */
  lookups: number;
  /** Distinct windows that reached the batch function (lookups minus identical repeats). */
  windows: number;
  /** Windows served by a call shared with another window or made earlier in the operation. */
  coalesced: number;
  /** Upstream calls made. */
  calls: UpstreamCallReport[];
}

/** What `X-Debug-Upstream: 1` adds to the response extensions. */
export interface UpstreamEconomyReport {
  calls: number;
  lookups: number;
  deduplicated: number;
  windows: number;
  coalesced: number;
  budget: number;
  requests: UpstreamCallReport[];
}

/** A fresh bill for one operation. */
export function createUpstreamEconomy(budget: number): UpstreamEconomy {
  return { budget, lookups: 0, windows: 0, coalesced: 0, calls: [] };
}

/** Takes one call from the budget, or throws OPERATION_TOO_EXPENSIVE when none is left. */
export function spendUpstreamCall(economy: UpstreamEconomy, call: UpstreamCallReport): void {
  if (economy.calls.length >= economy.budget) {
    throw new OperationTooExpensiveError(
      `This operation needs more than MAX_UPSTREAM_CALLS (${economy.budget}) upstream calls`,
      'MAX_UPSTREAM_CALLS',
    );
  }
  economy.calls.push(call);
}

/** The debug report of an economy. */
export function reportFromEconomy(economy: UpstreamEconomy): UpstreamEconomyReport {
  return {
    calls: economy.calls.length,
    lookups: economy.lookups,
    deduplicated: economy.lookups - economy.windows,
    windows: economy.windows,
    coalesced: economy.coalesced,
    budget: economy.budget,
    requests: economy.calls,
  };
}
