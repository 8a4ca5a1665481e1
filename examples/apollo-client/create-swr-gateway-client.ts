import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { typePolicies } from './type-policies.js';

/** Options of createSwrGatewayClient. */
export interface SwrGatewayClientOptions {
  /** The caller's own SWR (IAM) token, sent as `X-Auth-Token`; any non-empty token in demo mode. */
  token: string;
  /** The gateway's GraphQL endpoint. @default 'http://localhost:4000/graphql' */
  uri?: string;
  /** The fetch implementation (tests record requests with it). @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
}

/**
 * An Apollo Client for swr-gateway with the paging-aware cache. Create one per signed-in caller:
 * the cache holds what that caller's token may see.
 */
export function createSwrGatewayClient({ token, uri = 'http://localhost:4000/graphql', fetch }: SwrGatewayClientOptions): ApolloClient {
  return new ApolloClient({
    link: new HttpLink({ uri, headers: { 'X-Auth-Token': token }, ...(fetch ? { fetch } : {}) }),
    cache: new InMemoryCache({ typePolicies }),
  });
}
