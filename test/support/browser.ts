import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

/** Debian's Chromium, which CI installs with apt; playwright-core downloads no browser of its own. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  // Page events and routes only see what pages and their workers fetch, not Chromium's own
  // traffic (updates, safe browsing, DNS prefetch). With every host name unresolvable, nothing
  // the browser does can reach another machine; IP literals such as 127.0.0.1 never hit the
  // resolver, so the gateway on loopback stays reachable.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

/** Use to start the headless browser of the end-to-end tests; fails with what to install when it is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`expected Chromium at ${CHROMIUM_PATH} (Debian: apt-get install chromium, as CI does); found nothing`);
  }
  // launch() gives the browser a fresh temporary profile and deletes it on close.
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** A page that may only talk to one origin, and what it tried and reported. */
export interface OfflinePage {
  context: BrowserContext;
  page: Page;
  /** Requests (and WebSockets) to anywhere but the allowed origin: each was aborted before leaving. */
  foreignRequests: string[];
  /** Uncaught exceptions of the page. */
  pageErrors: string[];
  /** console.error messages of the page. */
  consoleErrors: string[];
}

// Same-document URLs that never touch the network: inline data, object URLs (Monaco's workers), blank pages.
const LOCAL_SCHEMES = new Set(['data:', 'blob:', 'about:']);

/** Use when a page must prove it works offline: every request to another origin is recorded and aborted. */
export async function openOfflinePage(
  browser: Browser,
  allowedOrigin: string,
  viewport = { width: 1400, height: 1000 },
): Promise<OfflinePage> {
  const context = await browser.newContext({ viewport });
  const opened: OfflinePage = { context, page: await context.newPage(), foreignRequests: [], pageErrors: [], consoleErrors: [] };
  const isAllowed = (url: string) => {
    const parsed = new URL(url);
    return LOCAL_SCHEMES.has(parsed.protocol) || parsed.origin === allowedOrigin;
  };

  // Two layers: the request event sees everything the context issues (pages and workers), the
  // route stops it. A request the route aborts still fires the event, so it is recorded once.
  context.on('request', (request) => {
    if (!isAllowed(request.url())) opened.foreignRequests.push(`${request.method()} ${request.url()}`);
  });
  await context.route('**/*', (route) => (isAllowed(route.request().url()) ? route.continue() : route.abort('blockedbyclient')));
  await context.routeWebSocket(
    (url) => !isAllowed(url.href),
    (ws) => {
      opened.foreignRequests.push(`WebSocket ${ws.url()}`);
      return ws.close();
    },
  );
  opened.page.on('pageerror', (error) => opened.pageErrors.push(error.stack ?? error.message));
  opened.page.on('console', (message) => {
    if (message.type() === 'error') opened.consoleErrors.push(`${message.text()} (${message.location().url})`);
  });
  return opened;
}

/**
 * Use to read what a Monaco editor shows. Monaco renders only the lines in view and reuses their
 * elements while scrolling, so lines are ordered by their position, not by document order; give
 * the page a viewport tall enough for the whole text. Spaces come back as U+00A0 and are restored.
 */
export async function monacoLines(editor: Locator): Promise<string[]> {
  return editor.evaluate((root) =>
    [...root.querySelectorAll<HTMLElement>('.view-lines .view-line')]
      .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
      .map((line) => (line.textContent ?? '').replace(/\u00a0/g, ' ')),
  );
}
