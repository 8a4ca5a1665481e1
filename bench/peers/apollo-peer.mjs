// The typical peer: the same GraphQL API as swr-gateway's relevant part, written the way a team
// would write it from the Apollo docs, with no tuning. Apollo Server 5 (startStandaloneServer), a
// RESTDataSource per request (baseURL = SWR, `willSendRequest` adds the caller's X-Auth-Token, the
// server's cache as the docs show), graphql-relay for cursors (connectionFromArraySlice), and
// totalCount from the Content-Range header. No federation, no batching, no input validation beyond
// the schema's.
//
// Environment: SWR_ENDPOINT (required), PORT (default 0), HOST (default 127.0.0.1). Prints one JSON
// line with `port` once it listens; stops on SIGTERM/SIGINT.
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { RESTDataSource } from '@apollo/datasource-rest';
import { GraphQLError } from 'graphql';
import { connectionFromArraySlice, cursorToOffset } from 'graphql-relay';

const endpoint = process.env.SWR_ENDPOINT;
if (!endpoint) {
  console.error('apollo-peer: SWR_ENDPOINT is required, e.g. http://127.0.0.1:4010');
  process.exit(1);
}

const DEFAULT_PAGE_SIZE = 20;

// The gateway's schema (schema/*.graphql) without the federation parts: Query.repository and
// repositories, Repository.syncJobs as a connection, SyncJob, PageInfo.
const typeDefs = /* GraphQL */ `
  type Query {
    repository(namespace: String!, name: String!): Repository
    repositories(refs: [RepositoryRef!]!): [Repository]!
  }
  input RepositoryRef {
    namespace: String!
    name: String!
  }
  scalar DateTime
  enum SortOrder {
    ASC
    DESC
  }
  type PageInfo {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
    endCursor: String
  }
  type Repository {
    namespace: String!
    name: String!
    syncJobs(first: Int, after: String, last: Int, before: String, order: SortOrder = DESC): SyncJobConnection
  }
  type SyncJobConnection {
    edges: [SyncJobEdge!]!
    nodes: [SyncJob!]!
    pageInfo: PageInfo!
    totalCount: Int
  }
  type SyncJobEdge {
    cursor: String!
    node: SyncJob!
  }
  enum SyncJobStatus {
    WAITING
    RUNNING
    SUCCESS
    FAILED
    TIMEOUT
    CANCEL
    EXISTED
    UNKNOWN
  }
  type SyncJob {
    id: ID!
    status: SyncJobStatus!
    tag: String!
    namespace: String!
    repoName: String!
    remoteRegionId: String!
    remoteNamespace: String!
    override: Boolean!
    domainId: String!
    domainName: String!
    syncOperatorId: String!
    syncOperatorName: String!
    createdAt: DateTime!
    updatedAt: DateTime!
    repository: Repository!
  }
`;

/** SWR's sync_job API for one caller (a new instance per request, holding the caller's token). */
class SwrAPI extends RESTDataSource {
  baseURL = endpoint.endsWith('/') ? endpoint : `${endpoint}/`;

  constructor({ token, ...config }) {
    super(config);
    this.token = token;
  }

  willSendRequest(_path, request) {
    request.headers['x-auth-token'] = this.token;
    request.headers['content-type'] = 'application/json';
    request.headers.accept = 'application/json';
  }

  /** One page of jobs and the total from Content-Range (`offset-count/total`). */
  async syncJobPage(namespace, name, { limit, offset, order }) {
    const path = `v2/manage/namespaces/${encodeURIComponent(namespace)}/repos/${name.replaceAll('/', '$')}/sync_job`;
    const { parsedBody, response } = await this.fetch(path, {
      method: 'GET',
      params: { filter: `limit::${limit}|offset::${offset}|order::${order}` },
    });
    const total = /\/(\d+)$/.exec(response.headers.get('content-range') ?? '');
    return { jobs: parsedBody, total: total ? Number(total[1]) : null };
  }
}

/** The upstream window (offset, limit) for the Relay arguments. */
function windowFromArgs({ first, after, last, before }) {
  if (first != null && last != null) throw new GraphQLError('first and last are exclusive', { extensions: { code: 'BAD_USER_INPUT' } });
  if (last != null) {
    if (before == null) throw new GraphQLError('last needs before', { extensions: { code: 'BAD_USER_INPUT' } });
    const end = cursorToOffset(before);
    const offset = Math.max(0, end - last);
    return { offset, limit: end - offset };
  }
  return { offset: after == null ? 0 : cursorToOffset(after) + 1, limit: first ?? DEFAULT_PAGE_SIZE };
}

const STATUSES = new Set(['WAITING', 'RUNNING', 'SUCCESS', 'FAILED', 'TIMEOUT', 'CANCEL', 'EXISTED']);

const resolvers = {
  Query: {
    repository: (_, { namespace, name }) => ({ namespace, name }),
    repositories: (_, { refs }) => refs.map(({ namespace, name }) => ({ namespace, name })),
  },
  Repository: {
    async syncJobs(repository, args, { dataSources }) {
      const { offset, limit } = windowFromArgs(args);
      const order = args.order === 'ASC' ? 'asc' : 'desc';
      const { jobs, total } = await dataSources.swr.syncJobPage(repository.namespace, repository.name, { limit, offset, order });
      const relayArgs = args.first == null && args.last == null ? { ...args, first: limit } : args;
      const connection = connectionFromArraySlice(jobs, relayArgs, {
        sliceStart: offset,
        arrayLength: total ?? offset + jobs.length,
      });
      return { ...connection, nodes: connection.edges.map((edge) => edge.node), totalCount: total };
    },
  },
  SyncJob: {
    id: (job) => String(job.id),
    status: (job) => (STATUSES.has(job.status.toUpperCase()) ? job.status.toUpperCase() : 'UNKNOWN'),
    repoName: (job) => job.repoName.replaceAll('$', '/'),
    domainId: (job) => job.domainID,
    repository: (job) => ({ namespace: job.namespace, name: job.repoName.replaceAll('$', '/') }),
  },
};

const server = new ApolloServer({ typeDefs, resolvers });

const { url } = await startStandaloneServer(server, {
  listen: { port: Number(process.env.PORT ?? 0), host: process.env.HOST ?? '127.0.0.1' },
  context: async ({ req }) => {
    const token = req.headers['x-auth-token'];
    if (typeof token !== 'string' || token === '') {
      throw new GraphQLError('X-Auth-Token is required', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
    }
    const { cache } = server;
    return { dataSources: { swr: new SwrAPI({ cache, token }) } };
  },
});
console.log(JSON.stringify({ msg: `apollo-peer listening on ${url}`, port: Number(new URL(url).port) }));

let stopping = false;
/** Apollo's stop() drains the HTTP server (its standalone server installs the drain plugin). */
function stop() {
  if (stopping) process.exit(1);
  stopping = true;
  server.stop().finally(() => process.exit(0));
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
