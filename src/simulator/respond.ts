import type { ServerResponse } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { swrErrorBody, type SwrErrorShape } from './error-body.js';

/** SWR's Content-Type: JSON without a charset, whatever else the headers say. */
const SWR_CONTENT_TYPE = { 'content-type': 'application/json' };

const COMPRESSORS: Readonly<Record<string, (body: Buffer) => Buffer>> = {
  gzip: (body) => gzipSync(body),
  deflate: (body) => deflateSync(body),
  br: (body) => brotliCompressSync(body),
};
// Content-Encoding of answers to come, set by the contentEncoding fault.
const encodings = new WeakMap<ServerResponse, string>();

/** Use to send whatever `res` answers in `contentEncoding` (the contentEncoding fault). */
export function encodeAnswer(res: ServerResponse, contentEncoding: string): void {
  encodings.set(res, contentEncoding);
}

/** Use for every JSON answer: SWR's Content-Type and an exact Content-Length (never chunked). */
export function sendSwrJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendText(res, status, JSON.stringify(body), headers);
}

/** Use to answer with a body that is declared JSON but may not be (the malformed-body fault). */
export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  let payload: Buffer = Buffer.from(text, 'utf8');
  const contentEncoding = encodings.get(res);
  const encoded: Record<string, string> = contentEncoding === undefined ? {} : { 'content-encoding': contentEncoding };
  for (const coding of (contentEncoding ?? '').split(',')) {
    const compress = COMPRESSORS[coding.trim().toLowerCase()];
    if (compress) payload = compress(payload);
  }
  res.writeHead(status, { ...headers, ...SWR_CONTENT_TYPE, ...encoded, 'content-length': String(payload.length) });
  res.end(payload);
}

/** What an SWR error answer says; `detail` only shows in the old shapes. */
export interface SwrErrorAnswer {
  status: number;
  code: string;
  message: string;
  detail?: string;
  shape?: SwrErrorShape;
  headers?: Record<string, string>;
}

/** Use to answer with an SWR-shaped error body (natural errors use the 'new' shape). */
export function sendSwrError(res: ServerResponse, answer: SwrErrorAnswer): void {
  const body = swrErrorBody(answer.shape ?? 'new', answer.code, answer.message, answer.detail ?? answer.message);
  sendSwrJson(res, answer.status, body, answer.headers);
}
