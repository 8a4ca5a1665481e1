import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { GraphiQLOptions } from 'graphql-yoga';
import { sendAsset, type Asset } from './static-asset.js';

/** A query that works verbatim in demo mode: the first page of demo/nginx and how to go on. */
export const GRAPHIQL_DEFAULT_QUERY = `# swr-gateway: SWR image-synchronization jobs as a Relay connection.
# In demo mode any non-empty X-Auth-Token works (see the Headers tab).
query NginxSyncJobs($after: String) {
  repository(namespace: "demo", name: "nginx") {
    namespace
    name
    syncJobs(first: 5, after: $after) {
      totalCount
      edges {
        cursor
        node { id status tag remoteRegionId remoteNamespace createdAt }
      }
      pageInfo { hasNextPage hasPreviousPage endCursor }
    }
  }
}
`;

/** GraphiQL as served at /graphql to browsers: default query and a pre-filled token header. */
export const graphiqlOptions: GraphiQLOptions = {
  title: 'swr-gateway',
  defaultQuery: GRAPHIQL_DEFAULT_QUERY,
  headers: JSON.stringify({ 'X-Auth-Token': 'demo-token' }, null, 2),
  shouldPersistHeaders: false,
};

/** Serves GraphiQL: a small page at the GraphQL endpoint and its assets beside it. */
export interface GraphiQLHandler {
  /** True for what GraphiQL answers: a browser's GET of the endpoint (Accept: text/html), or of an asset. */
  handles(req: IncomingMessage, path: string): boolean;
  /** Answers a request `handles` took; never rejects. */
  serve(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
}

interface Bundle {
  page: Asset;
  assets: Map<string, Asset>;
}

/** What the bundle worker sends back for one part of the renderer. */
interface BuiltPart {
  name: string;
  extension: string;
  type: string;
  etag: string;
  length: number;
  identity: Uint8Array | null;
  br: Uint8Array | null;
  gzip: Uint8Array | null;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Smaller assets go out as they are: compressing them saves nothing worth a header. */
const COMPRESS_ABOVE_BYTES = 1024;
/** Longest the bundle worker may take (importing and compressing about 9 MB: about 2 s here). */
const BUNDLE_DEADLINE_MS = 60_000;

/**
 * GraphiQL without a CDN and cheap to serve. @graphql-yoga/render-graphiql inlines everything
 * (about 9 MB) into one page; here the page is about 1 KB and names its script, style, workers
 * and icon by content hash under `{endpoint}/assets/`, so a browser fetches each once (immutable,
 * a year) and then only revalidates the page (ETag → 304). Assets go out brotli- or
 * gzip-compressed (about 2 MB in all).
 *
 * The renderer is imported, hashed and compressed in a worker thread, on the first request for
 * GraphiQL, never on the event loop, and never in a gateway nobody opens GraphiQL on: its 9 MB of
 * source held about 40 MB of a process that imported it, for good. The process keeps only the
 * compressed assets (about 4 MB, brotli and gzip); for a client that accepts neither, an asset is
 * decompressed once, in zlib's thread pool, and that copy is kept and written to every such client
 * (at most the 9 MB once: never one copy per request).
 */
export function createGraphiQLHandler(endpoint: string, options: GraphiQLOptions): GraphiQLHandler {
  const assetPrefix = `${endpoint}/assets/`;
  // Built once per process for the same endpoint and options; a build that failed is tried again.
  const key = `${assetPrefix}\u0000${JSON.stringify(options)}`;
  const bundleOf = (): Promise<Bundle> => {
    let built = bundles.get(key);
    if (!built) {
      built = loadBundle(assetPrefix, options);
      bundles.set(key, built);
      built.catch(() => bundles.delete(key));
    }
    return built;
  };

  return {
    handles(req, path) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      if (path.startsWith(assetPrefix)) return true;
      return (path === endpoint || path === `${endpoint}/`) && (req.headers.accept ?? '').includes('text/html');
    },
    async serve(req, res, path) {
      try {
        const { page, assets } = await bundleOf();
        const asset = path.startsWith(assetPrefix) ? assets.get(path.slice(assetPrefix.length)) : page;
        if (!asset) {
          res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
          res.end('No such GraphiQL asset');
          return;
        }
        await sendAsset(req, res, asset, asset === page ? 'no-cache' : IMMUTABLE);
      } catch {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('GraphiQL could not be served');
      }
    },
  };
}

const bundles = new Map<string, Promise<Bundle>>();

/**
 * The worker: plain CommonJS (it runs as is, under vitest too), given the renderer's resolved
 * path. It answers with every part hashed and, past COMPRESS_ABOVE_BYTES, compressed; the
 * buffers are transferred, not copied.
 */
const BUNDLE_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const zlib = require('node:zlib');
const parts = require(workerData.rendererPath);
const script = 'text/javascript; charset=utf-8';
const icon = /^data:([^;,]+);base64,(.*)$/s.exec(parts.favicon);
const sources = [
  ['favicon', 'ico', icon ? icon[1] : 'image/x-icon', icon ? Buffer.from(icon[2], 'base64') : null],
  ['graphiql', 'css', 'text/css; charset=utf-8', Buffer.from(parts.css)],
  ['editor-worker', 'js', script, Buffer.from(parts.editorWorkerService)],
  ['json-worker', 'js', script, Buffer.from(parts.jsonWorker)],
  ['graphql-worker', 'js', script, Buffer.from(parts.graphqlWorker)],
  ['graphiql', 'js', script, Buffer.from(parts.js)],
];
const built = [];
const transfer = [];
const own = (buffer) => {
  const copy = new Uint8Array(buffer.length);
  copy.set(buffer);
  transfer.push(copy.buffer);
  return copy;
};
for (const [name, extension, type, body] of sources) {
  if (body === null) continue;
  const etag = '"' + createHash('sha256').update(body).digest('base64url').slice(0, 27) + '"';
  const small = body.length <= workerData.compressAboveBytes;
  built.push({
    name, extension, type, etag, length: body.length,
    identity: small ? own(body) : null,
    br: small ? null : own(zlib.brotliCompressSync(body, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 9, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length },
    })),
    gzip: small ? null : own(zlib.gzipSync(body, { level: 9 })),
  });
}
parentPort.postMessage({ built, favicon: icon ? null : parts.favicon }, transfer);
`;

async function loadBundle(assetPrefix: string, options: GraphiQLOptions): Promise<Bundle> {
  const { built, favicon } = await runBundleWorker();
  const assets = new Map<string, Asset>();
  const urls = new Map<string, string>();
  for (const part of built) {
    const file = `${part.name}-${part.etag.slice(1, 13)}.${part.extension}`;
    const buffer = (bytes: Uint8Array | null) => (bytes === null ? null : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    assets.set(file, {
      type: part.type,
      etag: part.etag,
      length: part.length,
      identity: buffer(part.identity),
      br: buffer(part.br),
      gzip: buffer(part.gzip),
    });
    urls.set(`${part.name}.${part.extension}`, `${assetPrefix}${file}`);
  }
  const url = (name: string) => urls.get(name) ?? '';
  const workers = { editorWorkerService: url('editor-worker.js'), json: url('json-worker.js'), graphql: url('graphql-worker.js') };
  // JSON in a <script> must not be able to close it.
  const json = (value: unknown) => JSON.stringify(value).replaceAll('<', '\\u003c');
  const html = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(options.title ?? 'GraphiQL')}</title>
    <link rel="icon" href="${favicon === null ? url('favicon.ico') : escapeHtml(favicon)}" />
    <link rel="stylesheet" href="${url('graphiql.css')}" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run this app.</noscript>
    <div id="root"></div>
    <script>
      const workers = ${json(workers)};
      self['MonacoEnvironment'] = { globalAPI: false, getWorkerUrl: (moduleId, label) => workers[label] };
    </script>
    <script src="${url('graphiql.js')}"></script>
    <script>
      YogaGraphiQL.renderYogaGraphiQL(document.querySelector('#root'), ${json(options)});
    </script>
  </body>
</html>
`;
  const page = Buffer.from(html);
  return {
    page: {
      type: 'text/html; charset=utf-8',
      etag: `"${createHash('sha256').update(page).digest('base64url').slice(0, 27)}"`,
      length: page.length,
      identity: page,
      br: null,
      gzip: null,
    },
    assets,
  };
}

// Runs BUNDLE_WORKER once; rejects when it fails, exits without answering, or overruns its deadline.
function runBundleWorker(): Promise<{ built: BuiltPart[]; favicon: string | null }> {
  const rendererPath = createRequire(import.meta.url).resolve('@graphql-yoga/render-graphiql/graphiql');
  return new Promise((resolve, reject) => {
    const worker = new Worker(BUNDLE_WORKER, { eval: true, workerData: { rendererPath, compressAboveBytes: COMPRESS_ABOVE_BYTES } });
    const deadline = setTimeout(() => {
      void worker.terminate();
      reject(new Error('the GraphiQL bundle took too long'));
    }, BUNDLE_DEADLINE_MS);
    deadline.unref();
    worker.unref();
    worker.once('message', (message: { built: BuiltPart[]; favicon: string | null }) => {
      clearTimeout(deadline);
      resolve(message);
      void worker.terminate();
    });
    worker.once('error', (error) => {
      clearTimeout(deadline);
      reject(error);
    });
    worker.once('exit', (code) => {
      clearTimeout(deadline);
      reject(new Error(`the GraphiQL bundle worker exited (${code})`));
    });
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
