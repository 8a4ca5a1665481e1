import type { YogaInitialContext } from 'graphql-yoga';
import { callerFromHeaders, type Caller, type TokenHasher } from '../auth/caller.js';
import { createUpstreamEconomy, type UpstreamEconomy } from '../economy/upstream-economy.js';
import type { UnauthenticatedError } from '../errors.js';
import type { LiveHub } from '../live/live-hub.js';
import { createSyncJobPageLoader, type SyncJobPageLoader } from '../loaders/sync-job-pages.js';
import type { PageSizeOptions } from '../paging/page-plan.js';
import type { SliceOptions } from '../paging/page-slice.js';
import type { SwrClient } from '../swr/client.js';
import { requestStateOf } from './request-state.js';

/** What every resolver of one request sees. */
export interface GatewayContext {
  /** The caller; null without a token, an error for a malformed one (thrown by requireCaller). */
  caller: Caller | UnauthenticatedError | null;
  /** Loaders of this request only: never shared between requests or callers. */
  loaders: { syncJobPages: SyncJobPageLoader };
  /** The upstream bill of this request (budget, calls, deduplicated and coalesced lookups). */
  economy: UpstreamEconomy;
  paging: PageSizeOptions & SliceOptions;
  /** Live updates (subscriptions). */
  live: LiveHub;
  /** The request (for WebSocket operations, one standing for the connection). */
  request: Request;
  /**
   * Fresh loaders and bill, for each event of a subscription: an event is resolved like a request
   * of its own, so it neither sees an earlier event's pages nor spends its budget.
   */
  renew(): void;
}

/** What the context factory needs. */
export interface ContextDeps {
  client: SwrClient;
  live: LiveHub;
  paging: GatewayContext['paging'];
  /** MAX_UPSTREAM_CALLS. */
  maxUpstreamCalls: number;
  /** SWR_MAX_LIMIT. */
  swrMaxLimit: number;
  /** SWR_CONCURRENCY. */
  swrConcurrency: number;
  /** The keyed hash of tokens (TOKEN_HASH_SECRET). */
  hashToken: TokenHasher;
}

/** Creates the per-request context factory for Yoga: fresh loaders, bill and the caller's token. */
export function createContextFactory(
  deps: ContextDeps,
): (initial: YogaInitialContext & { caller?: GatewayContext['caller'] }) => GatewayContext {
  return ({ request, caller }) => {
    const state = requestStateOf(request);
    const fresh = () => {
      const economy = createUpstreamEconomy(deps.maxUpstreamCalls);
      state.economy = economy;
      const syncJobPages = createSyncJobPageLoader({
        client: deps.client,
        economy,
        maxLimit: deps.swrMaxLimit,
        concurrency: deps.swrConcurrency,
        signal: request.signal,
        requestId: state.requestId,
        trace: () => state.trace?.parent,
      });
      return { economy, loaders: { syncJobPages } };
    };
    const context: GatewayContext = {
      request,
      // A WebSocket operation brings the caller of its connection_init; HTTP, its headers.
      caller: caller !== undefined ? caller : callerFromHeaders(request.headers, deps.hashToken),
      ...fresh(),
      paging: deps.paging,
      live: deps.live,
      renew() {
        Object.assign(context, fresh());
      },
    };
    return context;
  };
}
