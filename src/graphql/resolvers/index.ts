import type { Resolvers } from '../../generated/resolvers-types.js';
import { DateTimeScalar } from './date-time.js';
import { nodeResolvers, queryResolvers } from './query.js';
import { repositoryResolvers } from './repository.js';
import { subscriptionResolvers } from './subscription.js';
import { syncJobResolvers } from './sync-job.js';

/** Every resolver of the gateway, typed by the generated `Resolvers`. */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Node: nodeResolvers,
  Query: queryResolvers,
  Repository: repositoryResolvers,
  Subscription: subscriptionResolvers,
  SyncJob: syncJobResolvers,
};
