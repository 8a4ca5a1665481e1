import { ApolloClient, HttpLink, InMemoryCache, split, type ApolloLink } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { Kind, OperationTypeNode } from 'graphql';
import { createClient } from 'graphql-ws';
import {
  generatePersistedQueryIdsFromManifest,
  type PersistedQueryManifestForGeneratingPersistedQueryIds,
} from '@apollo/persisted-query-lists';
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
  /**
   * Persisted queries. `'automatic'`: APQ, each query sent first as its SHA-256 alone (GET), with
   * its text only when the gateway does not know it yet. A manifest (`npm run persist` writes
   * persisted-query-manifest.json): each query sent by its id in the manifest, for a gateway
   * started with it as PERSISTED_DOCUMENTS (PERSISTED_DOCUMENTS_ONLY=true runs nothing else).
   * @default off: every query sends its text
   */
  persistedQueries?: 'automatic' | { manifest: PersistedQueryManifestForGeneratingPersistedQueryIds };
}

// SHA-256 in hex with the Web Crypto API (browsers and Node alike).
async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

function persistedLink(option: SwrGatewayClientOptions['persistedQueries']): ApolloLink | null {
  if (option === undefined) return null;
  if (option === 'automatic') return new PersistedQueryLink({ sha256, useGETForHashedQueries: true });
  return new PersistedQueryLink(generatePersistedQueryIdsFromManifest({ loadManifest: () => Promise.resolve(option.manifest) }));
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
  persistedQueries,
}: SwrGatewayClientOptions): ApolloClient {
  const httpLink = new HttpLink({ uri, headers: { 'X-Auth-Token': token }, ...(fetch ? { fetch } : {}) });
  const persisted = persistedLink(persistedQueries);
  const http = persisted ? persisted.concat(httpLink) : httpLink;
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
