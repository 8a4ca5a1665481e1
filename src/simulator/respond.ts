import type { ServerResponse } from 'node:http';
import { sendJson, sendText as sendBody } from '../http/send-json.js';
import { swrErrorBody, type SwrErrorShape } from './error-body.js';

/** SWR's Content-Type: JSON without a charset, whatever else the headers say. */
const SWR_CONTENT_TYPE = { 'content-type': 'application/json' };

/** Use for every JSON answer: SWR's Content-Type and an exact Content-Length (never chunked). */
export function sendSwrJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendJson(res, status, body, { ...headers, ...SWR_CONTENT_TYPE });
}

/** Use to answer with a body that is declared JSON but may not be (the malformed-body fault). */
export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  sendBody(res, status, text, { ...headers, ...SWR_CONTENT_TYPE });
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
