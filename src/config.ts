/**
 * Gateway configuration: read once from the environment, defaults applied and validated here
 * and nowhere else. A bad value stops start-up with a message naming the variable.
 */
export interface GatewayConfig {
  /** Port GraphQL is served on. @default 4000 */
  port: number;
  /** Interface to listen on. @default '0.0.0.0' */
  host: string;
  /** SWR base URL (origin plus optional path prefix, no trailing slash); null → demo mode. @default null */
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
  /** Deepest selection accepted (introspection excepted). @default 12 */
  maxDepth: number;
  /** Most aliases in one operation. @default 100 */
  maxAliases: number;
  /** Most GraphQL tokens in one document. @default 5000 */
  maxTokens: number;
  /** Retries of a failed upstream try (connection errors, 429, 502/503/504), inside SWR_TIMEOUT_MS. @default 2 */
  swrRetries: number;
  /** How long in-flight operations may take to finish after SIGTERM/SIGINT. @default 10000 */
  shutdownGraceMs: number;
  /** How long /readyz answers 503 before the listener closes, for load balancers to notice. @default 0 */
  shutdownDrainMs: number;
  /** Whether introspection is served. @default true */
  introspection: boolean;
  /** Whether operations run compiled by graphql-jit (false: the general executor). @default true */
  graphqlJit: boolean;
  /** Largest request body accepted, in bytes. @default 1048576 */
  maxBodyBytes: number;
  /** pino log level. @default 'info' */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

/** Thrown by readConfig for a bad variable; `variable` names it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly variable: string,
    expected: string,
    received: string,
  ) {
    super(`Invalid ${variable}: expected ${expected}, received ${JSON.stringify(received)}`);
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

type Env = Record<string, string | undefined>;

/** Reads and validates the gateway configuration from an environment (process.env in main). */
export function readConfig(env: Env): GatewayConfig {
  const config: GatewayConfig = {
    port: integerFrom(env, 'PORT', 4000, 0, 65535),
    host: stringFrom(env, 'HOST', '0.0.0.0'),
    swrEndpoint: endpointFrom(env, 'SWR_ENDPOINT'),
    swrTimeoutMs: integerFrom(env, 'SWR_TIMEOUT_MS', 10_000, 1, 600_000),
    defaultPageSize: integerFrom(env, 'DEFAULT_PAGE_SIZE', 20, 1, 1000),
    maxPageSize: integerFrom(env, 'MAX_PAGE_SIZE', 100, 1, 1000),
    maxUpstreamCalls: integerFrom(env, 'MAX_UPSTREAM_CALLS', 50, 1, 10_000),
    swrMaxLimit: integerFrom(env, 'SWR_MAX_LIMIT', 100, 1, 1000),
    swrConcurrency: integerFrom(env, 'SWR_CONCURRENCY', 16, 1, 256),
    maxDepth: integerFrom(env, 'MAX_DEPTH', 12, 2, 100),
    maxAliases: integerFrom(env, 'MAX_ALIASES', 100, 0, 10_000),
    maxTokens: integerFrom(env, 'MAX_TOKENS', 5000, 100, 1_000_000),
    swrRetries: integerFrom(env, 'SWR_RETRIES', 2, 0, 10),
    shutdownGraceMs: integerFrom(env, 'SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    shutdownDrainMs: integerFrom(env, 'SHUTDOWN_DRAIN_MS', 0, 0, 600_000),
    introspection: booleanFrom(env, 'INTROSPECTION', true),
    graphqlJit: booleanFrom(env, 'GRAPHQL_JIT', true),
    maxBodyBytes: integerFrom(env, 'MAX_BODY_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    logLevel: logLevelFrom(env, 'LOG_LEVEL', 'info'),
  };
  if (config.defaultPageSize > config.maxPageSize) {
    throw new ConfigError(
      'DEFAULT_PAGE_SIZE',
      `at most MAX_PAGE_SIZE (${config.maxPageSize})`,
      String(config.defaultPageSize),
    );
  }
  return config;
}

// An unset or empty variable takes its default.
function rawFrom(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

// A decimal integer within [min, max].
function integerFrom(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = rawFrom(env, name);
  if (raw === undefined) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `an integer from ${min} to ${max}`, raw);
  }
  return value;
}

// true/false (also 1/0, yes/no, on/off).
function booleanFrom(env: Env, name: string, fallback: boolean): boolean {
  const raw = rawFrom(env, name);
  if (raw === undefined) return fallback;
  const value = raw.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(value)) return true;
  if (['false', '0', 'no', 'off'].includes(value)) return false;
  throw new ConfigError(name, 'true or false', raw);
}

function stringFrom(env: Env, name: string, fallback: string): string {
  return rawFrom(env, name) ?? fallback;
}

// An http(s) URL without credentials, query or fragment; the trailing slash is dropped.
function endpointFrom(env: Env, name: string): string | null {
  const raw = rawFrom(env, name);
  if (raw === undefined) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, 'an http(s) URL such as https://swr-api.cn-north-4.myhuaweicloud.com', raw);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(name, 'an http: or https: URL', raw);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ConfigError(name, 'a URL without credentials, query or fragment', raw);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function logLevelFrom(env: Env, name: string, fallback: GatewayConfig['logLevel']): GatewayConfig['logLevel'] {
  const raw = rawFrom(env, name);
  if (raw === undefined) return fallback;
  const level = LOG_LEVELS.find((candidate) => candidate === raw.toLowerCase());
  if (!level) throw new ConfigError(name, `one of ${LOG_LEVELS.join(', ')}`, raw);
  return level;
}
