import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { createYoga, type Plugin, type YogaLogger, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config.js';
import { createTokenHasher, type TokenHasher } from '../auth/caller.js';
import { createLiveHub, type LiveHub } from '../live/live-hub.js';
import { createMetrics, type GatewayMetrics } from '../observability/metrics.js';
import type { SwrClient } from '../swr/client.js';
import { createContextFactory, type GatewayContext } from './context.js';
import { createDocumentCaches } from './document-cache.js';
import { maskError } from './mask-error.js';
import { useCodedRefusals } from './plugins/use-coded-refusals.js';
import { useCompiledExecution } from './plugins/use-compiled-execution.js';
import { useInputLimits } from './plugins/use-input-limits.js';
import { useHiddenSuggestions } from './plugins/use-hidden-suggestions.js';
import { useOperationLimits } from './plugins/use-operation-limits.js';
import { createOperationReport, type OperationReport } from './plugins/use-operation-report.js';
import { useSchemaGuards } from './plugins/use-schema-guards.js';
import { useUpstreamBudget } from './plugins/use-upstream-budget.js';
import { useUpstreamDebug } from './plugins/use-upstream-debug.js';
import { assertEstimateCoverage } from '../economy/estimate-coverage.js';
import { MAX_REPOSITORY_REFS } from '../model/limits.js';
import { createSchema } from './schema.js';
import type { PersistedDocuments } from '../persisted/persisted-documents.js';
import { DOCUMENT_ID_PARAMS, usePersistedDocuments } from '../persisted/use-persisted-documents.js';

/** What the gateway is built from; side effects (upstream client, logger) are injected. */
export interface GatewayDeps {
  config: Pick<
    GatewayConfig,
    | 'defaultPageSize'
    | 'maxPageSize'
    | 'maxUpstreamCalls'
    | 'swrMaxLimit'
    | 'swrConcurrency'
    | 'maxDepth'
    | 'maxAliases'
    | 'maxTokens'
    | 'maxInputDepth'
    | 'maxBodyBytes'
    | 'introspection'
    | 'serviceSdl'
    | 'graphqlJit'
    | 'corsOrigins'
    | 'watchIntervalMs'
    | 'maxWatches'
    | 'maxSubscriptions'
    | 'maxWatchesPerCaller'
    | 'maxSubscriptionsPerCaller'
  >;
  client: SwrClient;
  logger: Logger;
  /** Where operation metrics go. @default a fresh registry */
  metrics?: GatewayMetrics;
  /** Plugins added after the gateway's own (tests count hooks with one). @default none */
  plugins?: Plugin[];
  /** Live updates (watches and subscribers). @default a hub of its own, polling every WATCH_INTERVAL_MS */
  live?: LiveHub;
  /** The operation report (shared with the WebSocket server). @default one of its own, to `logger` and `metrics` */
  report?: OperationReport;
  /** The keyed hash of tokens. @default one with a random secret of this process */
  hashToken?: TokenHasher;
  /** Persisted documents and automatic persisted queries. @default none: every request sends its text */
  persisted?: PersistedDocuments;
  /** Plugins of the app after the budget: the response cache (whose lookups then come before parsing). @default none */
  appPlugins?: Plugin[];
}

/** Where GraphQL is served (and GraphiQL, to browsers). */
export const GRAPHQL_ENDPOINT = '/graphql';

/** The gateway's Yoga instance type. */
export type Gateway = YogaServerInstance<Record<string, never>, GatewayContext>;

/**
 * Builds the gateway (a Yoga instance serving /graphql) without listening: main.ts listens
 * through the HTTP server, tests call `gateway.fetch` or put it behind a real port. Schema,
 * caches and plugins are built once here, not per request.
 *
 * The plugin order matters where plugins hook the same phase: the operation report comes first so
 * that it sees every result, refusals included; the input and operation limits run before anything
 * that walks the document; the budget estimate runs last before execution, on a document that
 * passed every other check.
 */
export function createGateway(deps: GatewayDeps): Gateway {
  const { config } = deps;
  const sizes = { defaultPageSize: config.defaultPageSize, maxPageSize: config.maxPageSize };
  const schema = createSchema();
  assertEstimateCoverage(schema);
  return createYoga<Record<string, never>, GatewayContext>({
    schema,
    context: createContextFactory({
      client: deps.client,
      live:
        deps.live ??
        createLiveHub({
          client: deps.client,
          intervalMs: config.watchIntervalMs,
          maxLimit: config.swrMaxLimit,
          maxWatches: config.maxWatches,
          maxSubscriptions: config.maxSubscriptions,
          maxWatchesPerCaller: config.maxWatchesPerCaller,
          maxSubscriptionsPerCaller: config.maxSubscriptionsPerCaller,
          logger: deps.logger,
        }),
      paging: { ...sizes, maxLimit: config.swrMaxLimit },
      maxUpstreamCalls: config.maxUpstreamCalls,
      swrMaxLimit: config.swrMaxLimit,
      swrConcurrency: config.swrConcurrency,
      hashToken: deps.hashToken ?? createTokenHasher(null),
    }),
    plugins: [
      (
        deps.report ??
        createOperationReport({ logger: deps.logger.child({ component: 'graphql' }), metrics: deps.metrics ?? createMetrics() })
      ).plugin,
      useCodedRefusals(),
      // Before anything reads the text: an id becomes the text it names, which then meets every limit.
      ...(deps.persisted ? usePersistedDocuments(deps.persisted) : []),
      useInputLimits(config),
      ...useOperationLimits(config),
      useSchemaGuards(config),
      ...(config.introspection ? [] : [useDisableIntrospection(), useHiddenSuggestions()]),
      ...(config.graphqlJit ? [useCompiledExecution()] : []),
      useUpstreamDebug(),
      useUpstreamBudget({
        maxUpstreamCalls: config.maxUpstreamCalls,
        sizes,
        maxLimit: config.swrMaxLimit,
        maxRefs: MAX_REPOSITORY_REFS,
      }),
      ...(deps.appPlugins ?? []),
      ...(deps.plugins ?? []),
    ],
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    // doc_id (Relay) and documentId (GraphQL over HTTP) name a persisted document.
    extraParamNames: deps.persisted ? DOCUMENT_ID_PARAMS : [],
    cors: corsOptionsFrom(config.corsOrigins),
    // GraphiQL is served by the HTTP server (compressed, cacheable), not rendered by Yoga.
    graphiql: false,
    landingPage: false,
    // No file uploads here: a multipart body is refused (415) before anything reads it.
    multipart: false,
    maxRequestBodySize: config.maxBodyBytes,
    parserAndValidationCache: createDocumentCaches(),
    // Unexpected errors are masked, and never revealed as "dev" details; domain errors keep their codes.
    maskedErrors: { isDev: false, maskError },
    logging: yogaLoggerFrom(deps.logger),
  });
}

/** Request headers a page may send: the token, and what clients and tracing add. */
const CORS_ALLOWED_HEADERS = [
  'content-type',
  'accept',
  'x-auth-token',
  'authorization',
  'x-request-id',
  'x-debug-upstream',
  'if-none-match',
  'traceparent',
  'tracestate',
];

/**
 * CORS_ORIGINS as Yoga's CORS options. Never with credentials: the gateway reads no cookies, and
 * the token travels in a header the calling page's own script must set, so a page of another
 * origin can only send a token it already holds; a browser never attaches one by itself. That is
 * why any origin (`*`, the default) is safe here; a list narrows it, `none` sends no CORS headers.
 */
function corsOptionsFrom(origins: readonly string[]) {
  if (origins.length === 0) return false as const;
  return {
    origin: [...origins],
    credentials: false,
    methods: ['GET', 'POST'],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: ['x-request-id', 'etag'],
    maxAge: 600,
  };
}

// Yoga logs through pino; its messages never include request headers.
function yogaLoggerFrom(logger: Logger): YogaLogger {
  const child = logger.child({ component: 'yoga' });
  const forward =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      const [first, ...rest] = args;
      if (first instanceof Error) child[level]({ err: first }, typeof rest[0] === 'string' ? rest[0] : first.message);
      else child[level]({ details: rest.length ? rest : undefined }, String(first));
    };
  return { debug: forward('debug'), info: forward('info'), warn: forward('warn'), error: forward('error') };
}
