import { brotliDecompress, gunzip, inflate, inflateRaw, type ZlibOptions } from 'node:zlib';
import type { Dispatcher } from 'undici';
import type { CallSignal } from './call-signal.js';

/** An answer read whole: status, headers (lower-case names) and the body as text. */
export interface TextAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * An answer whose body cannot be read, with that answer's status and headers: a content coding
 * the gateway does not decode, or one whose bytes do not decode.
 */
export class UnreadableBodyError extends Error {
  override name = 'UnreadableBodyError';
  constructor(
    readonly status: number,
    readonly headers: TextAnswer['headers'],
    message: string,
  ) {
    super(message);
  }
}

/**
 * A body that ran past its limit of `maxBytes`. An exchange rejects with one for an answer's body
 * (by its Content-Length, as it arrives, or as it decodes), with that answer's status and headers;
 * readBody (src/http/read-body.ts) for a request's body, which has neither (0 and no headers) and
 * its own message.
 */
export class BodyTooLargeError extends UnreadableBodyError {
  override name = 'BodyTooLargeError';
  constructor(
    readonly maxBytes: number,
    status: number,
    headers: TextAnswer['headers'],
    message = `the body is larger than ${maxBytes} bytes`,
  ) {
    super(status, headers, message);
  }
}

/** What an exchange asks for in Accept-Encoding: the codings it decodes (as fetch does). */
export const ACCEPT_ENCODING = 'gzip, deflate, br';

/** One GET of an exchange. */
export interface TextRequest {
  origin: string;
  path: string;
  headers: Record<string, string>;
  /** Largest body read; a larger one aborts the exchange (BodyTooLargeError). */
  maxBodyBytes: number;
}

/**
 * One GET through undici's dispatcher, its body gathered as it arrives and decoded once: its
 * content codings undone (gzip, deflate, br; on libuv's thread pool, never past `maxBodyBytes`),
 * then read as undici's `body.text()` reads it (UTF-8, a byte order mark dropped). It goes without undici's
 * `request()` layer, whose response stream, body mixin and abort listener are most of what a call
 * costs the gateway besides the socket: `call` aborts the exchange (its deadline, its caller
 * going away), and its rejection is then the call's reason.
 */
export function exchangeText(dispatcher: Dispatcher, request: TextRequest, call: CallSignal): Promise<TextAnswer> {
  return new Promise((resolve, reject) => {
    const handler = new TextHandler(request.maxBodyBytes, resolve, reject);
    call.onAbort((reason) => handler.abort(reason));
    dispatcher.dispatch({ origin: request.origin, path: request.path, method: 'GET', headers: request.headers }, handler);
  });
}

const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

class TextHandler implements Dispatcher.DispatchHandler {
  #controller: Dispatcher.DispatchController | null = null;
  #settled = false;
  #pendingAbort: unknown = undefined;
  #status = 0;
  #headers: TextAnswer['headers'] = {};
  #chunks: Buffer[] = [];
  #size = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly resolve: (answer: TextAnswer) => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  /** Stops the exchange: at once when it has begun, else as soon as it does; the promise rejects with `reason` now. */
  abort(reason: unknown): void {
    if (this.#controller) this.#controller.abort(reason as Error);
    else this.#pendingAbort = reason;
    this.#fail(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#settled) controller.abort((this.#pendingAbort ?? new Error('aborted')) as Error);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (statusCode < 200) return;
    this.#status = statusCode;
    this.#headers = headers;
    const length = Number(headers['content-length'] ?? Number.NaN);
    if (length > this.maxBytes) this.abort(new BodyTooLargeError(this.maxBytes, statusCode, headers));
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#settled) return;
    this.#size += chunk.length;
    if (this.#size > this.maxBytes) return this.abort(new BodyTooLargeError(this.maxBytes, this.#status, this.#headers));
    this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.#settled) return;
    const body = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#size);
    this.#chunks = [];
    const codings = contentCodings(this.#headers['content-encoding']);
    if (typeof codings === 'string') {
      return this.#fail(
        new UnreadableBodyError(this.#status, this.#headers, `the body's content coding ${codings} is not one the gateway decodes`),
      );
    }
    if (codings.length === 0 || body.length === 0) return this.#succeed(body);
    decodeBody(body, codings, this.maxBytes).then(
      (decoded) => this.#succeed(decoded),
      (error: unknown) => {
        const tooLarge = (error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE';
        this.#fail(
          tooLarge
            ? new BodyTooLargeError(this.maxBytes, this.#status, this.#headers, `the body decodes to more than ${this.maxBytes} bytes`)
            : new UnreadableBodyError(this.#status, this.#headers, `the body does not decode: ${(error as Error).message}`),
        );
      },
    );
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    this.#fail(error);
  }

  #succeed(body: Buffer): void {
    if (this.#settled) return;
    this.#settled = true;
    const start = body[0] === UTF8_BOM[0] && body[1] === UTF8_BOM[1] && body[2] === UTF8_BOM[2] ? 3 : 0;
    this.resolve({ status: this.#status, headers: this.#headers, text: body.toString('utf8', start) });
  }

  #fail(error: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#chunks = [];
    this.reject(error);
  }
}

type Coding = 'gzip' | 'deflate' | 'br';
const CODINGS: Readonly<Record<string, Coding>> = { gzip: 'gzip', 'x-gzip': 'gzip', deflate: 'deflate', br: 'br' };

/** Content-Encoding's codings in the order they were applied, `identity` left out; the name (quoted) of one not decoded here. */
function contentCodings(header: string | string[] | undefined): Coding[] | string {
  if (header === undefined) return [];
  const names = (Array.isArray(header) ? header.join(',') : header).split(',');
  const codings: Coding[] = [];
  for (const raw of names) {
    const name = raw.trim().toLowerCase();
    if (name === '' || name === 'identity') continue;
    const coding = CODINGS[name];
    if (!coding) return JSON.stringify(name.slice(0, 40));
    codings.push(coding);
  }
  return codings;
}

function decodeOnce(body: Buffer, coding: Coding, options: ZlibOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, result: Buffer) => (error ? reject(error) : resolve(result));
    if (coding === 'gzip') gunzip(body, options, done);
    else if (coding === 'br') brotliDecompress(body, options, done);
    // "deflate" is zlib-wrapped by the letter of HTTP, raw in some servers: the first byte tells.
    else if ((body[0]! & 0x0f) === 0x08) inflate(body, options, done);
    else inflateRaw(body, options, done);
  });
}

/** Undoes the codings last applied first. */
async function decodeBody(body: Buffer, codings: readonly Coding[], maxBytes: number): Promise<Buffer> {
  let decoded = body;
  for (let index = codings.length - 1; index >= 0; index -= 1) {
    decoded = await decodeOnce(decoded, codings[index]!, { maxOutputLength: Math.max(1, maxBytes) });
  }
  return decoded;
}
