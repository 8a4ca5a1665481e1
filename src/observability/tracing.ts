import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { getOperationAST, print, type DocumentNode, type ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { SwrCallSpan, SwrCallSpanStart, Tracing } from './tracing-types.js';

/** Options of startTracing. */
export interface TracingOptions {
  /** The gateway's version (`service.version`). */
  version: string;
  logger: Logger;
}

const TRACER_NAME = 'swr-gateway';
const GRAPHQL_PATH = '/graphql';

/**
 * Starts OpenTelemetry's trace SDK as the standard variables configure it (the OTLP/HTTP
 * exporter reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT and _HEADERS, the SDK OTEL_TRACES_SAMPLER
 * and its argument, the resource OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES; the service is
 * `swr-gateway` by default), registers W3C trace context propagation and an AsyncLocalStorage
 * context, and returns the gateway's spans. Only imported when tracing is requested.
 */
export function startTracing(options: TracingOptions): Tracing {
  const detected = detectResources({ detectors: [envDetector] });
  const resource = resourceFromAttributes({ 'service.name': 'swr-gateway', 'service.version': options.version }).merge(detected);
  const provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())] });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  const tracer = provider.getTracer(TRACER_NAME, options.version);
  options.logger.info('OpenTelemetry tracing on: spans go to the OTLP/HTTP endpoint of the OTEL_ variables');

  const plugin: Plugin = {
    onExecute({ args, executeFn, setExecuteFn }) {
      const span = startOperationSpan(args);
      const spanContext = trace.setSpan(context.active(), span);
      const traced = (executionArgs: ExecutionArgs): unknown => context.with(spanContext, (): unknown => executeFn(executionArgs));
      setExecuteFn(traced as typeof executeFn);
      return {
        onExecuteDone({ result }) {
          endOperationSpan(span, 'errors' in result ? result.errors : undefined);
        },
      };
    },
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      const span = startOperationSpan(args);
      const spanContext = trace.setSpan(context.active(), span);
      const traced = (subscribeArgs: ExecutionArgs): unknown => context.with(spanContext, (): unknown => subscribeFn(subscribeArgs));
      setSubscribeFn(traced as typeof subscribeFn);
      // A subscription's span covers its start (refused, or its stream begun); each event is traced by its watch's poll.
      return {
        onSubscribeResult({ result }) {
          endOperationSpan(span, 'errors' in result ? (result as { errors?: readonly unknown[] }).errors : undefined);
        },
        onSubscribeError({ error }) {
          endOperationSpan(span, [error]);
        },
      };
    },
  };

  function startOperationSpan(args: ExecutionArgs): Span {
    const operation = getOperationAST(args.document, args.operationName);
    const type = operation?.operation ?? 'query';
    const name = operation?.name?.value;
    return tracer.startSpan(name ? `${type} ${name}` : type, {
      kind: SpanKind.INTERNAL,
      attributes: {
        'graphql.operation.type': type,
        ...(name ? { 'graphql.operation.name': name } : {}),
        'graphql.document.hash': documentHash(args.document),
      },
    });
  }

  return {
    serveRequest(req, res, path, serve) {
      const parent = propagation.extract(context.active(), req.headers, headerGetter);
      // Only the GraphQL endpoint is a route: any other path (a 404) is not repeated into the trace.
      const route = path === GRAPHQL_PATH ? GRAPHQL_PATH : null;
      const span = tracer.startSpan(
        route ? `${req.method ?? 'GET'} ${route}` : (req.method ?? 'GET'),
        {
          kind: SpanKind.SERVER,
          attributes: {
            'http.request.method': req.method ?? 'GET',
            ...(route ? { 'url.path': route, 'http.route': route } : {}),
            ...(req.headers['user-agent'] ? { 'user_agent.original': req.headers['user-agent'].slice(0, 256) } : {}),
          },
        },
        parent,
      );
      res.once('close', () => {
        span.setAttribute('http.response.status_code', res.statusCode);
        if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      });
      return context.with(trace.setSpan(parent, span), serve);
    },
    plugin,
    startSwrCall(call) {
      return startSwrCallSpan(tracer, call);
    },
    poll(repository, run) {
      const span = tracer.startSpan('watch poll', {
        // A trace of its own: the subscriber whose request started the watch is long gone.
        root: true,
        kind: SpanKind.INTERNAL,
        attributes: { 'swr.namespace': repository.namespace, 'swr.repository': repository.name },
      });
      // A poll starts a trace of its own: no request caused it.
      return context.with(trace.setSpan(context.active(), span), async () => {
        try {
          return await run();
        } catch (error) {
          span.setStatus({ code: SpanStatusCode.ERROR });
          span.setAttribute('error.type', (error as { code?: string }).code ?? 'Error');
          throw error;
        } finally {
          span.end();
        }
      });
    },
    traceId() {
      const spanContext = trace.getActiveSpan()?.spanContext();
      return spanContext && trace.isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
    },
    async shutdown() {
      await provider.shutdown();
    },
  };
}

// The attributes of an SWR origin, worked out once (there is one per process).
const origins = new Map<string, { 'server.address': string; 'server.port': number; 'url.scheme': string }>();
function originAttributes(origin: string) {
  let attributes = origins.get(origin);
  if (!attributes) {
    const url = new URL(origin);
    attributes = {
      'server.address': url.hostname,
      'server.port': Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
      'url.scheme': url.protocol.replace(':', ''),
    };
    origins.set(origin, attributes);
  }
  return attributes;
}

function startSwrCallSpan(tracer: ReturnType<NodeTracerProvider['getTracer']>, call: SwrCallSpanStart): SwrCallSpan {
  const span = tracer.startSpan('GET', {
    kind: SpanKind.CLIENT,
    attributes: {
      'http.request.method': 'GET',
      ...originAttributes(call.origin),
      'url.path': call.path,
      'swr.namespace': call.namespace,
      'swr.repository': call.repository,
      'swr.filter': call.filter,
    },
  });
  const headers: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), headers);
  let attempts = 0;
  let lastStatus: number | null = null;
  return {
    headers,
    tried(attempt, status, outcome) {
      attempts = attempt;
      lastStatus = status;
      // Every try is an event of the call: a retry shows as a second one, in the same span.
      span.addEvent('swr.try', {
        'swr.attempt': attempt,
        ...(status === null ? {} : { 'http.response.status_code': status }),
        'swr.outcome': outcome,
      });
    },
    end(error) {
      span.setAttribute('swr.attempts', attempts);
      if (lastStatus !== null) span.setAttribute('http.response.status_code', lastStatus);
      if (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: error.message.slice(0, 200) });
        span.setAttribute('error.type', error.code ?? 'Error');
      }
      span.end();
    },
  };
}

function endOperationSpan(span: Span, errors: readonly unknown[] | undefined): void {
  const codes = [
    ...new Set(
      (errors ?? []).map((error) => {
        const code = (error as { extensions?: { code?: unknown } }).extensions?.code;
        return typeof code === 'string' ? code : 'ERROR';
      }),
    ),
  ];
  if (codes.length > 0) {
    span.setAttribute('graphql.error.codes', codes);
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

// The document's SHA-256 (its printed form, so the same operation has one hash however it was sent).
const hashes = new WeakMap<DocumentNode, string>();
function documentHash(document: DocumentNode): string {
  let hash = hashes.get(document);
  if (hash === undefined) {
    hash = createHash('sha256').update(print(document)).digest('hex');
    hashes.set(document, hash);
  }
  return hash;
}

const headerGetter = {
  get: (carrier: IncomingHttpHeaders, key: string) => carrier[key],
  keys: (carrier: IncomingHttpHeaders) => Object.keys(carrier),
};
