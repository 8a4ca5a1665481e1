import { Environment, Network, RecordSource, Store, type FetchFunction } from 'relay-runtime';

/** Where `npm start` serves the gateway (demo mode without SWR_ENDPOINT). */
export const GATEWAY_URL = 'http://localhost:4000/graphql';

/**
 * A Relay environment that sends every operation to the gateway with the caller's own SWR (IAM)
 * token; the gateway forwards it to SWR unchanged (in demo mode any non-empty token works).
 */
export function createRelayEnvironment(token: string, url: string = GATEWAY_URL): Environment {
  const fetchGraphQL: FetchFunction = async (request, variables) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Auth-Token': token },
      body: JSON.stringify({ query: request.text, variables }),
    });
    // Errors come back with `extensions.code` (BAD_USER_INPUT, NOT_FOUND, UPSTREAM_TIMEOUT, ...)
    // beside partial data: a repository that fails is null, its siblings still resolve.
    return response.json();
  };
  return new Environment({ network: Network.create(fetchGraphQL), store: new Store(new RecordSource()) });
}
