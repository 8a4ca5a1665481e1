// A real federation gateway (Hive Gateway runtime) over examples/supergraph/supergraph.graphql,
// propagating the caller's X-Auth-Token (or Authorization) to the swr subgraph only.
// Run it with `npm run example:gateway` (GATEWAY_PORT, default 4100).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';

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
    propagateHeaders: {
      fromClientToSubgraphs({ request, subgraphName }) {
        if (subgraphName !== 'swr') return undefined;
        return Object.fromEntries(PROPAGATED_HEADERS.map((name) => [name, request.headers.get(name)]));
      },
    },
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const supergraph = readFileSync(new URL('./supergraph.graphql', import.meta.url), 'utf8');
  const gateway = createSupergraphGateway(supergraph);
  const port = Number(process.env.GATEWAY_PORT ?? 4100);
  const server = createServer(gateway);
  server.listen(port, () => console.log(`supergraph gateway listening on http://localhost:${port}/graphql`));
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => server.close(async () => {
      await gateway[Symbol.asyncDispose]();
      process.exit(0);
    }));
  }
}
