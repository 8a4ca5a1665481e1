import type { TypePolicies } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';

/**
 * Apollo Client cache policies for swr-gateway; pass them to `new InMemoryCache({ typePolicies })`.
 *
 * - `Repository` has no `id`: it is identified by organization and name, as its federation key
 *   (`@key(fields: "namespace name")`), so queries must select `namespace` and `name` on it.
 * - `syncJobs` pages merge into one list per repository and `order`: `first`/`after` pages are
 *   appended, `last`/`before` pages prepended, by cursor. Cursors belong to one order, so each
 *   order keeps its own list. Select `edges { cursor node { … } }`: `nodes` is not merged.
 * - `SyncJob` is normalized by its `id` (the upstream job id), the default.
 */
export const typePolicies: TypePolicies = {
  Repository: {
    keyFields: ['namespace', 'name'],
    fields: {
      syncJobs: relayStylePagination(['order']),
    },
  },
};
