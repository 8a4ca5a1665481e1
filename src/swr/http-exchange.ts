import type { Dispatcher } from 'undici';
import type { CallSignal } from './call-signal.js';

/** An answer read whole: status, headers (lower-case names) and the body as text. */
export interface TextAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * A body that ran past its limit of `maxBytes`. An exchange rejects with one for an answer's body
 * (by its Content-Length, or as it arrives), with that answer's status and headers; readBody
 * (src/http/read-body.ts) for a request's body, which has neither (0 and no headers) and its own
 * message.
 */
export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
  constructor(
    readonly maxBytes: number,
    readonly status: number,
    readonly headers: TextAnswer['headers'],
    message = `the body is larger than ${maxBytes} bytes`,
  ) {
    super(message);
  }
}

/** One GET of an exchange. */
export interface TextRequest {
  origin: string;
  path: string;
  headers: Record<string, string>;
  /** Largest body read; a larger one aborts the exchange (BodyTooLargeError). */
  maxBodyBytes: number;
}

/**
 * One GET through undici's dispatcher, its body gathered as it arrives and decoded once (as
 * undici's `body.text()` decodes it: UTF-8, a byte order mark dropped). It goes without undici's
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
    this.#settled = true;
    const body = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#size);
    const start = body[0] === UTF8_BOM[0] && body[1] === UTF8_BOM[1] && body[2] === UTF8_BOM[2] ? 3 : 0;
    this.resolve({ status: this.#status, headers: this.#headers, text: body.toString('utf8', start) });
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    this.#fail(error);
  }

  #fail(error: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#chunks = [];
    this.reject(error);
  }
}
