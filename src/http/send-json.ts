import type { ServerResponse } from 'node:http';

/** Writes `body` as the whole JSON answer, with an exact Content-Length (never chunked). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendText(res, status, JSON.stringify(body), { 'content-type': 'application/json; charset=utf-8', ...headers });
}

/** Writes `text` as the whole answer; `headers` carry its Content-Type. */
function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string>): void {
  const payload = Buffer.from(text, 'utf8');
  res.writeHead(status, { ...headers, 'content-length': String(payload.length) });
  res.end(payload);
}
