import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';

/** A file GraphiQL's page loads, as the process keeps it. */
export interface Asset {
  type: string;
  etag: string;
  /** Uncompressed size in bytes. */
  length: number;
  /**
   * The bytes as they are: kept for the page and the small assets; for the others, made once
   * from the gzip copy when a client first accepts neither encoding (see identityOf).
   */
  identity: Buffer | null;
  /** The gzip copy being decompressed for the first such client: the others wait for it. */
  inflating?: Promise<Buffer>;
  /** The bytes compressed, for the assets large enough to be worth it. */
  br: Buffer | null;
  gzip: Buffer | null;
}

// The encoding the client accepts that serves it best: brotli, then gzip, else none.
function encodingFor(req: IncomingMessage): 'br' | 'gzip' | null {
  const accepted = String(req.headers['accept-encoding'] ?? '');
  if (/\bbr\b/.test(accepted)) return 'br';
  if (/\bgzip\b/.test(accepted)) return 'gzip';
  return null;
}

const gunzipAsync = promisify(gunzip);

/**
 * An asset's uncompressed bytes: made from its gzip copy once, off the event loop, then kept;
 * requests that come while it is being made wait for the same decompression.
 */
export async function identityOf(asset: Asset): Promise<Buffer> {
  if (asset.identity) return asset.identity;
  asset.inflating ??= gunzipAsync(asset.gzip!).finally(() => delete asset.inflating);
  asset.identity = await asset.inflating;
  return asset.identity;
}

/** Answers a GET or HEAD for an asset: 304 for its ETag, else its bytes in the best encoding the client accepts. */
export async function sendAsset(req: IncomingMessage, res: ServerResponse, asset: Asset, cacheControl: string): Promise<void> {
  const headers: Record<string, string> = { 'cache-control': cacheControl, etag: asset.etag, vary: 'accept-encoding' };
  if (req.headers['if-none-match'] === asset.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  // Compressed whenever the client accepts it and the asset has that copy, even once an
  // uncompressed copy was made for another client.
  const encoding = encodingFor(req);
  const compressed = encoding === null ? null : asset[encoding];
  if (compressed) headers['content-encoding'] = encoding!;
  let body: Buffer | null = compressed ?? asset.identity;
  if (req.method === 'HEAD') {
    res.writeHead(200, { ...headers, 'content-type': asset.type, 'content-length': String(body?.length ?? asset.length) });
    res.end();
    return;
  }
  // Neither brotli nor gzip accepted: one uncompressed copy, shared by every such request.
  body ??= await identityOf(asset);
  res.writeHead(200, { ...headers, 'content-type': asset.type, 'content-length': String(body.length) });
  res.end(body);
}
