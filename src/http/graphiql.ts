import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import type { GraphiQLOptions } from 'graphql-yoga';

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
  /** Builds the page and its assets now (app.listen awaits it), so that no request pays for it. */
  prepare(): Promise<void>;
  /** Answers a request `handles` took; never rejects. */
  serve(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
}

interface Asset {
  type: string;
  body: Buffer;
  etag: string;
  /** Compressed once, on first demand, off the event loop (zlib's thread pool). */
  compressed: Partial<Record<'br' | 'gzip', Promise<Buffer>>>;
}

interface Bundle {
  page: Asset;
  assets: Map<string, Asset>;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * GraphiQL without a CDN and cheap to serve. @graphql-yoga/render-graphiql inlines everything
 * (about 9 MB) into one page; here the page is about 1 KB and names its script, style, workers
 * and icon by content hash under `{endpoint}/assets/`, so a browser fetches each once (immutable,
 * a year) and then only revalidates the page (ETag → 304). Assets go out brotli- or
 * gzip-compressed (about 2 MB in all), compressed once on first demand in zlib's thread pool,
 * never on the event loop. The renderer's 9 MB are imported once, before the gateway listens.
 */
export function createGraphiQLHandler(endpoint: string, options: GraphiQLOptions): GraphiQLHandler {
  const assetPrefix = `${endpoint}/assets/`;
  // Built once per process for the same endpoint and options (importing and hashing the
  // renderer's 9 MB held the event loop about 200 ms); a build that failed is tried again.
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
    async prepare() {
      await bundleOf();
    },
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

async function loadBundle(assetPrefix: string, options: GraphiQLOptions): Promise<Bundle> {
  const parts = await import('@graphql-yoga/render-graphiql/graphiql');
  const assets = new Map<string, Asset>();
  const add = (name: string, extension: string, type: string, body: Buffer) => {
    const asset = assetOf(type, body);
    const file = `${name}-${asset.etag.slice(1, 13)}.${extension}`;
    assets.set(file, asset);
    return `${assetPrefix}${file}`;
  };
  const script = 'text/javascript; charset=utf-8';
  const icon = /^data:([^;,]+);base64,(.*)$/s.exec(parts.favicon);
  const iconUrl = icon ? add('favicon', 'ico', icon[1]!, Buffer.from(icon[2]!, 'base64')) : parts.favicon;
  const cssUrl = add('graphiql', 'css', 'text/css; charset=utf-8', Buffer.from(parts.css));
  const workers = {
    editorWorkerService: add('editor-worker', 'js', script, Buffer.from(parts.editorWorkerService)),
    json: add('json-worker', 'js', script, Buffer.from(parts.jsonWorker)),
    graphql: add('graphql-worker', 'js', script, Buffer.from(parts.graphqlWorker)),
  };
  const jsUrl = add('graphiql', 'js', script, Buffer.from(parts.js));
  // JSON in a <script> must not be able to close it.
  const json = (value: unknown) => JSON.stringify(value).replaceAll('<', '\\u003c');
  const html = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(options.title ?? 'GraphiQL')}</title>
    <link rel="icon" href="${iconUrl}" />
    <link rel="stylesheet" href="${cssUrl}" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run this app.</noscript>
    <div id="root"></div>
    <script>
      const workers = ${json(workers)};
      self['MonacoEnvironment'] = { globalAPI: false, getWorkerUrl: (moduleId, label) => workers[label] };
    </script>
    <script src="${jsUrl}"></script>
    <script>
      YogaGraphiQL.renderYogaGraphiQL(document.querySelector('#root'), ${json(options)});
    </script>
  </body>
</html>
`;
  return { page: assetOf('text/html; charset=utf-8', Buffer.from(html)), assets };
}

function assetOf(type: string, body: Buffer): Asset {
  return { type, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`, compressed: {} };
}

const compressBrotli = promisify(brotliCompress);
const compressGzip = promisify(gzip);

// The encoding the client accepts that serves it best: brotli, then gzip, else none.
function encodingFor(req: IncomingMessage): 'br' | 'gzip' | null {
  const accepted = String(req.headers['accept-encoding'] ?? '');
  if (/\bbr\b/.test(accepted)) return 'br';
  if (/\bgzip\b/.test(accepted)) return 'gzip';
  return null;
}

async function sendAsset(req: IncomingMessage, res: ServerResponse, asset: Asset, cacheControl: string): Promise<void> {
  const headers: Record<string, string> = { 'cache-control': cacheControl, etag: asset.etag, vary: 'accept-encoding' };
  if (req.headers['if-none-match'] === asset.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const encoding = encodingFor(req);
  let body = asset.body;
  if (encoding && asset.body.length > 1024) {
    asset.compressed[encoding] ??=
      encoding === 'br'
        ? compressBrotli(asset.body, {
            params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 9, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: asset.body.length },
          })
        : compressGzip(asset.body, { level: 9 });
    body = await asset.compressed[encoding];
    headers['content-encoding'] = encoding;
  }
  res.writeHead(200, { ...headers, 'content-type': asset.type, 'content-length': String(body.length) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
