import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';

describe('configuration', () => {
  it('sizes the SWR pool from SWR_CONCURRENCY unless SWR_CONNECTIONS is given', () => {
    expect(readConfig({ SWR_CONCURRENCY: '6' }).swrConnections).toBe(48);
    expect(readConfig({ SWR_CONCURRENCY: '256' }).swrConnections).toBe(2048);
    expect(readConfig({ SWR_CONCURRENCY: '6', SWR_CONNECTIONS: '10' }).swrConnections).toBe(10);
  });

  it('applies the contract defaults to an empty environment', () => {
    expect(readConfig({})).toEqual({
      port: 4000,
      host: '0.0.0.0',
      swrEndpoint: null,
      swrTimeoutMs: 10_000,
      defaultPageSize: 20,
      maxPageSize: 100,
      maxUpstreamCalls: 50,
      swrMaxLimit: 100,
      swrConcurrency: 16,
      swrConnections: 128,
      swrQueueTimeoutMs: 30_000,
      maxDepth: 12,
      maxAliases: 100,
      maxTokens: 5000,
      maxInputDepth: 64,
      swrRetries: 2,
      shutdownGraceMs: 10_000,
      shutdownDrainMs: 0,
      introspection: true,
      serviceSdl: true,
      graphiql: true,
      graphqlJit: true,
      maxBodyBytes: 1024 * 1024,
      httpHeadersTimeoutMs: 10_000,
      httpRequestTimeoutMs: 30_000,
      httpKeepAliveTimeoutMs: 5_000,
      httpMaxConnections: null,
      corsOrigins: ['*'],
      watchIntervalMs: 5000,
      maxWatches: 1000,
      maxSubscriptions: 10000,
      maxWatchesPerCaller: 250,
      maxSubscriptionsPerCaller: 2500,
      watchLeaseMs: 5000,
      redisUrl: null,
      redisPrefix: 'swr-gateway:',
      tokenHashSecret: null,
      responseCacheTtlMs: 0,
      swrRateLimit: 0,
      persistedDocuments: null,
      persistedDocumentsOnly: false,
      logLevel: 'info',
    });
  });

  it('reads every variable', () => {
    expect(
      readConfig({
        PORT: '8080',
        HOST: '127.0.0.1',
        SWR_ENDPOINT: 'https://swr-api.cn-north-4.myhuaweicloud.com/',
        SWR_TIMEOUT_MS: '2500',
        DEFAULT_PAGE_SIZE: '10',
        MAX_PAGE_SIZE: '50',
        MAX_UPSTREAM_CALLS: '20',
        SWR_MAX_LIMIT: '500',
        SWR_CONCURRENCY: '4',
        SWR_CONNECTIONS: '32',
        SWR_QUEUE_TIMEOUT_MS: '500',
        MAX_DEPTH: '8',
        MAX_ALIASES: '10',
        MAX_TOKENS: '2000',
        MAX_INPUT_DEPTH: '16',
        SWR_RETRIES: '0',
        SHUTDOWN_GRACE_MS: '500',
        SHUTDOWN_DRAIN_MS: '250',
        INTROSPECTION: 'false',
        FEDERATION_SERVICE_SDL: 'true',
        GRAPHIQL: 'off',
        GRAPHQL_JIT: 'false',
        MAX_BODY_BYTES: '4096',
        HTTP_HEADERS_TIMEOUT_MS: '2000',
        HTTP_REQUEST_TIMEOUT_MS: '4000',
        HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000',
        HTTP_MAX_CONNECTIONS: '300',
        CORS_ORIGINS: 'https://app.example.com, http://localhost:5173',
        WATCH_INTERVAL_MS: '100',
        MAX_WATCHES: '7',
        MAX_SUBSCRIPTIONS: '70',
        MAX_WATCHES_PER_CALLER: '3',
        MAX_SUBSCRIPTIONS_PER_CALLER: '30',
        WATCH_LEASE_MS: '2000',
        REDIS_URL: 'redis://:hunter2@redis.internal:6380/2',
        REDIS_PREFIX: 'team-a:',
        TOKEN_HASH_SECRET: 'a'.repeat(32),
        RESPONSE_CACHE_TTL_MS: '1500',
        SWR_RATE_LIMIT: '25',
        PERSISTED_DOCUMENTS: 'persisted/documents.json',
        PERSISTED_DOCUMENTS_ONLY: 'true',
        LOG_LEVEL: 'DEBUG',
      }),
    ).toEqual({
      port: 8080,
      host: '127.0.0.1',
      swrEndpoint: 'https://swr-api.cn-north-4.myhuaweicloud.com',
      swrTimeoutMs: 2500,
      defaultPageSize: 10,
      maxPageSize: 50,
      maxUpstreamCalls: 20,
      swrMaxLimit: 500,
      swrConcurrency: 4,
      swrConnections: 32,
      swrQueueTimeoutMs: 500,
      maxDepth: 8,
      maxAliases: 10,
      maxTokens: 2000,
      maxInputDepth: 16,
      swrRetries: 0,
      shutdownGraceMs: 500,
      shutdownDrainMs: 250,
      introspection: false,
      serviceSdl: true,
      graphiql: false,
      graphqlJit: false,
      maxBodyBytes: 4096,
      httpHeadersTimeoutMs: 2000,
      httpRequestTimeoutMs: 4000,
      httpKeepAliveTimeoutMs: 1000,
      httpMaxConnections: 300,
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
      watchIntervalMs: 100,
      maxWatches: 7,
      maxSubscriptions: 70,
      maxWatchesPerCaller: 3,
      maxSubscriptionsPerCaller: 30,
      watchLeaseMs: 2000,
      redisUrl: 'redis://:hunter2@redis.internal:6380/2',
      redisPrefix: 'team-a:',
      tokenHashSecret: 'a'.repeat(32),
      responseCacheTtlMs: 1500,
      swrRateLimit: 25,
      persistedDocuments: 'persisted/documents.json',
      persistedDocumentsOnly: true,
      logLevel: 'debug',
    });
  });

  it('reads CORS_ORIGINS none as no origin, and lets FEDERATION_SERVICE_SDL follow INTROSPECTION', () => {
    expect(readConfig({ CORS_ORIGINS: 'none' }).corsOrigins).toEqual([]);
    expect(readConfig({ INTROSPECTION: 'false' }).serviceSdl).toBe(false);
  });

  it('never shows a REDIS_URL password or TOKEN_HASH_SECRET in its messages', () => {
    expect(() => readConfig({ REDIS_URL: 'ftp://user:hunter2@redis.internal' })).toThrow(/^(?!.*hunter2)/s);
    expect(() => readConfig({ TOKEN_HASH_SECRET: 'tiny-secret-value' })).toThrow(/^(?!.*tiny-secret-value)/s);
  });

  it('treats an empty variable as unset', () => {
    expect(readConfig({ SWR_ENDPOINT: '', PORT: ' ' })).toMatchObject({ swrEndpoint: null, port: 4000 });
  });

  it.each([
    [{ PORT: 'http' }, /Invalid PORT: expected an integer from 0 to 65535, received "http"/],
    [{ PORT: '70000' }, /Invalid PORT/],
    [{ SWR_TIMEOUT_MS: '0' }, /Invalid SWR_TIMEOUT_MS/],
    [{ SWR_TIMEOUT_MS: '1.5' }, /Invalid SWR_TIMEOUT_MS/],
    [{ SWR_ENDPOINT: 'swr-api.example' }, /Invalid SWR_ENDPOINT: expected an http\(s\) origin such as https:\/\/swr-api/],
    [{ SWR_ENDPOINT: 'https://swr.example/v2' }, /Invalid SWR_ENDPOINT: expected an origin without a path \(the gateway adds \/v2\/…\)/],
    [{ SWR_ENDPOINT: 'ftp://swr.example' }, /Invalid SWR_ENDPOINT: expected an http: or https: URL/],
    [{ SWR_ENDPOINT: 'https://user:pass@swr.example' }, /Invalid SWR_ENDPOINT: expected a URL without credentials/],
    [{ DEFAULT_PAGE_SIZE: '0' }, /Invalid DEFAULT_PAGE_SIZE/],
    [{ DEFAULT_PAGE_SIZE: '200' }, /Invalid DEFAULT_PAGE_SIZE: expected at most MAX_PAGE_SIZE \(100\)/],
    [{ MAX_PAGE_SIZE: '-1' }, /Invalid MAX_PAGE_SIZE/],
    [{ MAX_UPSTREAM_CALLS: 'many' }, /Invalid MAX_UPSTREAM_CALLS/],
    [{ SWR_MAX_LIMIT: '0' }, /Invalid SWR_MAX_LIMIT/],
    [{ SWR_CONCURRENCY: '0' }, /Invalid SWR_CONCURRENCY/],
    [{ MAX_DEPTH: '1' }, /Invalid MAX_DEPTH/],
    [{ MAX_ALIASES: 'x' }, /Invalid MAX_ALIASES/],
    [{ MAX_TOKENS: '10' }, /Invalid MAX_TOKENS/],
    [{ SWR_RETRIES: '11' }, /Invalid SWR_RETRIES/],
    [{ SHUTDOWN_GRACE_MS: 'soon' }, /Invalid SHUTDOWN_GRACE_MS/],
    [{ INTROSPECTION: 'maybe' }, /Invalid INTROSPECTION: expected true or false/],
    [{ GRAPHQL_JIT: 'sometimes' }, /Invalid GRAPHQL_JIT: expected true or false/],
    [{ MAX_BODY_BYTES: '10' }, /Invalid MAX_BODY_BYTES/],
    [{ SWR_CONNECTIONS: '0' }, /Invalid SWR_CONNECTIONS/],
    [{ SWR_QUEUE_TIMEOUT_MS: 'long' }, /Invalid SWR_QUEUE_TIMEOUT_MS/],
    [{ MAX_INPUT_DEPTH: '2' }, /Invalid MAX_INPUT_DEPTH/],
    [{ FEDERATION_SERVICE_SDL: 'perhaps' }, /Invalid FEDERATION_SERVICE_SDL: expected true or false/],
    [{ GRAPHIQL: '2' }, /Invalid GRAPHIQL/],
    [{ HTTP_HEADERS_TIMEOUT_MS: '50' }, /Invalid HTTP_HEADERS_TIMEOUT_MS/],
    [{ HTTP_HEADERS_TIMEOUT_MS: '40000' }, /Invalid HTTP_HEADERS_TIMEOUT_MS: expected at most HTTP_REQUEST_TIMEOUT_MS \(30000\)/],
    [{ HTTP_MAX_CONNECTIONS: '3' }, /Invalid HTTP_MAX_CONNECTIONS/],
    [{ CORS_ORIGINS: 'https://app.example.com/path' }, /Invalid CORS_ORIGINS: expected \*, none, or comma-separated origins/],
    [{ CORS_ORIGINS: 'app.example.com' }, /Invalid CORS_ORIGINS/],
    [{ WATCH_INTERVAL_MS: '99' }, /WATCH_INTERVAL_MS/],
    [{ MAX_WATCHES: '0' }, /MAX_WATCHES/],
    [{ MAX_SUBSCRIPTIONS: 'many' }, /MAX_SUBSCRIPTIONS/],
    [{ MAX_WATCHES_PER_CALLER: '0' }, /Invalid MAX_WATCHES_PER_CALLER/],
    [{ MAX_SUBSCRIPTIONS_PER_CALLER: '1.5' }, /Invalid MAX_SUBSCRIPTIONS_PER_CALLER/],
    [{ CORS_ORIGINS: '*, https://app.example.com' }, /Invalid CORS_ORIGINS/],
    [{ WATCH_LEASE_MS: '100' }, /Invalid WATCH_LEASE_MS/],
    [{ REDIS_URL: 'http://redis.internal' }, /Invalid REDIS_URL/],
    [{ REDIS_URL: 'redis://redis.internal:6379' }, /Invalid TOKEN_HASH_SECRET: expected a secret of at least 32 characters/],
    [{ TOKEN_HASH_SECRET: 'short' }, /Invalid TOKEN_HASH_SECRET: expected at least 32 characters/],
    [{ REDIS_PREFIX: 'has space' }, /Invalid REDIS_PREFIX/],
    [{ RESPONSE_CACHE_TTL_MS: '-1' }, /Invalid RESPONSE_CACHE_TTL_MS/],
    [{ SWR_RATE_LIMIT: 'fast' }, /Invalid SWR_RATE_LIMIT/],
    [
      { PERSISTED_DOCUMENTS_ONLY: 'true' },
      /Invalid PERSISTED_DOCUMENTS: expected a file of trusted documents when PERSISTED_DOCUMENTS_ONLY is true/,
    ],
    [{ PERSISTED_DOCUMENTS_ONLY: 'yes please' }, /Invalid PERSISTED_DOCUMENTS_ONLY: expected true or false/],
    [{ LOG_LEVEL: 'loud' }, /Invalid LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent/],
  ])('refuses %j with a message naming the variable', (env, message) => {
    expect(() => readConfig(env)).toThrow(message);
  });

  it('does not repeat the credentials of a refused SWR_ENDPOINT', () => {
    expect(() => readConfig({ SWR_ENDPOINT: 'https://user:hunter2@swr.example' })).toThrow(/https:\/\/\*\*\*:\*\*\*@swr\.example/);
    expect(() => readConfig({ SWR_ENDPOINT: 'https://user:hunter2@swr.example' })).not.toThrow(/hunter2|user/);
  });
});
