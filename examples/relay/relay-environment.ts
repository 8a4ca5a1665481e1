import { createClient } from 'graphql-ws';
import { Environment, Network, Observable, RecordSource, Store, type FetchFunction, type SubscribeFunction } from 'relay-runtime';

/** Where `npm start` serves the gateway (demo mode without SWR_ENDPOINT). */
export const GATEWAY_URL = 'http://localhost:4000/graphql';

/** Options of createRelayEnvironment. */
export interface RelayEnvironmentOptions {
  /** The gateway's GraphQL endpoint; subscriptions use the same URL over ws(s). @default GATEWAY_URL */
  url?: string;
  /** A WebSocket class where there is no global one (Node 20: the `ws` package). @default globalThis.WebSocket */
  webSocketImpl?: unknown;
}

/**
 * A Relay environment that sends every operation to the gateway with the caller's own SWR (IAM)
 * token; the gateway forwards it to SWR unchanged (in demo mode any non-empty token works).
 * Queries go over HTTP; subscriptions over one WebSocket (graphql-ws), opened on the first
 * subscription, with the token in `connection_init`'s payload (browsers cannot set headers on a
 * WebSocket).
 *
 * The operations are persisted (relay.config.json's `persistConfig`: `npm run relay` writes
 * persisted-queries.json, SHA-256 ids): each request names its document by `doc_id` (over the
 * WebSocket, by `extensions.persistedQuery.sha256Hash`) instead of sending its text. Start the
 * gateway with `PERSISTED_DOCUMENTS=examples/relay/persisted-queries.json` (and, to run nothing
 * else, `PERSISTED_DOCUMENTS_ONLY=true`).
 */
export function createRelayEnvironment(token: string, options: RelayEnvironmentOptions = {}): Environment {
  const url = options.url ?? GATEWAY_URL;
  const fetchGraphQL: FetchFunction = async (request, variables) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Auth-Token': token },
      body: JSON.stringify(request.id ? { doc_id: request.id, variables } : { query: request.text, variables }),
    });
    // Errors come back with `extensions.code` (BAD_USER_INPUT, NOT_FOUND, UPSTREAM_TIMEOUT, ...)
    // beside partial data: a repository that fails is null, its siblings still resolve.
    return response.json();
  };
  const webSocket = createClient({
    url: url.replace(/^http/, 'ws'),
    connectionParams: { 'X-Auth-Token': token },
    webSocketImpl: options.webSocketImpl ?? (globalThis as { WebSocket?: unknown }).WebSocket,
  });
  const subscribe: SubscribeFunction = (request, variables) =>
    Observable.create((sink) =>
      webSocket.subscribe(
        {
          query: request.text ?? '',
          operationName: request.name,
          variables,
          ...(request.id ? { extensions: { persistedQuery: { version: 1, sha256Hash: request.id } } } : {}),
        },
        {
          next: (result) => sink.next(result as never),
          // A subscription refused or ended by the gateway carries its coded errors here.
          error: (error) => sink.error(error instanceof Error ? error : new Error(JSON.stringify(error))),
          complete: () => sink.complete(),
        },
      ),
    );
  return new Environment({ network: Network.create(fetchGraphQL, subscribe), store: new Store(new RecordSource()) });
}
