import { requireCaller } from '../../auth/caller.js';
import type { SubscriptionResolvers } from '../../generated/resolvers-types.js';
import type { JobChange } from '../../live/job-changes.js';
import type { SyncJobChangeModel } from '../../model/sync-job-change.js';
import { syncJobFromSwr } from '../../model/sync-job.js';
import type { GatewayContext } from '../context.js';
import { repositoryKeyFrom } from './repository.js';

/**
 * Live updates. `subscribe` checks the caller and the names before anything reaches SWR, then
 * joins (or starts) the watch of this caller and repository; each event is resolved with fresh
 * loaders, like a request of its own.
 */
export const subscriptionResolvers: SubscriptionResolvers = {
  syncJobChanged: {
    subscribe: async (_root, { namespace, name }, context) => {
      const caller = requireCaller(context.caller);
      const repository = repositoryKeyFrom(namespace, name);
      // What arrives is each JobChange (or the error that ended the stream), which `resolve` maps.
      return context.live.subscribe(caller, repository, context.request.signal);
    },
    resolve: (change: unknown, _args: unknown, context: GatewayContext): SyncJobChangeModel => {
      // A stream's last value may be the error that ended it (SUBSCRIBER_TOO_SLOW, or SWR's 401/403/404).
      if (change instanceof Error) throw change;
      context.renew();
      const { kind, job } = change as JobChange;
      return { kind, job: syncJobFromSwr(job) };
    },
  },
};
