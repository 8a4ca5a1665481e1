import type { DocumentNode } from 'graphql';
import { LRUCache } from 'lru-cache';

/** Memory the parsed documents kept for reuse may take, as estimated below. */
export const DOCUMENT_CACHE_BYTES = 64 * 1024 * 1024;
/** A document estimated larger than this is parsed anew each time, never kept. */
export const MAX_CACHED_DOCUMENT_BYTES = 4 * 1024 * 1024;
/**
 * A parsed document (nodes, locations, tokens) measured about 80 bytes of heap per character of
 * a dense query; fewer for one padded with comments or whitespace, so this errs on the safe side.
 */
const HEAP_BYTES_PER_CHARACTER = 80;

/** Yoga's parser caches, bounded in bytes rather than entries. */
export interface DocumentCaches {
  documentCache: LRUCache<string, DocumentNode>;
  errorCache: LRUCache<string, object>;
}

/**
 * Caches for Yoga's parserAndValidationCache, bounded by the memory their entries take. Yoga's
 * own count entries (1,024), so 1,024 distinct 900 KB documents could be kept: hundreds of MB.
 * The validation results and graphql-jit's compiled queries hang off these documents (weakly),
 * so they are bounded with them.
 */
export function createDocumentCaches(maxBytes = DOCUMENT_CACHE_BYTES): DocumentCaches {
  const sizeOf = (_value: unknown, key: string) => Math.max(1, key.length * HEAP_BYTES_PER_CHARACTER);
  const options = { maxSize: maxBytes, maxEntrySize: Math.min(maxBytes, MAX_CACHED_DOCUMENT_BYTES), sizeCalculation: sizeOf };
  return {
    documentCache: new LRUCache<string, DocumentNode>(options),
    // An error keeps little besides its text: a quarter of the document estimate each.
    errorCache: new LRUCache<string, object>({ ...options, maxSize: Math.ceil(maxBytes / 4), maxEntrySize: Math.ceil(maxBytes / 4) }),
  };
}
