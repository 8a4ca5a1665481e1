import type { IncomingMessage } from 'node:http';
import { BodyTooLargeError } from '../swr/http-exchange.js';

/**
 * The whole body of a request, or null when the caller went away before sending all of it (a
 * client leaving mid-body, Node's request timeout cutting a trickling one, shutdown): nobody is
 * left to answer, which is no failure of ours. Rejects with BodyTooLargeError past `maxBytes`.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off('data', onData);
        req.resume();
        reject(new BodyTooLargeError(maxBytes, 0, {}, `The request body is larger than ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.once('error', () => resolve(null));
    req.once('close', () => {
      if (!req.complete) resolve(null);
    });
  });
}
