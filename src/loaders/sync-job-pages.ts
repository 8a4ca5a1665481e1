import DataLoader from 'dataloader';
import type { Caller } from '../auth/caller.js';
import { callsFromWindows, covers, type Interval } from '../economy/window-cover.js';
import { spendUpstreamCall, type UpstreamCallReport, type UpstreamEconomy } from '../economy/upstream-economy.js';
import type { GatewayError } from '../errors.js';
import { createConcurrencyLimit } from './concurrency-limit.js';
import { CallGroup } from '../swr/call-signal.js';
import type { SwrClient, SyncJobPage } from '../swr/client.js';
import { filterFromWindow, type SwrWindow } from '../swr/filter.js';
import type { TraceParent } from '../observability/tracing-types.js';

/** One upstream page lookup: whose, which repository, which window (limit ≥ 1). */
export interface SyncJobPageKey extends SwrWindow {
  caller: Caller;
  namespace: string;
  /** '/' form. */
  repository: string;
}

/** Options of createSyncJobPageLoader. */
export interface SyncJobPageLoaderOptions {
  client: SwrClient;
  /** The bill of this operation: counts lookups and calls, and caps calls at its budget. */
  economy: UpstreamEconomy;
  /** Largest `limit` of one upstream call (SWR_MAX_LIMIT). @default 100 */
  maxLimit: number;
  /** Upstream calls of this operation in flight at once (SWR_CONCURRENCY). @default 16 */
  concurrency: number;
  /** Aborts the request's upstream calls when the caller goes away; the loader listens to it once. */
  signal?: AbortSignal;
  /** The request's id, for upstream call logs. */
  requestId?: string;
  /** With tracing on: the span its calls are part of, once the operation runs. @default none */
  trace?: () => TraceParent | undefined;
}

/** The per-request page loader. */
export interface SyncJobPageLoader {
  /** One page of a repository's jobs, as if fetched alone; shared, merged or cached where possible. */
  load(key: SyncJobPageKey): Promise<SyncJobPage>;
}

// A call made (or in flight) for a group, and the window it asked for.
interface FetchedCall extends Interval {
  page: Promise<SyncJobPage>;
}

/**
 * Creates the page loader of one request. Two layers keep the upstream bill low, and both only
 * ever span this one request, keyed by the token's hash (never the token), so no caller can be
 * served a page fetched with another caller's token:
 *
 * 1. DataLoader collects every lookup made in one tick of execution (all fields at one level of
 *    the operation, across aliases and list items) and caches each by its exact key: an identical
 *    lookup anywhere in the operation costs nothing more.
 * 2. The batch function then coalesces: within each (caller, repository, order), windows that
 *    overlap or touch become one call when their union fits in `maxLimit` (else as few calls as
 *    possible), and windows already covered by calls made earlier in the operation are sliced from
 *    those. Every window gets exactly the page a call of its own would have returned.
 *
 * Calls run concurrently, at most `concurrency` at once, and each one is charged to the budget.
 * Each lookup's page settles as soon as the calls it needs have answered: the batch hands
 * DataLoader one promise per key, which DataLoader adopts, so a fast repository never waits for
 * a slow one of the same batch, and a second call a page needs (`last` alone, the `hasNextPage`
 * probe) starts in the next batch without waiting either.
 *
 * One listener on the request's signal aborts every call in flight when the caller goes away,
 * through the loader's call group, which the calls join: a listener per call on the request's
 * own signal would pile dozens on it, and a controller per call costs more than the call's own work.
 */
export function createSyncJobPageLoader(options: SyncJobPageLoaderOptions): SyncJobPageLoader {
  const { client, economy, maxLimit, signal, requestId, trace } = options;
  const limit = createConcurrencyLimit(options.concurrency);
  const fetchedByGroup = new Map<string, FetchedCall[]>();
  // The calls' group: cancelled once when the caller goes away. Each call in flight joins it
  // (at most `concurrency` at once); the request's signal gets the group's one listener.
  let group: CallGroup | null = null;
  const callGroup = (): CallGroup | undefined => (signal ? (group ??= CallGroup.of(signal)) : undefined);

  // The page of `call`, full: an SWR that serves fewer jobs than asked while its total says more
  // follow (a server capping `limit`) is asked for the rest, each call charged to the budget.
  // Without a total a short answer is the end of the list, as it is for SWR as documented.
  async function startCall(key: SyncJobPageKey, call: Interval): Promise<SyncJobPage> {
    const page = await callOnce(key, call);
    let items = page.items;
    while (page.total !== null && items.length < call.limit && call.offset + items.length < page.total) {
      const rest = await callOnce(key, { offset: call.offset + items.length, limit: call.limit - items.length });
      if (rest.items.length === 0) break;
      items = items.concat(rest.items);
    }
    return items === page.items ? page : { ...page, items };
  }

  // Starts one upstream call for `call` of the group of `key`, charging it to the budget first.
  function callOnce(key: SyncJobPageKey, call: Interval): Promise<SyncJobPage> {
    const window = { order: key.order, offset: call.offset, limit: call.limit };
    const report: UpstreamCallReport = {
      namespace: key.namespace,
      repository: key.repository,
      filter: filterFromWindow(window),
      status: null,
      durationMs: 0,
    };
    try {
      spendUpstreamCall(economy, report);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return limit(async () => {
      const startedAt = performance.now();
      const calls = callGroup();
      const parent = trace?.();
      try {
        const page = await client.listSyncJobs({
          token: key.caller.token,
          callerKey: key.caller.tokenHash,
          namespace: key.namespace,
          repository: key.repository,
          ...window,
          ...(calls ? { signal: calls } : {}),
          ...(requestId ? { requestId } : {}),
          ...(parent !== undefined ? { trace: parent } : {}),
        });
        report.status = 200;
        return page;
      } catch (error) {
        report.status = (error as Partial<GatewayError>).upstream?.status ?? null;
        throw error;
      } finally {
        report.durationMs = Math.round((performance.now() - startedAt) * 10) / 10;
      }
    });
  }

  // Plans and starts the calls of one group's windows; returns each window's page, in order.
  function pagesForGroup(keys: readonly SyncJobPageKey[]): Array<Promise<SyncJobPage>> {
    const groupKey = groupKeyOf(keys[0]!);
    const fetched = fetchedByGroup.get(groupKey) ?? [];
    fetchedByGroup.set(groupKey, fetched);
    const earlier = new Set(fetched);
    for (const call of callsFromWindows(keys, maxLimit, fetched)) {
      fetched.push({ ...call, page: startCall(keys[0]!, call) });
    }
    for (const key of keys) {
      const used = fetched.filter((call) => overlaps(call, key));
      const shared = used.some((call) => earlier.has(call) || keys.some((other) => other !== key && overlaps(call, other)));
      if (shared) economy.coalesced += 1;
    }
    return keys.map((key) => pageFromCalls(key, fetched));
  }

  const loader = new DataLoader<SyncJobPageKey, SyncJobPage, string>(
    (keys) => {
      economy.windows += keys.length;
      const groups = new Map<string, number[]>();
      keys.forEach((key, index) => {
        const group = groupKeyOf(key);
        const indexes = groups.get(group);
        if (indexes) indexes.push(index);
        else groups.set(group, [index]);
      });
      const pages = new Array<Promise<SyncJobPage>>(keys.length);
      for (const indexes of groups.values()) {
        const groupPages = pagesForGroup(indexes.map((index) => keys[index]!));
        for (const [position, index] of indexes.entries()) pages[index] = groupPages[position]!;
      }
      // One result per key, in key order: each key's own page promise, which DataLoader adopts
      // (a key settles when its page does, and a failed page fails its key alone). DataLoader's
      // types know values only, hence the cast.
      return Promise.resolve(pages as unknown as SyncJobPage[]);
    },
    { cacheKeyFn: syncJobPageKeyToString },
  );

  return {
    load(key) {
      economy.lookups += 1;
      return loader.load(key);
    },
  };
}

/** The cache key of a lookup: token hash, repository, order and window. */
export function syncJobPageKeyToString(key: SyncJobPageKey): string {
  return `${groupKeyOf(key)}|${key.offset}|${key.limit}`;
}

// Lookups that may share calls: same caller, repository and order.
function groupKeyOf(key: SyncJobPageKey): string {
  return `${key.caller.tokenHash}|${key.namespace}|${key.repository}|${key.order}`;
}

function overlaps(a: Interval, b: Interval): boolean {
  return a.offset < b.offset + b.limit && b.offset < a.offset + a.limit;
}

/**
 * The page of `window` cut from the calls that cover it: from the one call that holds it whole
 * (callsFromWindows plans one for every window that fits), else, for a window wider than one
 * call, items from consecutive calls until the window is full or a call came back short (the
 * list ended there). The total is SWR's, from the first call used.
 */
async function pageFromCalls(window: Interval, calls: readonly FetchedCall[]): Promise<SyncJobPage> {
  const whole = calls.find((call) => covers(call, window));
  if (whole) {
    const page = await whole.page;
    const skip = window.offset - page.offset;
    return { offset: window.offset, items: page.items.slice(skip, skip + window.limit), total: page.total, requestId: page.requestId };
  }
  const end = window.offset + window.limit;
  const items: SyncJobPage['items'] = [];
  let total: number | null = null;
  let requestId: string | null = null;
  let first = true;
  for (let position = window.offset; position < end;) {
    const call = calls.find((candidate) => candidate.offset <= position && position < candidate.offset + candidate.limit);
    if (!call) throw new Error(`no call covers position ${position}`);
    const page = await call.page;
    if (first) {
      [total, requestId, first] = [page.total, page.requestId, false];
    }
    const available = page.offset + page.items.length;
    const upTo = Math.min(end, available);
    if (position < upTo) items.push(...page.items.slice(position - page.offset, upTo - page.offset));
    if (available < call.offset + call.limit) break;
    position = call.offset + call.limit;
  }
  return { offset: window.offset, items, total: total ?? null, requestId };
}
