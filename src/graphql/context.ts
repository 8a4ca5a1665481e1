import type { YogaInitialContext } from 'graphql-yoga';
import { callerFromHeaders, type Caller } from '../auth/caller.js';
import { createUpstreamEconomy, type UpstreamEconomy } from '../economy/upstream-economy.js';
import type { UnauthenticatedError } from '../errors.js';
import { createSyncJobPageLoader, type SyncJobPageLoader } from '../loaders/sync-job-pages.js';
import { requestStateOf } from './request-state.js';
import type { PageSizeOptions } from '../paging/page-plan.js';
import type { SliceOptions } from '../paging/page-slice.js';
import type { SwrClient } from '../swr/client.js';

/** What every resolver of one request sees. */
export interface GatewayContext {
  /** The caller; null without a token, an error for a malformed one (thrown by requireCaller). */
  caller: Caller | UnauthenticatedError | null;
  /** Loaders of this request only: never shared between requests or callers. */
  loaders: { syncJobPages: SyncJobPageLoader };
  /** The upstream bill of this request (budget, calls, deduplicated and coalesced lookups). */
  economy: UpstreamEconomy;
  paging: PageSizeOptions & SliceOptions;
}

/** What the context factory needs. */
export interface ContextDeps {
  client: SwrClient;
  paging: GatewayContext['paging'];
  /** MAX_UPSTREAM_CALLS. */
  maxUpstreamCalls: number;
  /** SWR_MAX_LIMIT. */
  swrMaxLimit: number;
  /** SWR_CONCURRENCY. */
  swrConcurrency: number;
}

/** Creates the per-request context factory for Yoga: fresh loaders, bill and the caller's token. */
export function createContextFactory(deps: ContextDeps): (initial: YogaInitialContext) => GatewayContext {
  return ({ request }) => {
    const state = requestStateOf(request);
    const economy = createUpstreamEconomy(deps.maxUpstreamCalls);
    state.economy = economy;
    const syncJobPages = createSyncJobPageLoader({
      client: deps.client,
      economy,
      maxLimit: deps.swrMaxLimit,
      concurrency: deps.swrConcurrency,
      signal: request.signal,
      requestId: state.requestId,
    });
    return { caller: callerFromHeaders(request.headers), loaders: { syncJobPages }, economy, paging: deps.paging };
  };
}
