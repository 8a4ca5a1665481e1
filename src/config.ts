/**
 * Gateway configuration: read once from the environment, defaults applied and validated here
 * and nowhere else. A bad value stops start-up with a message naming the variable.
 */
import {
  booleanFrom,
  ConfigError,
  integerFrom,
  oneOf,
  originFrom,
  originsFrom,
  rawFrom,
  redisUrlFrom,
  stringFrom,
  type Env,
} from './config-values.js';

export { ConfigError } from './config-values.js';

export interface GatewayConfig {
  /** Port GraphQL is served on. @default 4000 */
  port: number;
  /** Interface to listen on. @default '0.0.0.0' */
  host: string;
  /** SWR origin (scheme, host, port; no path); null → demo mode. @default null */
  swrEndpoint: string | null;
  /** Deadline of one upstream call in milliseconds, retries included. @default 10000 */
  swrTimeoutMs: number;
  /** Page size when neither `first` nor `last` is given. @default 20 */
  defaultPageSize: number;
  /** Largest `first` / `last` accepted. @default 100 */
  maxPageSize: number;
  /** Upstream-call budget of one operation. @default 50 */
  maxUpstreamCalls: number;
  /** Largest `limit` of one upstream call; coalesced windows never exceed it. @default 100 */
  swrMaxLimit: number;
  /** Upstream calls of one operation in flight at once. @default 16 */
  swrConcurrency: number;
  /** SWR connections of the process (the undici pool); calls beyond them wait for a free one. @default 128 */
  swrConnections: number;
  /** Longest wait for a free SWR connection before UPSTREAM_OVERLOADED; not part of SWR_TIMEOUT_MS. @default 30000 */
  swrQueueTimeoutMs: number;
  /** Deepest selection accepted (introspection excepted). @default 12 */
  maxDepth: number;
  /** Most aliases in one operation. @default 100 */
  maxAliases: number;
  /** Most GraphQL tokens in one document. @default 5000 */
  maxTokens: number;
  /** Deepest nesting of brackets in a document and of lists/objects in variables and extensions. @default 64 */
  maxInputDepth: number;
  /** Retries of a failed upstream try (connection errors, 429, 502/503/504), inside SWR_TIMEOUT_MS. @default 2 */
  swrRetries: number;
  /** How long in-flight operations may take to finish after SIGTERM/SIGINT. @default 10000 */
  shutdownGraceMs: number;
  /** How long /readyz answers 503 before the listener closes, for load balancers to notice. @default 0 */
  shutdownDrainMs: number;
  /** Whether introspection is served. @default true */
  introspection: boolean;
  /** Whether `_service { sdl }` (federation) is served; it is the whole schema. @default INTROSPECTION */
  serviceSdl: boolean;
  /** Whether GraphiQL is served to browsers at /graphql. @default true */
  graphiql: boolean;
  /** Whether operations run compiled by graphql-jit (false: the general executor). @default true */
  graphqlJit: boolean;
  /** Largest request body accepted, in bytes. @default 1048576 */
  maxBodyBytes: number;
  /** Longest time a client may take to send a request's headers (Node's headersTimeout). @default 10000 */
  httpHeadersTimeoutMs: number;
  /** Longest time a client may take to send a whole request, body included; then 408. @default 30000 */
  httpRequestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open. @default 5000 */
  httpKeepAliveTimeoutMs: number;
  /** Most client connections at once; null = from the open-file limit, leaving room for SWR connections. @default null */
  httpMaxConnections: number | null;
  /**
   * Origins whose pages may call the gateway from a browser: ['*'] any, [] none (no CORS
   * headers), else that list. Never with credentials. @default ['*']
   */
  corsOrigins: readonly string[];
  /** How often a watch reads SWR's newest page (live updates). @default 5000 */
  watchIntervalMs: number;
  /** Watches (caller × repository) one process keeps at most. @default 1000 */
  maxWatches: number;
  /** Subscribers one process serves at most. @default 10000 */
  maxSubscriptions: number;
  /** Watches one caller (token) has in one process at most. @default 250 */
  maxWatchesPerCaller: number;
  /** Subscribers one caller (token) has in one process at most. @default 2500 */
  maxSubscriptionsPerCaller: number;
  /** How long a replica's lease on a shared watch lasts without renewal: another takes over within it (with Redis). @default 5000 */
  watchLeaseMs: number;
  /** Redis shared by the replicas (caches, watches, rate budgets); null: all in process. @default null */
  redisUrl: string | null;
  /** Prefix of every Redis key and channel of this deployment. @default 'swr-gateway:' */
  redisPrefix: string;
  /**
   * Secret of the keyed hash (HMAC-SHA256) of tokens that keys caches, watches and rate budgets;
   * replicas sharing a Redis must share it. null: a random secret of this process (then required
   * with REDIS_URL). @default null
   */
  tokenHashSecret: string | null;
  /** TTL of cached answers, per caller; 0: no response cache. @default 0 */
  responseCacheTtlMs: number;
  /** SWR calls per second per caller (a bucket of that many, refilled at that rate); 0: no limit. @default 0 */
  swrRateLimit: number;
  /** A file of trusted documents (Relay's persisted queries or Apollo's manifest); null: none. @default null */
  persistedDocuments: string | null;
  /** Only the documents of PERSISTED_DOCUMENTS run (no text, no automatic persisted queries). @default false */
  persistedDocumentsOnly: boolean;
  /** pino log level. @default 'info' */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

/** SWR_CONNECTIONS by default: SWR_CONCURRENCY times this. */
const CONNECTIONS_PER_CONCURRENCY = 8;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Reads and validates the gateway configuration from an environment (process.env in main). */
export function readConfig(env: Env): GatewayConfig {
  const introspection = booleanFrom(env, 'INTROSPECTION', true);
  const swrConcurrency = integerFrom(env, 'SWR_CONCURRENCY', 16, 1, 256);
  const config: GatewayConfig = {
    port: integerFrom(env, 'PORT', 4000, 0, 65535),
    host: stringFrom(env, 'HOST', '0.0.0.0'),
    swrEndpoint: originFrom(env, 'SWR_ENDPOINT', 'https://swr-api.cn-north-4.myhuaweicloud.com'),
    swrTimeoutMs: integerFrom(env, 'SWR_TIMEOUT_MS', 10_000, 1, 600_000),
    defaultPageSize: integerFrom(env, 'DEFAULT_PAGE_SIZE', 20, 1, 1000),
    maxPageSize: integerFrom(env, 'MAX_PAGE_SIZE', 100, 1, 1000),
    maxUpstreamCalls: integerFrom(env, 'MAX_UPSTREAM_CALLS', 50, 1, 10_000),
    swrMaxLimit: integerFrom(env, 'SWR_MAX_LIMIT', 100, 1, 1000),
    swrConcurrency,
    // Room for eight operations fanning out at their full SWR_CONCURRENCY at once (128 by default).
    swrConnections: integerFrom(env, 'SWR_CONNECTIONS', CONNECTIONS_PER_CONCURRENCY * swrConcurrency, 1, 4096),
    swrQueueTimeoutMs: integerFrom(env, 'SWR_QUEUE_TIMEOUT_MS', 30_000, 1, 600_000),
    maxDepth: integerFrom(env, 'MAX_DEPTH', 12, 2, 100),
    maxAliases: integerFrom(env, 'MAX_ALIASES', 100, 0, 10_000),
    maxTokens: integerFrom(env, 'MAX_TOKENS', 5000, 100, 1_000_000),
    maxInputDepth: integerFrom(env, 'MAX_INPUT_DEPTH', 64, 8, 1000),
    swrRetries: integerFrom(env, 'SWR_RETRIES', 2, 0, 10),
    shutdownGraceMs: integerFrom(env, 'SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    shutdownDrainMs: integerFrom(env, 'SHUTDOWN_DRAIN_MS', 0, 0, 600_000),
    introspection,
    serviceSdl: booleanFrom(env, 'FEDERATION_SERVICE_SDL', introspection),
    graphiql: booleanFrom(env, 'GRAPHIQL', true),
    graphqlJit: booleanFrom(env, 'GRAPHQL_JIT', true),
    maxBodyBytes: integerFrom(env, 'MAX_BODY_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    httpHeadersTimeoutMs: integerFrom(env, 'HTTP_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000),
    httpRequestTimeoutMs: integerFrom(env, 'HTTP_REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000),
    httpKeepAliveTimeoutMs: integerFrom(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', 5_000, 100, 600_000),
    httpMaxConnections:
      rawFrom(env, 'HTTP_MAX_CONNECTIONS') === undefined ? null : integerFrom(env, 'HTTP_MAX_CONNECTIONS', 0, 16, 1_000_000),
    corsOrigins: originsFrom(env, 'CORS_ORIGINS', ['*']),
    watchIntervalMs: integerFrom(env, 'WATCH_INTERVAL_MS', 5000, 100, 3_600_000),
    maxWatches: integerFrom(env, 'MAX_WATCHES', 1000, 1, 1_000_000),
    maxSubscriptions: integerFrom(env, 'MAX_SUBSCRIPTIONS', 10_000, 1, 1_000_000),
    maxWatchesPerCaller: integerFrom(env, 'MAX_WATCHES_PER_CALLER', 250, 1, 1_000_000),
    maxSubscriptionsPerCaller: integerFrom(env, 'MAX_SUBSCRIPTIONS_PER_CALLER', 2500, 1, 1_000_000),
    watchLeaseMs: integerFrom(env, 'WATCH_LEASE_MS', 5000, 300, 60_000),
    redisUrl: redisUrlFrom(env, 'REDIS_URL'),
    redisPrefix: stringFrom(env, 'REDIS_PREFIX', 'swr-gateway:'),
    tokenHashSecret: rawFrom(env, 'TOKEN_HASH_SECRET') ?? null,
    responseCacheTtlMs: integerFrom(env, 'RESPONSE_CACHE_TTL_MS', 0, 0, 86_400_000),
    swrRateLimit: integerFrom(env, 'SWR_RATE_LIMIT', 0, 0, 100_000),
    persistedDocuments: rawFrom(env, 'PERSISTED_DOCUMENTS') ?? null,
    persistedDocumentsOnly: booleanFrom(env, 'PERSISTED_DOCUMENTS_ONLY', false),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
  };
  if (config.tokenHashSecret !== null && config.tokenHashSecret.length < 32) {
    throw new ConfigError('TOKEN_HASH_SECRET', 'at least 32 characters', '(not shown: it is a secret)');
  }
  if (config.redisUrl !== null && config.tokenHashSecret === null) {
    // Replicas key what they share by the keyed hash of the token: they must all use one secret.
    throw new ConfigError('TOKEN_HASH_SECRET', 'a secret of at least 32 characters, the same on every replica, when REDIS_URL is set', '');
  }
  if (config.persistedDocumentsOnly && config.persistedDocuments === null) {
    throw new ConfigError('PERSISTED_DOCUMENTS', 'a file of trusted documents when PERSISTED_DOCUMENTS_ONLY is true', '');
  }
  if (!/^[A-Za-z0-9._:-]{1,64}$/.test(config.redisPrefix)) {
    throw new ConfigError('REDIS_PREFIX', '1 to 64 characters of A-Z a-z 0-9 . _ : -', config.redisPrefix);
  }
  if (config.defaultPageSize > config.maxPageSize) {
    throw new ConfigError('DEFAULT_PAGE_SIZE', `at most MAX_PAGE_SIZE (${config.maxPageSize})`, String(config.defaultPageSize));
  }
  // The headers of a request arrive before the rest of it: a longer header timeout would never fire.
  if (config.httpHeadersTimeoutMs > config.httpRequestTimeoutMs) {
    throw new ConfigError(
      'HTTP_HEADERS_TIMEOUT_MS',
      `at most HTTP_REQUEST_TIMEOUT_MS (${config.httpRequestTimeoutMs})`,
      String(config.httpHeadersTimeoutMs),
    );
  }
  return config;
}
