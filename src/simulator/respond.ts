import type { ServerResponse } from 'node:http';
import { sendText as sendBody } from '../http/send-json.js';
import { swrErrorBody, type SwrErrorShape } from './error-body.js';

/** Use for every JSON answer: exact Content-Type and Content-Length, so clients never wait on a chunked end. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendText(res, status, JSON.stringify(body), headers);
}

/** Use to answer with a body that is declared JSON but may not be (the malformed-body fault). */
export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  sendBody(res, status, text, { ...headers, 'Content-Type': 'application/json' });
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
  sendJson(res, answer.status, body, answer.headers);
}
