import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { getOperationAST, print, type DocumentNode, type ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import { requestStateOf } from '../graphql/request-state.js';
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
 * `swr-gateway` by default), registers W3C trace context propagation, and returns the gateway's
 * spans. No context manager is registered: each span is given its parent (see Tracing), so no
 * async hook runs for the process's promises. Only imported when tracing is requested.
 */
export function startTracing(options: TracingOptions): Tracing {
  const detected = detectResources({ detectors: [envDetector] });
  const resource = resourceFromAttributes({ 'service.name': 'swr-gateway', 'service.version': options.version }).merge(detected);
  const provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())] });
  provider.register({ propagator: new W3CTraceContextPropagator(), contextManager: null });
  const tracer = provider.getTracer(TRACER_NAME, options.version);
  options.logger.info('OpenTelemetry tracing on: spans go to the OTLP/HTTP endpoint of the OTEL_ variables');

  // The context of each HTTP request's server span, until Yoga's request takes it over.
  const serverSpans = new WeakMap<IncomingMessage, Context>();

  const plugin: Plugin = {
    onRequest({ request, serverContext }) {
      const req = (serverContext as { req?: IncomingMessage } | undefined)?.req;
      const parent = req && serverSpans.get(req);
      if (parent) requestStateOf(request).trace = { parent, traceId: trace.getSpanContext(parent)!.traceId };
    },
    onExecute({ args }) {
      const span = startOperationSpan(args);
      return {
        onExecuteDone({ result }) {
          endOperationSpan(span, 'errors' in result ? result.errors : undefined);
        },
      };
    },
    onSubscribe({ args }) {
      const span = startOperationSpan(args);
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

  // The operation's span, under its request's server span (none over a WebSocket); it takes the
  // server span's place in the request's state, as the parent of its SWR calls (those of a
  // subscription's events too).
  function startOperationSpan(args: ExecutionArgs): Span {
    const operation = getOperationAST(args.document, args.operationName);
    const type = operation?.operation ?? 'query';
    const name = operation?.name?.value;
    const state = requestStateOf((args.contextValue as { request: Request }).request);
    const span = tracer.startSpan(
      name ? `${type} ${name}` : type,
      {
        kind: SpanKind.INTERNAL,
        attributes: {
          'graphql.operation.type': type,
          ...(name ? { 'graphql.operation.name': name } : {}),
          'graphql.document.hash': documentHash(args.document),
        },
      },
      (state.trace?.parent as Context | undefined) ?? ROOT_CONTEXT,
    );
    state.trace = { parent: trace.setSpan(ROOT_CONTEXT, span), traceId: span.spanContext().traceId };
    return span;
  }

  return {
    serveRequest(req, res, path, serve) {
      const parent = propagation.extract(ROOT_CONTEXT, req.headers, headerGetter);
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
      serverSpans.set(req, trace.setSpan(parent, span));
      return serve();
    },
    plugin,
    startSwrCall(call) {
      return startSwrCallSpan(tracer, call);
    },
    async poll(repository, run) {
      // A trace of its own: the subscriber whose request started the watch is long gone.
      const span = tracer.startSpan('watch poll', {
        kind: SpanKind.INTERNAL,
        attributes: { 'swr.namespace': repository.namespace, 'swr.repository': repository.name },
      });
      try {
        return await run(trace.setSpan(ROOT_CONTEXT, span));
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR });
        span.setAttribute('error.type', (error as { code?: string }).code ?? 'Error');
        throw error;
      } finally {
        span.end();
      }
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
  const parent = (call.parent as Context | undefined) ?? ROOT_CONTEXT;
  const span = tracer.startSpan(
    'GET',
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': 'GET',
        ...originAttributes(call.origin),
        'url.path': call.path,
        'swr.namespace': call.namespace,
        'swr.repository': call.repository,
        'swr.filter': call.filter,
      },
    },
    parent,
  );
  const headers: Record<string, string> = {};
  propagation.inject(trace.setSpan(parent, span), headers);
  let attempts = 0;
  let lastStatus: number | null = null;
  return {
    headers,
    traceId: span.spanContext().traceId,
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
