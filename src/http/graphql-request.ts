import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendNodeResponse } from '@whatwg-node/server';
import type { Gateway } from '../graphql/gateway.js';
import { readBody } from './read-body.js';

/** A request body already read by the server, as Yoga's Node adapter takes it (`req.body`). */
type PreParsedRequest = IncomingMessage & { body?: unknown };

const JSON_MEDIA_TYPE = /^application\/json\s*(?:;|$)/i;

/**
 * Hands a request to Yoga through its Node adapter, the public seam, so every Yoga hook and its
 * instrumentation run once per request, as they would without us.
 *
 * A `POST` with a JSON body is read and parsed here, once, and given to the adapter as `req.body`
 * (@whatwg-node/server then serves `request.json()` from it without a second parse or a stream):
 * most of what the adapter costs per request was that body's streams and parse. A JSON body that
 * is not a plain object with keys (invalid JSON, a batch, a scalar, `{}`) goes to the adapter as a
 * fetch Request over the bytes read, so Yoga words the refusal (the adapter would otherwise walk
 * the keys of a string or Buffer: one per character). Everything else (GET, other media types)
 * goes to the adapter untouched, and it reads the body itself.
 */
export async function serveGraphQL(gateway: Gateway, req: IncomingMessage, res: ServerResponse, maxBodyBytes: number): Promise<void> {
  if (req.method !== 'POST' || !JSON_MEDIA_TYPE.test(req.headers['content-type'] ?? '')) {
    await gateway(req, res);
    return;
  }
  const body = await readBody(req, maxBodyBytes);
  if (body === null) return;
  const parsed = plainObjectFrom(body);
  if (parsed) {
    (req as PreParsedRequest).body = parsed;
    await gateway(req, res);
    return;
  }
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  const request = new gateway.fetchAPI.Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
    method: 'POST',
    headers: req.headers as Record<string, string>,
    body: body as Uint8Array<ArrayBuffer>,
    signal: controller.signal,
  });
  // `fetch` is the adapter's public entry for a fetch Request; the server context is what its
  // Node listener would have passed.
  const response = await gateway.fetch(request, { req, res } as never);
  await sendNodeResponse(response, res, req, true);
}

// The parsed body when it is an object with at least one key; null for anything else.
function plainObjectFrom(body: Buffer): Record<string, unknown> | null {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  for (const _key in value) return value as Record<string, unknown>;
  return null;
}
