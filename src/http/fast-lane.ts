import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { sendNodeResponse } from '@whatwg-node/server';
import { GraphQLError } from 'graphql';
import { createGraphQLError, isPromise } from 'graphql-yoga';
import type { Logger } from 'pino';
import { sendJson } from './http-server.js';
import type { Gateway } from '../graphql/gateway.js';

/**
 * The fast lane: `POST /graphql` with a JSON body, served by Yoga's own pipeline (its request,
 * params, envelop, result and response hooks, in Yoga's order) without building WHATWG
 * `Request`, `Headers`, streams and `Response` objects for it. Those objects cost about 40% of the
 * gateway's CPU per operation; the views below give the hooks the members they read, over the
 * Node request, and the response is written with one `writeHead` and one `end`.
 *
 * Everything else (GET, other media types, batches, bodies that are not a plain JSON object) goes
 * to Yoga's Node adapter: decided from the headers, before the body is read, or else with the
 * body already read handed over in a fetch Request. A result that is a stream (SSE, multipart) is
 * written the way the adapter writes it. A differential test holds the paths to the same status,
 * headers and body.
 */
export interface FastLane {
  /** True when the request may take the fast lane (decided from the request line and headers). */
  accepts(req: IncomingMessage): boolean;
  /**
   * Serves a request `accepts` took; never rejects. Resolves to the path it took: `lane`, or
   * `adapter` when the body turned out not to be the ordinary case and Yoga's adapter answered.
   */
  serve(req: IncomingMessage, res: ServerResponse): Promise<'lane' | 'adapter'>;
}

// The parts of Yoga's server object the lane drives. They are Yoga's (5.x) own members; if a
// version lacks one, the lane switches itself off and every request goes through the adapter.
interface YogaInternals {
  plugins: Array<Record<string, unknown> | null | undefined | false>;
  fetchAPI: { Request: typeof Request; Response: typeof Response; URL: typeof URL; ReadableStream: typeof ReadableStream };
  parseRequest(request: Request, serverContext: object): PromiseLike<ParsedRequest> | ParsedRequest;
  getResultForParams(payload: { params: GraphQLParams; request: Request }, context: object): unknown;
  onResultProcessHooks: Array<(payload: Record<string, unknown>) => unknown>;
  maskedErrorsOpts: { errorMessage: string; isDev?: boolean; maskError(error: unknown, message: string, isDev?: boolean): Error } | null;
}

interface ParsedRequest {
  response?: Response;
  requestParserResult?: unknown;
}

interface GraphQLParams {
  query?: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
  extensions?: Record<string, unknown> | null;
}

type Hook = (payload: Record<string, unknown>) => unknown;

const JSON_CONTENT_TYPE = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;
const PARAM_KEYS = new Set(['query', 'variables', 'operationName', 'extensions']);

/** Builds the fast lane for a gateway built by createGateway. */
export function createFastLane(gateway: Gateway, endpoint: string, logger: Logger): FastLane {
  const yoga = gateway as unknown as YogaInternals;
  if (!hasInternals(yoga)) {
    logger.warn('this graphql-yoga version lacks the members the fast lane drives: every request goes through the adapter');
    return { accepts: () => false, serve: (req, res) => Promise.resolve(gateway(req, res)).then(() => 'adapter' as const) };
  }
  const hooksOf = (name: string): Hook[] =>
    yoga.plugins.flatMap((plugin) => (plugin && typeof plugin[name] === 'function' ? [plugin[name] as Hook] : []));
  const onRequestHooks = hooksOf('onRequest');
  const onResponseHooks = hooksOf('onResponse');
  // Results are turned into responses with Yoga's own result processors; only the Response
  // class is the lane's, so a string body can be written without a stream.
  const laneFetchAPI = { ...yoga.fetchAPI, Response: LaneResponse as unknown as typeof Response };

  // A request the lane does not serve, its body already read: as the adapter would build it, with
  // the body from memory, through the adapter's own handler and writer.
  async function handOver(req: IncomingMessage, res: ServerResponse, body: Buffer, signal: AbortSignal, serverContext: object) {
    const request = new yoga.fetchAPI.Request(urlOf(req), { method: req.method ?? 'POST', headers: req.headers as HeadersInit, body: body as unknown as BodyInit, signal });
    const response = await gateway.handleRequest(request, serverContext as never);
    await sendNodeResponse(response, res, req, true);
    return 'adapter' as const;
  }

  async function serveLane(req: IncomingMessage, res: ServerResponse): Promise<'lane' | 'adapter'> {
    const controller = new AbortController();
    const abort = () => controller.abort();
    res.once('close', abort);
    res.once('finish', () => res.off('close', abort));
    const request = new LaneRequest(req, urlOf(req), controller.signal);
    const asRequest = request as unknown as Request;
    const serverContext: Record<string, unknown> = {
      req,
      res,
      waitUntil: (promise: unknown) => void Promise.resolve(promise).catch((error: unknown) => logger.error({ err: error }, 'a waitUntil task failed')),
    };

    // The adapter's request hooks (CORS preflight, health check, GraphiQL, unknown routes, ours),
    // before the body is read, as the adapter runs them. Hooks are mostly synchronous: here and
    // below only a returned promise is waited for (no tick per hook).
    let early: Response | LaneResponse | undefined;
    let pending: unknown;
    let replaced = false;
    const url = lazyUrl(request.url);
    for (const hook of onRequestHooks) {
      pending = hook({
        request: asRequest,
        setRequest: () => (replaced = true),
        serverContext,
        fetchAPI: yoga.fetchAPI,
        url,
        requestHandler: gateway,
        setRequestHandler: () => (replaced = true),
        endResponse: (response: Response) => (early = response),
      });
      if (isPromise(pending)) await pending;
      if (early || replaced) break;
    }

    let response: Response | LaneResponse;
    if (early && !replaced) {
      response = early;
    } else {
      const body = await readBody(req);
      if (body === null) return 'lane';
      const params = replaced ? null : ordinaryParams(body);
      // Not the ordinary case, or a hook that swaps the request or its handler: no GraphQL work
      // has run yet, and the adapter serves it as it would have.
      if (!params) return handOver(req, res, body, controller.signal, serverContext);
      request.params = params;
      let parsed: ParsedRequest;
      try {
        parsed = await yoga.parseRequest(asRequest, serverContext);
      } catch {
        return handOver(req, res, body, controller.signal, serverContext);
      }
      if (parsed.response) {
        response = parsed.response;
      } else {
        let result: unknown;
        try {
          result = await yoga.getResultForParams({ params: parsed.requestParserResult as GraphQLParams, request: asRequest }, serverContext);
        } catch (error) {
          // As Yoga's handle does: an abort is no error to report, the rest is masked.
          result = { errors: isAbortError(error) ? [] : [maskedError(yoga, error)] };
        }
        response = await processResult(yoga, laneFetchAPI, asRequest, result, serverContext);
      }
    }
    // The adapter's response hooks (CORS headers, X-Request-Id).
    for (const hook of onResponseHooks) {
      pending = hook({
        request: asRequest,
        response,
        serverContext,
        setResponse: (next: Response) => (response = next),
        fetchAPI: yoga.fetchAPI,
      });
      if (isPromise(pending)) await pending;
    }
    await write(res, response, yoga.fetchAPI.Response);
    return 'lane';
  }

  return {
    accepts(req) {
      if (req.method !== 'POST' || req.url !== endpoint) return false;
      const length = req.headers['content-length'];
      if (length === undefined || length === '0' || req.headers['transfer-encoding'] !== undefined) return false;
      const type = req.headers['content-type'];
      return type !== undefined && JSON_CONTENT_TYPE.test(type);
    },
    async serve(req, res) {
      try {
        return await serveLane(req, res);
      } catch (error) {
        logger.error({ err: error }, 'fast lane: unexpected failure');
        if (!res.headersSent && !res.destroyed) {
          sendJson(res, 500, { errors: [{ message: 'Unexpected error.' }] });
        } else {
          res.destroy();
        }
        return 'lane';
      }
    },
  };
}

function urlOf(req: IncomingMessage): string {
  return `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`;
}

// Yoga's test for an abort (the caller went away), which it drops rather than reports.
function isAbortError(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return (error as { constructor?: { name?: string } } | null)?.constructor?.name === 'DOMException' && (name === 'AbortError' || name === 'TimeoutError');
}

// The URL is parsed only if a hook reads it, as Yoga's adapter does.
function lazyUrl(href: string): URL {
  let url: URL | undefined;
  return new Proxy({} as URL, {
    get: (_target, property) => {
      url ??= new URL(href);
      const value = Reflect.get(url, property, url) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(url) : value;
    },
  });
}

function hasInternals(yoga: YogaInternals): boolean {
  return (
    Array.isArray(yoga.plugins) &&
    typeof yoga.parseRequest === 'function' &&
    typeof yoga.getResultForParams === 'function' &&
    Array.isArray(yoga.onResultProcessHooks) &&
    typeof yoga.fetchAPI?.Response === 'function' &&
    yoga.maskedErrorsOpts !== undefined
  );
}

// The whole body (its size was checked against MAX_BODY_BYTES before), or null if the caller left.
function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
    });
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    // A caller that leaves mid-body (or a request timeout, or shutdown) ends the request with an
    // 'aborted' error: nobody is left to answer, which is no failure of ours.
    req.once('error', (error) => (req.complete ? reject(error) : resolve(null)));
    req.once('close', () => {
      if (!req.complete) resolve(null);
    });
  });
}

/**
 * The GraphQL parameters when the body is the ordinary case Yoga would accept as is: a JSON object
 * of query, variables, operationName and extensions of the right types. Anything else (invalid
 * JSON, a batch, unknown keys, wrong types) returns null, and Yoga itself answers it.
 */
function ordinaryParams(body: Buffer): GraphQLParams | null {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  if (!isPlainObject(value)) return null;
  for (const key in value) {
    if (!PARAM_KEYS.has(key) && value[key] != null) return null;
  }
  if (typeof value.query !== 'string') return null;
  if (value.variables != null && !isPlainObject(value.variables)) return null;
  if (value.operationName != null && typeof value.operationName !== 'string') return null;
  if (value.extensions != null && !isPlainObject(value.extensions)) return null;
  return value as GraphQLParams;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Yoga's processResult: the result hooks pick a processor by the Accept header and it builds the response.
async function processResult(
  yoga: YogaInternals,
  fetchAPI: YogaInternals['fetchAPI'],
  request: Request,
  initial: unknown,
  serverContext: object,
): Promise<Response | LaneResponse> {
  let result = initial;
  let processor: ((result: unknown, fetchAPI: unknown, mediaType: string) => unknown) | undefined;
  let mediaType = '*/*';
  const acceptableMediaTypes: string[] = [];
  let pending: unknown;
  for (const hook of yoga.onResultProcessHooks) {
    pending = hook({
      request,
      acceptableMediaTypes,
      result,
      setResult: (next: unknown) => (result = next),
      resultProcessor: processor,
      setResultProcessor: (next: typeof processor, nextMediaType: string) => {
        processor = next;
        mediaType = nextMediaType;
      },
      serverContext,
    });
    if (isPromise(pending)) await pending;
  }
  if (!processor) {
    return new LaneResponse(null, { status: 406, statusText: 'Not Acceptable', headers: { accept: acceptableMediaTypes.join('; charset=utf-8, ') } });
  }
  return (await processor(result, fetchAPI, mediaType)) as Response | LaneResponse;
}

// Yoga's handleError for what escapes its own handling: masked (Yoga's masking logs what it
// masks), a GraphQL error kept with its extensions (an HTTP status among them).
function maskedError(yoga: YogaInternals, error: unknown): Error {
  const options = yoga.maskedErrorsOpts;
  const masked = options ? options.maskError(error, options.errorMessage, options.isDev) : error;
  if (masked instanceof GraphQLError) return masked;
  return createGraphQLError(masked instanceof Error ? masked.message : 'Unexpected error.', {
    ...(masked instanceof Error ? { originalError: masked } : {}),
  });
}

async function write(res: ServerResponse, response: Response | LaneResponse, RealResponse: typeof Response): Promise<void> {
  if (res.destroyed || res.writableEnded) return;
  if (response instanceof LaneResponse && typeof response.body === 'string') {
    const headers = response.headers.toObject();
    headers['content-length'] = String(Buffer.byteLength(response.body));
    res.writeHead(response.status, headers);
    res.end(response.body);
    return;
  }
  // A stream, no body or a Response from a hook: written the way Yoga's adapter writes it.
  const real =
    response instanceof LaneResponse
      ? new RealResponse(response.body as BodyInit | null, { status: response.status, statusText: response.statusText, headers: response.headers.toObject() })
      : response;
  await sendNodeResponse(real, res, res.req, true);
}

/**
 * Headers with the `Headers` methods the hooks use, lower-cased names, over a plain object: for a
 * request, Node's own header object, copied only if a hook changes it; for a response, an object
 * of its own.
 */
class HeaderRecord {
  private record: IncomingHttpHeaders;
  private owned: boolean;
  constructor(record: IncomingHttpHeaders, owned: boolean) {
    this.record = record;
    this.owned = owned;
  }
  /** Response headers from a `ResponseInit`'s object or pairs. */
  static from(init?: Record<string, string> | [string, string][]): HeaderRecord {
    const headers = new HeaderRecord({}, true);
    if (init) for (const [name, value] of Array.isArray(init) ? init : Object.entries(init)) headers.set(name, value);
    return headers;
  }
  get(name: string): string | null {
    const key = name.toLowerCase();
    const value = Object.hasOwn(this.record, key) ? this.record[key] : undefined;
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }
  has(name: string): boolean {
    return this.get(name) !== null;
  }
  set(name: string, value: string): void {
    this.own()[name.toLowerCase()] = String(value);
  }
  append(name: string, value: string): void {
    const current = this.get(name);
    this.set(name, current === null ? value : `${current}, ${value}`);
  }
  delete(name: string): void {
    delete this.own()[name.toLowerCase()];
  }
  forEach(callback: (value: string, name: string, headers: this) => void): void {
    for (const [name, value] of this.entries()) callback(value, name, this);
  }
  *entries(): IterableIterator<[string, string]> {
    for (const name of Object.keys(this.record).sort()) {
      const value = this.get(name);
      if (value !== null) yield [name, value];
    }
  }
  keys(): IterableIterator<string> {
    return Array.from(this.entries(), ([name]) => name)[Symbol.iterator]();
  }
  values(): IterableIterator<string> {
    return Array.from(this.entries(), ([, value]) => value)[Symbol.iterator]();
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
  /** Name → value, in the order the headers were set (the order they are written in). */
  toObject(): Record<string, string> {
    const object: Record<string, string> = {};
    for (const name of Object.keys(this.record)) {
      const value = this.get(name);
      if (value !== null) object[name] = value;
    }
    return object;
  }
  // Hooks may change request headers; Node's own object is left as it came.
  private own(): IncomingHttpHeaders {
    if (!this.owned) {
      this.record = { ...this.record };
      this.owned = true;
    }
    return this.record;
  }
}

/** What Yoga's hooks read of a request, over the Node request and (once read) its parsed body. */
class LaneRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: HeaderRecord;
  readonly signal: AbortSignal;
  params: GraphQLParams = {};
  constructor(req: IncomingMessage, url: string, signal: AbortSignal) {
    this.method = req.method ?? 'POST';
    this.url = url;
    this.headers = new HeaderRecord(req.headers, false);
    this.signal = signal;
  }
  json(): Promise<GraphQLParams> {
    return Promise.resolve(this.params);
  }
  text(): Promise<string> {
    return Promise.resolve(JSON.stringify(this.params));
  }
}

/** The response Yoga's result processors build on the lane: status, headers and a body kept as given. */
class LaneResponse {
  readonly body: unknown;
  readonly status: number;
  readonly statusText: string;
  readonly headers: HeaderRecord;
  constructor(body: unknown, init: { status?: number; statusText?: string; headers?: Record<string, string> | [string, string][] } = {}) {
    this.body = body ?? null;
    this.status = init.status ?? 200;
    this.statusText = init.statusText ?? '';
    this.headers = HeaderRecord.from(init.headers);
  }
  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }
}
