import { describe, expect, it } from 'vitest';
import { positionToCursor } from '../../src/paging/cursor.js';
import { useStack } from '../support/stack.js';

// Cursors of demo/nginx (47 jobs) by position, as the gateway issues them.
const desc = (position: number) => JSON.stringify(positionToCursor('desc', position));
const jobs = (repo: string, args: string) =>
  `repository(namespace: "demo", name: "${repo}") { syncJobs(${args}) ` +
  '{ totalCount nodes { id tag } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }';

// Each shape: top-level aliased selections, and exactly the calls SWR must see (sorted).
const shapes: Array<[string, string[], string[]]> = [
  ['the same page twice', [jobs('nginx', 'first: 10'), jobs('nginx', 'first: 10')], ['nginx limit::10|offset::0|order::desc']],
  ['a page inside a larger one', [jobs('nginx', 'first: 10'), jobs('nginx', 'first: 20')], ['nginx limit::20|offset::0|order::desc']],
  [
    'touching pages',
    [jobs('nginx', 'first: 10'), jobs('nginx', `first: 10, after: ${desc(9)}`)],
    ['nginx limit::20|offset::0|order::desc'],
  ],
  [
    'overlapping pages',
    [jobs('nginx', `first: 10, after: ${desc(4)}`), jobs('nginx', `first: 10, after: ${desc(9)}`)],
    ['nginx limit::15|offset::5|order::desc'],
  ],
  [
    'a backward page meeting a forward page',
    [jobs('nginx', `last: 5, before: ${desc(20)}`), jobs('nginx', `first: 5, after: ${desc(19)}`)],
    ['nginx limit::10|offset::15|order::desc'],
  ],
  [
    'pages with a gap stay apart',
    [jobs('nginx', 'first: 5'), jobs('nginx', `first: 5, after: ${desc(9)}`)],
    ['nginx limit::5|offset::0|order::desc', 'nginx limit::5|offset::10|order::desc'],
  ],
  [
    'pages too large to merge into one call: a call each, each page from one answer',
    [jobs('nginx', 'first: 100'), jobs('nginx', `first: 50, after: ${desc(79)}`)],
    ['nginx limit::100|offset::0|order::desc', 'nginx limit::50|offset::80|order::desc'],
  ],
  [
    'a chain of three pages',
    [jobs('nginx', 'first: 40'), jobs('nginx', `first: 40, after: ${desc(39)}`), jobs('nginx', `first: 20, after: ${desc(79)}`)],
    ['nginx limit::100|offset::0|order::desc'],
  ],
  [
    'both orders stay apart',
    [jobs('nginx', 'first: 10'), jobs('nginx', 'first: 10, order: ASC')],
    ['nginx limit::10|offset::0|order::asc', 'nginx limit::10|offset::0|order::desc'],
  ],
  [
    'mixed repositories',
    [jobs('nginx', 'first: 5'), jobs('redis', 'first: 5'), jobs('nginx', 'first: 10'), jobs('team/api', 'first: 2, order: ASC')],
    ['nginx limit::10|offset::0|order::desc', 'redis limit::5|offset::0|order::desc', 'team/api limit::2|offset::0|order::asc'],
  ],
  [
    'repositories refs beside single repositories',
    [
      'repositories(refs: [{ namespace: "demo", name: "nginx" }, { namespace: "demo", name: "redis" }, ' +
        '{ namespace: "demo", name: "nginx" }]) { name syncJobs(first: 3) { totalCount nodes { id } } }',
      jobs('nginx', 'first: 6'),
    ],
    ['nginx limit::6|offset::0|order::desc', 'redis limit::3|offset::0|order::desc'],
  ],
  [
    'last alone beside first: the head is shared',
    [jobs('nginx', 'last: 5'), jobs('nginx', 'first: 5')],
    // The tail is read with a margin of 10 each side, beyond the list's end too.
    ['nginx limit::25|offset::32|order::desc', 'nginx limit::5|offset::0|order::desc'],
  ],
  ['an empty page beside a page', [jobs('nginx', 'first: 0'), jobs('nginx', 'first: 10')], ['nginx limit::10|offset::0|order::desc']],
  [
    'a nested lookup inside an earlier page costs nothing',
    [
      'repository(namespace: "demo", name: "nginx") ' +
        '{ syncJobs(first: 10) { nodes { id repository { syncJobs(first: 5) { totalCount nodes { id } } } } } }',
    ],
    ['nginx limit::10|offset::0|order::desc'],
  ],
  [
    'a nested lookup past an earlier page asks for its whole page (never stitched from two answers)',
    [
      'repository(namespace: "demo", name: "redis") ' +
        '{ syncJobs(first: 3) { nodes { id repository { syncJobs(first: 8) { nodes { id } } } } } }',
    ],
    ['redis limit::3|offset::0|order::desc', 'redis limit::8|offset::0|order::desc'],
  ],
];

const operation = (selections: string[]) => `{ ${selections.map((selection, index) => `s${index}: ${selection}`).join('\n')} }`;

const stack = useStack({ inMemory: true });

const recordedCalls = () => stack.simulator.requests.map((request) => `${request.repository} ${request.filter}`).sort();

describe('window coalescing', () => {
  it.each(shapes)('%s costs exactly the minimum calls, with the results of separate calls', async (_label, selections, calls) => {
    const together = await stack.query(operation(selections));
    expect(together.errors).toBeUndefined();
    expect(recordedCalls()).toEqual(calls);

    // Each selection alone, in its own operation, must answer exactly the same.
    for (const [index, selection] of selections.entries()) {
      const alone = await stack.query(operation([selection]).replace('s0:', `s${index}:`));
      expect(together.data[`s${index}`]).toEqual(alone.data[`s${index}`]);
    }
  });
});

describe('the upstream report', () => {
  it('shows calls, deduplicated lookups and coalesced windows with X-Debug-Upstream: 1', async () => {
    const response = await stack.query(operation([jobs('nginx', 'first: 10'), jobs('nginx', 'first: 20'), jobs('nginx', 'first: 10')]), {
      token: 'secret-token-123',
      headers: { 'x-debug-upstream': '1' },
    });
    expect(response.extensions).toEqual({
      upstream: {
        calls: 1,
        lookups: 3,
        deduplicated: 1,
        windows: 2,
        coalesced: 2,
        budget: 50,
        requests: [
          {
            namespace: 'demo',
            repository: 'nginx',
            filter: 'limit::20|offset::0|order::desc',
            status: 200,
            durationMs: expect.any(Number),
          },
        ],
      },
    });
    expect(JSON.stringify(response)).not.toContain('secret-token-123');
  });

  it('reports failed calls with their status', async () => {
    stack.simulator.addFault({ repository: 'redis', status: 503 });
    const response = await stack.query(operation([jobs('redis', 'first: 1')]), { headers: { 'x-debug-upstream': '1' } });
    expect((response.extensions as any).upstream.requests).toEqual([expect.objectContaining({ repository: 'redis', status: 503 })]);
  });

  it('is absent without the header', async () => {
    const response = await stack.query(operation([jobs('nginx', 'first: 1')]));
    expect(response.extensions).toBeUndefined();
  });
});
