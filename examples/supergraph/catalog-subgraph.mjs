// The example "catalog" subgraph (Apollo Federation v2, built with @apollo/subgraph on Yoga).
// Run it alone with `npm run example:catalog`; it listens on CATALOG_PORT (default 4001).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';

/** The catalog's SDL. */
export const catalogTypeDefs = readFileSync(new URL('./catalog.graphql', import.meta.url), 'utf8');

/** What the catalog knows of the demo organization's repositories. */
export const catalogEntries = [
  { namespace: 'demo', name: 'nginx', description: 'High-performance HTTP server and reverse proxy', tags: ['web', 'proxy'] },
  { namespace: 'demo', name: 'redis', description: 'In-memory data store', tags: ['cache', 'database'] },
  { namespace: 'demo', name: 'team/api', description: "The team's public API service", tags: ['internal'] },
  { namespace: 'demo', name: 'webapp', description: 'The storefront web app, pushed to all day', tags: ['web'] },
];

const entryOf = (namespace, name) => catalogEntries.find((entry) => entry.namespace === namespace && entry.name === name);

const resolvers = {
  Query: {
    featuredRepositories: () => catalogEntries.slice(0, 2),
    catalog: (_root, { first, order }) => {
      const sorted = order === 'DESC' ? [...catalogEntries].reverse() : catalogEntries;
      const nodes = sorted.slice(0, Math.max(0, first ?? 10));
      return {
        nodes,
        pageInfo: { hasNextPage: nodes.length < sorted.length, hasPreviousPage: false, startCursor: null, endCursor: null },
      };
    },
  },
  Repository: {
    __resolveReference: ({ namespace, name }) => entryOf(namespace, name) ?? { namespace, name, description: null, tags: [] },
  },
};

/** The catalog subgraph as a Yoga instance (not listening). */
export function createCatalogSubgraph() {
  return createYoga({
    schema: buildSubgraphSchema([{ typeDefs: parse(catalogTypeDefs), resolvers }]),
    graphqlEndpoint: '/graphql',
    landingPage: false,
    logging: false,
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const port = Number(process.env.CATALOG_PORT ?? 4001);
  const server = createServer(createCatalogSubgraph());
  server.listen(port, () => console.log(`catalog subgraph listening on http://localhost:${port}/graphql`));
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
}
