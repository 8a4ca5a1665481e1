import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { createYoga, type YogaLogger, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import { createContextFactory, type GatewayContext } from './context.js';
import type { GatewayConfig } from '../config.js';
import { graphiqlOptions, renderGraphiQLOnce } from '../http/graphiql.js';
import { createMetrics, type GatewayMetrics } from '../observability/metrics.js';
import { useOperationLimits } from './plugins/use-operation-limits.js';
import { useOperationReport } from './plugins/use-operation-report.js';
import { useUpstreamBudget } from './plugins/use-upstream-budget.js';
import { useUpstreamDebug } from './plugins/use-upstream-debug.js';
import { useCompiledExecution } from './plugins/use-compiled-execution.js';
import { MAX_REPOSITORY_REFS } from './resolvers/query.js';
import { createSchema } from './schema.js';
import type { SwrClient } from '../swr/client.js';

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
    | 'introspection'
    | 'graphqlJit'
  >;
  client: SwrClient;
  logger: Logger;
  /** Where operation metrics go. @default a fresh registry */
  metrics?: GatewayMetrics;
}

/** Where GraphQL is served (and GraphiQL, to browsers). */
export const GRAPHQL_ENDPOINT = '/graphql';

/** The gateway's Yoga instance type. */
export type Gateway = YogaServerInstance<Record<string, never>, GatewayContext>;

/**
 * Builds the gateway (a Yoga instance serving /graphql, GraphiQL included) without listening:
 * main.ts listens, tests call `gateway.fetch` or put it behind a real port. Schema and plugins are
 * built once here, not per request.
 */
export function createGateway(deps: GatewayDeps): Gateway {
  const { config } = deps;
  const sizes = { defaultPageSize: config.defaultPageSize, maxPageSize: config.maxPageSize };
  return createYoga<Record<string, never>, GatewayContext>({
    schema: createSchema(),
    context: createContextFactory({
      client: deps.client,
      paging: { ...sizes, walkPageSize: config.swrMaxLimit },
      maxUpstreamCalls: config.maxUpstreamCalls,
      swrMaxLimit: config.swrMaxLimit,
      swrConcurrency: config.swrConcurrency,
    }),
    plugins: [
      ...(config.graphqlJit ? [useCompiledExecution()] : []),
      useOperationReport({ logger: deps.logger.child({ component: 'graphql' }), metrics: deps.metrics ?? createMetrics() }),
      ...(config.introspection ? [] : [useDisableIntrospection()]),
      useUpstreamDebug(),
      ...useOperationLimits(config),
      useUpstreamBudget({
        maxUpstreamCalls: config.maxUpstreamCalls,
        sizes,
        maxLimit: config.swrMaxLimit,
        maxRefs: MAX_REPOSITORY_REFS,
      }),
    ],
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    // GraphiQL from the npm package, not a CDN: the page works offline.
    graphiql: graphiqlOptions,
    renderGraphiQL: renderGraphiQLOnce,
    landingPage: false,
    // Unexpected errors are masked, and never revealed as "dev" details.
    maskedErrors: { isDev: false },
    logging: yogaLoggerFrom(deps.logger),
  });
}

// Yoga logs through pino; its messages never include request headers.
function yogaLoggerFrom(logger: Logger): YogaLogger {
  const child = logger.child({ component: 'yoga' });
  const forward =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      const [first, ...rest] = args;
      if (first instanceof Error) child[level]({ err: first }, String(rest[0] ?? first.message));
      else child[level]({ details: rest.length ? rest : undefined }, String(first));
    };
  return { debug: forward('debug'), info: forward('info'), warn: forward('warn'), error: forward('error') };
}

