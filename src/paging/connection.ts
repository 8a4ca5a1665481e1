import { syncJobFromSwr, type SyncJobModel } from '../model/sync-job.js';
import type { SwrOrder } from '../swr/types.js';
import { jobToCursor, type CursorAnchor } from './cursor.js';
import { compareInstants, keyOf, type JobKey } from './job-order.js';
import type { PageSlice } from './page-slice.js';

/** A Relay connection over upstream jobs, as the SyncJobConnection resolvers receive it. */
export interface SyncJobConnectionModel {
  edges: Array<{ readonly cursor: string; node: SyncJobModel }>;
  nodes: SyncJobModel[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    readonly startCursor: string | null;
    readonly endCursor: string | null;
  };
  totalCount: number | null;
}

/**
 * Builds the connection for a fetched slice; each cursor names its job (id and creation instant)
 * beside its position, its order and SWR's total, so that the next page is cut by the job
 * wherever SWR has moved it. Each job is put in the schema's shape once, for `edges` and `nodes`.
 *
 * Cursors are made when read, once each: an operation that selects `nodes`, or `edges` without
 * `cursor`, pays nothing for them, and one that selects only `pageInfo.endCursor` pays for one.
 */
export function connectionFromSlice(slice: PageSlice, order: SwrOrder): SyncJobConnectionModel {
  const nodes = slice.items.map(syncJobFromSwr);
  const cursors = new PageCursors(slice, order);
  const edges = nodes.map((node, index) => new Edge(cursors, index, node));
  return {
    edges,
    nodes,
    pageInfo: new PageInfo(cursors, slice),
    totalCount: slice.total,
  };
}

class Edge {
  constructor(
    private readonly cursors: PageCursors,
    private readonly index: number,
    readonly node: SyncJobModel,
  ) {}

  get cursor(): string {
    return this.cursors.at(this.index);
  }
}

class PageInfo {
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;

  constructor(
    private readonly cursors: PageCursors,
    slice: PageSlice,
  ) {
    this.hasNextPage = slice.hasNextPage;
    this.hasPreviousPage = slice.hasPreviousPage;
  }

  get startCursor(): string | null {
    return this.cursors.count === 0 ? null : this.cursors.at(0);
  }

  get endCursor(): string | null {
    return this.cursors.count === 0 ? null : this.cursors.at(this.cursors.count - 1);
  }
}

/** The lists of a job without ties on its page (most jobs): one array for all, never changed. */
const NO_IDS: readonly number[] = Object.freeze([]);

/** The cursors of one page, each made on first use. */
class PageCursors {
  readonly count: number;
  private readonly made: Array<string | undefined>;
  private keys: readonly JobKey[] | null = null;
  /** Whether the page's instants progress in its order (then ties stand side by side); null until asked. */
  private sorted: boolean | null = null;
  /** Indexes of the page's items by creation instant (for ties). */
  private byInstant: Map<string, number[]> | null = null;

  constructor(
    private readonly slice: PageSlice,
    private readonly order: SwrOrder,
  ) {
    this.count = slice.items.length;
    this.made = new Array<string | undefined>(this.count);
  }

  at(index: number): string {
    return (this.made[index] ??= jobToCursor(this.order, this.slice.start + index, this.anchorOf(index)));
  }

  /**
   * What the cursor of item `index` says of it: its key, SWR's total, and how it cuts the other
   * jobs of its instant (see compareToAnchor), consistently with what the client was shown:
   *
   * - those of this page stand where the page shows them;
   * - the others SWR did not serve in the page stand beyond it, on the far side of the way it was
   *   read (`unlisted`: after for a page read forwards, before for one read backwards);
   * - but for the instant of the job a walk came from, the page shows jobs of one side of that
   *   job only: the cursor carries on that job's cut (its lists, less the jobs of this page, with
   *   the job itself on the side the walk came from, and its `unlisted` side), so that jobs it put
   *   before it stay before, and those it put after it and this page did not show stay after.
   */
  private anchorOf(index: number): CursorAnchor {
    const keys = (this.keys ??= this.slice.keys ?? this.slice.items.map(keyOf));
    const key = keys[index]!;
    const ties = this.tiesOf(keys, index);
    let shownBefore: readonly number[] = NO_IDS;
    let shownAfter: readonly number[] = NO_IDS;
    if (ties.length > 1) {
      const before: number[] = [];
      const after: number[] = [];
      for (const at of ties) {
        if (at < index) before.push(keys[at]!.id);
        else if (at > index) after.push(keys[at]!.id);
      }
      [shownBefore, shownAfter] = [before, after];
    }
    const { total, walk } = this.slice;
    if (!walk || walk.anchor.instant !== key.instant) {
      const unlisted = this.slice.direction === 'backward' ? 'before' : 'after';
      return { instant: key.instant, id: key.id, total, shownBefore, shownAfter, unlisted };
    }
    const { anchor, direction } = walk;
    const onPage = new Set(ties.map((at) => keys[at]!.id));
    const others = (list: readonly number[]) => list.filter((id) => !onPage.has(id));
    return {
      instant: key.instant,
      id: key.id,
      total,
      shownBefore:
        anchor.shownBefore === null
          ? null
          : [...others(anchor.shownBefore), ...(direction === 'forward' ? [anchor.id] : []), ...shownBefore],
      shownAfter:
        anchor.shownAfter === null ? null : [...shownAfter, ...(direction === 'backward' ? [anchor.id] : []), ...others(anchor.shownAfter)],
      unlisted: anchor.unlisted ?? 'after',
    };
  }

  // The indexes of the items created in the instant of item `index`, in page order. A page is in
  // the gateway's order, so they stand side by side around it; the page's instants are checked
  // to progress once (a Map of every instant's items otherwise, should a page ever not be sorted).
  private tiesOf(keys: readonly JobKey[], index: number): number[] {
    const { instant } = keys[index]!;
    if (this.sorted === null)
      this.sorted = keys.every(
        (k, at) => at === 0 || k.instant === keys[at - 1]!.instant || compareInstants(keys[at - 1]!.instant, k.instant, this.order) < 0,
      );
    if (!this.sorted) {
      if (this.byInstant === null) {
        const byInstant = (this.byInstant = new Map<string, number[]>());
        for (let at = 0; at < keys.length; at += 1) {
          const group = byInstant.get(keys[at]!.instant);
          if (group) group.push(at);
          else byInstant.set(keys[at]!.instant, [at]);
        }
      }
      return this.byInstant.get(instant)!;
    }
    let first = index;
    while (first > 0 && keys[first - 1]!.instant === instant) first -= 1;
    let last = index;
    while (last + 1 < keys.length && keys[last + 1]!.instant === instant) last += 1;
    const ties: number[] = [];
    for (let at = first; at <= last; at += 1) ties.push(at);
    return ties;
  }
}
