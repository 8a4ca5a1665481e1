import type { GraphiQLOptions } from 'graphql-yoga';

/** A query that works verbatim in demo mode: the first page of demo/nginx and how to go on. */
export const GRAPHIQL_DEFAULT_QUERY = `# swr-gateway: SWR image-synchronization jobs as a Relay connection.
# In demo mode any non-empty X-Auth-Token works (see the Headers tab).
query NginxSyncJobs($after: String) {
  repository(namespace: "demo", name: "nginx") {
    namespace
    name
    syncJobs(first: 5, after: $after) {
      totalCount
      edges {
        cursor
        node { id status tag remoteRegionId remoteNamespace createdAt }
      }
      pageInfo { hasNextPage hasPreviousPage endCursor }
    }
  }
}
`;

/** GraphiQL as served at /graphql to browsers: default query and a pre-filled token header. */
export const graphiqlOptions: GraphiQLOptions = {
  title: 'swr-gateway',
  defaultQuery: GRAPHIQL_DEFAULT_QUERY,
  headers: JSON.stringify({ 'X-Auth-Token': 'demo-token' }, null, 2),
  shouldPersistHeaders: false,
};

let renderedPage: { options: GraphiQLOptions; html: Promise<string> } | null = null;

/**
 * Renders GraphiQL with everything inlined (about 9 MB, no CDN), once: Yoga asks for the page on
 * every browser visit with the same static options, and rendering it anew each time is waste.
 * The renderer is imported on the first visit only: it costs about 50 MB of memory that a
 * gateway nobody browses should not carry.
 */
export function renderGraphiQLOnce(options: GraphiQLOptions): Promise<string> {
  if (renderedPage?.options !== options) {
    renderedPage = {
      options,
      html: import('@graphql-yoga/render-graphiql').then(({ renderGraphiQL }) => renderGraphiQL(options)),
    };
  }
  return renderedPage.html;
}
