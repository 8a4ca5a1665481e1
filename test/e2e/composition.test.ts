import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a JavaScript example without type declarations
import { composeSupergraph } from '../../examples/supergraph/compose.mjs';
import { loadTypeDefs } from '../../src/graphql/schema.js';

const compose = composeSupergraph as (options: {
  swrTypeDefs: string;
  swrUrl?: string;
  catalogUrl?: string;
  extraSubgraphs?: Array<{ name: string; typeDefs: string; url: string }>;
}) => string;

const sdl = loadTypeDefs();

describe('composition into a supergraph', () => {
  it('composes schema/ with the example catalog subgraph without errors', () => {
    const supergraph = compose({ swrTypeDefs: sdl });
    expect(supergraph).toMatch(
      new RegExp(
        /type Repository implements Node\s+@join__type\(graph: CATALOG, key: "namespace name"\)\s+/.source +
          /@join__type\(graph: SWR, key: "namespace name"\)\s+@join__implements\(graph: SWR, interface: "Node"\)/.source,
      ),
    );
    // Relay's object identification comes from the swr subgraph alone.
    expect(supergraph).toMatch(/node\(id: ID!\): Node @join__field\(graph: SWR\)/);
    expect(supergraph).toMatch(/nodes\(ids: \[ID!\]!\): \[Node\]! @join__field\(graph: SWR\)/);
    expect(supergraph).toMatch(/interface Node @join__type\(graph: SWR\)/);
    expect(supergraph).toMatch(/syncJobs\([\s\S]*?\): SyncJobConnection @join__field\(graph: SWR\)/);
    expect(supergraph).toMatch(/description: String @join__field\(graph: CATALOG\)/);
  });

  it('matches the committed examples/supergraph/supergraph.graphql (run `npm run supergraph`)', () => {
    const committed = readFileSync(new URL('../../examples/supergraph/supergraph.graphql', import.meta.url), 'utf8');
    expect(committed.split('\n').slice(1).join('\n').trim()).toBe(compose({ swrTypeDefs: sdl }).trim());
  });

  it('refuses a third subgraph that also defines Query.node (only one subgraph may own Relay object identification)', () => {
    const other = `
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
      interface Node { id: ID! }
      type Query { node(id: ID!): Node }
      type Team implements Node @key(fields: "id") { id: ID! name: String! }
    `;
    expect(() => compose({ swrTypeDefs: sdl, extraSubgraphs: [{ name: 'teams', typeDefs: other, url: 'http://teams/graphql' }] })).toThrow(
      /Query\.node/,
    );
  });

  it('composes beside a third subgraph with its own shareable PageInfo and SortOrder', () => {
    const other = `
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])
      type Query { owners(order: SortOrder = ASC): OwnerConnection! }
      enum SortOrder { ASC DESC }
      type OwnerConnection { nodes: [Repository!]! pageInfo: PageInfo! }
      type PageInfo @shareable { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }
      type Repository @key(fields: "namespace name") { namespace: String! name: String! owners: [String!]! }
    `;
    expect(() =>
      compose({ swrTypeDefs: sdl, extraSubgraphs: [{ name: 'owners', typeDefs: other, url: 'http://owners/graphql' }] }),
    ).not.toThrow();
  });

  it.each([
    ['PageInfo loses @shareable', (text: string) => text.replace('type PageInfo @shareable', 'type PageInfo')],
    [
      'a key field changes type',
      (text: string) => text.replace(/(type Repository [^{]*@key[^{]*\{[\s\S]*?)namespace: String!/, '$1namespace: Int!'),
    ],
    ['the Repository key changes', (text: string) => text.replace('@key(fields: "namespace name")', '@key(fields: "nonexistent")')],
    ['the federation link is dropped', (text: string) => text.replace(/extend schema @link[^\n]*\n/, '')],
  ])('fails when the SDL stops composing: %s', (_label, mutate) => {
    const broken = mutate(sdl);
    expect(broken).not.toBe(sdl);
    expect(() => compose({ swrTypeDefs: broken })).toThrow(/Composition failed/);
  });
});
