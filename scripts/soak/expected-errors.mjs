// Which errors a soak run expects, and how many of the others it tolerates.
import { SOAK_FAULTS } from '../soak-simulator.mjs';

/** The gateway's deadline per upstream call; the slow repository answers after SOAK_SLOW_LATENCY_MS. */
export const SWR_TIMEOUT_MS = 1000;

/** Codes the injected faults explain. Anything else fails the run. */
export const EXPECTED_CODES = new Set(Object.values(SOAK_FAULTS).map((fault) => fault.code));

/**
 * COLLATERAL: a lookup of a repository that answers in time (a healthy one, or the 503 one,
 * which the gateway retries) may still end in UPSTREAM_TIMEOUT when the gateway is saturated:
 * the deadline covers every try and backoff, and event-loop delay and waits for a pooled upstream
 * connection count against it. That is the contract's code for a missed deadline, so it does not
 * fail the run; past this share of those lookups it does, since a gateway that times out
 * everything must not pass.
 */
export const MAX_COLLATERAL_TIMEOUT_RATE = 0.1;
