// The Guild's stack, as a team using it would serve the SWR operation: an OpenAPI 3 description of
// SWR's sync_job API (swr-sync-job.openapi.json, written from the API reference), composed at
// start-up by GraphQL Mesh (@graphql-mesh/compose-cli + @omnigraph/openapi, no generated file),
// and served by Hive Gateway's runtime (@graphql-hive/gateway-runtime, which executes the composed
// supergraph with @graphql-mesh/transport-rest) on a plain node:http server. No resolvers of our
// own: the GraphQL API is the one Mesh generates from the description, one Query field per
// operation (`ShowSyncJob(namespace, repository, filter): [SyncJob]`, the jobs as SWR returns
// them: no connection, no cursors, no totalCount). The caller's X-Auth-Token goes to SWR through
// the source's `operationHeaders`, interpolated per request from the GraphQL context.
//
// Environment: SWR_ENDPOINT (required), PORT (default 0), HOST (default 127.0.0.1). Prints one JSON
// line with `port` once it listens; stops on SIGTERM/SIGINT.
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { getComposedSchemaFromConfig } from '@graphql-mesh/compose-cli';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { loadOpenAPISubgraph } from '@omnigraph/openapi';

const endpoint = process.env.SWR_ENDPOINT;
if (!endpoint) {
  console.error('mesh-hive: SWR_ENDPOINT is required, e.g. http://127.0.0.1:4010');
  process.exit(1);
}

const OPENAPI_SOURCE = fileURLToPath(new URL('./swr-sync-job.openapi.json', import.meta.url));

/** compose-cli wants a Mesh logger; at start-up only, so a quiet console one is enough. */
const composeLogger = {
  log: () => {},
  debug: () => {},
  info: () => {},
  warn: (...args) => console.error('mesh-hive compose:', ...args),
  error: (...args) => console.error('mesh-hive compose:', ...args),
  child: () => composeLogger,
};

// Composition, as a mesh.config.ts would declare it: one OpenAPI subgraph. The endpoint goes into
// the supergraph as it is; the header templates are interpolated by transport-rest per request.
const supergraph = await getComposedSchemaFromConfig(
  {
    subgraphs: [
      {
        sourceHandler: loadOpenAPISubgraph('SWR', {
          source: OPENAPI_SOURCE,
          endpoint,
          operationHeaders: {
            'X-Auth-Token': '{context.headers.x-auth-token}',
            'Content-Type': 'application/json',
          },
        }),
      },
    ],
  },
  composeLogger,
);

const gateway = createGatewayRuntime({
  supergraph,
  logging: 'warn',
  graphiql: false,
  landingPage: false,
});

const server = createServer(gateway);

server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  const { port, address } = server.address();
  console.log(JSON.stringify({ msg: `mesh-hive listening on http://${address}:${port}/graphql`, port }));
});

let stopping = false;
/** Stops listening, closes idle connections, disposes of the gateway (its transports), then exits. */
function stop() {
  if (stopping) process.exit(1);
  stopping = true;
  server.close();
  server.closeIdleConnections();
  Promise.resolve(gateway[Symbol.asyncDispose]?.())
    .catch(() => {})
    .finally(() => process.exit(0));
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
