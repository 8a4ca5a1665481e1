import { ApolloClient, HttpLink, InMemoryCache, split } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { Kind, OperationTypeNode } from 'graphql';
import { createClient } from 'graphql-ws';
import { typePolicies } from './type-policies.js';

/** Options of createSwrGatewayClient. */
export interface SwrGatewayClientOptions {
  /** The caller's own SWR (IAM) token, sent as `X-Auth-Token`; any non-empty token in demo mode. */
  token: string;
  /** The gateway's GraphQL endpoint. @default 'http://localhost:4000/graphql' */
  uri?: string;
  /** The fetch implementation (tests record requests with it). @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
  /**
   * A WebSocket class where there is no global one (Node 20: the `ws` package); without either,
   * the client runs queries only. @default globalThis.WebSocket
   */
  webSocketImpl?: unknown;
}

/**
 * An Apollo Client for swr-gateway with the paging-aware cache. Create one per signed-in caller:
 * the cache holds what that caller's token may see. Queries go over HTTP; subscriptions over one
 * WebSocket (graphql-ws, the same URL as ws(s)), opened on the first subscription, with the token
 * in `connection_init`'s payload (browsers cannot set headers on a WebSocket).
 */
export function createSwrGatewayClient({
  token,
  uri = 'http://localhost:4000/graphql',
  fetch,
  webSocketImpl,
}: SwrGatewayClientOptions): ApolloClient {
  const http = new HttpLink({ uri, headers: { 'X-Auth-Token': token }, ...(fetch ? { fetch } : {}) });
  const impl = webSocketImpl ?? (globalThis as { WebSocket?: unknown }).WebSocket;
  if (!impl) return new ApolloClient({ link: http, cache: new InMemoryCache({ typePolicies }) });
  const webSocket = new GraphQLWsLink(
    createClient({ url: uri.replace(/^http/, 'ws'), connectionParams: { 'X-Auth-Token': token }, webSocketImpl: impl }),
  );
  const isSubscription = ({ query }: { query: Parameters<typeof getMainDefinition>[0] }) => {
    const definition = getMainDefinition(query);
    return definition.kind === Kind.OPERATION_DEFINITION && definition.operation === OperationTypeNode.SUBSCRIPTION;
  };
  return new ApolloClient({ link: split(isSubscription, webSocket, http), cache: new InMemoryCache({ typePolicies }) });
}
