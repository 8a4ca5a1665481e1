import { SwrBadResponseError } from './errors.js';

/** Reads an SWR body as text, refusing one larger than the cap instead of buffering it. */
export async function readBody(body: AsyncIterable<Buffer>, maxBytes: number, requestId: string | null): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > maxBytes) throw new SwrBadResponseError(`the body is larger than ${maxBytes} bytes`, requestId);
    chunks.push(chunk);
  }
  // Decoded as undici's body.text() decodes (a UTF-8 byte order mark dropped), so a body reads the
  // same with or without a Content-Length.
  return UTF8.decode(Buffer.concat(chunks, size));
}

const UTF8 = new TextDecoder('utf-8');
