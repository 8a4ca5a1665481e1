// A real federation gateway (Hive Gateway runtime) over examples/supergraph/supergraph.graphql,
// propagating the caller's X-Auth-Token (or Authorization) to the swr subgraph only.
// Run it with `npm run example:gateway`; it listens on GATEWAY_PORT (default 4100) and reaches the
// subgraphs at SWR_SUBGRAPH_URL and CATALOG_SUBGRAPH_URL (defaults: the URLs composed into
// supergraph.graphql, http://localhost:4000/graphql and http://localhost:4001/graphql), so the
// committed supergraph serves any ports without being recomposed.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';

/** Headers forwarded from the client to the swr subgraph. */
export const PROPAGATED_HEADERS = ['x-auth-token', 'authorization'];

/**
 * The gateway runtime for a supergraph SDL string. Only the `swr` subgraph receives the caller's
 * token: the catalog has no use for it.
 * @param {string} supergraph
 */
export function createSupergraphGateway(supergraph) {
  return createGatewayRuntime({
    supergraph,
    logging: false,
    // GraphiQL from the npm package, not a CDN: it works offline.
    renderGraphiQL,
    propagateHeaders: {
      fromClientToSubgraphs({ request, subgraphName }) {
        if (subgraphName !== 'swr') return undefined;
        return Object.fromEntries(PROPAGATED_HEADERS.map((name) => [name, request.headers.get(name)]));
      },
    },
  });
}

/**
 * The supergraph SDL with each named subgraph's URL replaced (`@join__graph(name: …, url: …)`),
 * in memory: the composed file stays as committed.
 * @param {string} supergraph
 * @param {Record<string, string | undefined>} urls subgraph name → URL; unset ones are kept
 */
export function withSubgraphUrls(supergraph, urls) {
  return supergraph.replace(/@join__graph\(name: "([^"]+)", url: "[^"]*"\)/g, (whole, name) =>
    urls[name] ? `@join__graph(name: "${name}", url: ${JSON.stringify(urls[name])})` : whole,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const composed = readFileSync(new URL('./supergraph.graphql', import.meta.url), 'utf8');
  const supergraph = withSubgraphUrls(composed, { swr: process.env.SWR_SUBGRAPH_URL, catalog: process.env.CATALOG_SUBGRAPH_URL });
  const gateway = createSupergraphGateway(supergraph);
  const port = Number(process.env.GATEWAY_PORT ?? 4100);
  const server = createServer(gateway);
  server.listen(port, () => console.log(`supergraph gateway listening on http://localhost:${port}/graphql`));
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () =>
      server.close(async () => {
        await gateway[Symbol.asyncDispose]();
        process.exit(0);
      }),
    );
  }
}
