import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { identityOf, type Asset } from '../../src/http/static-asset.js';

function compressedAsset(text: string): Asset {
  const bytes = Buffer.from(text);
  return { type: 'text/javascript', etag: '"e"', length: bytes.length, identity: null, br: null, gzip: gzipSync(bytes) };
}

describe('an asset for clients that accept no encoding', () => {
  it('is decompressed once and the same bytes are handed to every such request', async () => {
    const asset = compressedAsset('x'.repeat(100_000));
    const [first, second] = await Promise.all([identityOf(asset), identityOf(asset)]);
    expect(first.toString()).toBe('x'.repeat(100_000));
    // One copy for both requests that came together, and for one that comes later.
    expect(second).toBe(first);
    expect(await identityOf(asset)).toBe(first);
    expect(asset.identity).toBe(first);
  });

  it('is tried again after a failed decompression', async () => {
    const asset = compressedAsset('y');
    const good = asset.gzip;
    asset.gzip = Buffer.from('not gzip');
    await expect(identityOf(asset)).rejects.toThrow();
    asset.gzip = good;
    expect((await identityOf(asset)).toString()).toBe('y');
  });
});
