import { readdirSync, readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { parse, type GraphQLSchema } from 'graphql';
import { resolvers } from './resolvers/index.js';

// schema/ sits beside src/ and dist/, so one level up from either.
const SCHEMA_DIRECTORY = new URL('../schema/', import.meta.url);

/** The SDL of schema/ (the source of truth): every .graphql file, in name order, as one document. */
export function loadTypeDefs(): string {
  return readdirSync(SCHEMA_DIRECTORY)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => readFileSync(new URL(file, SCHEMA_DIRECTORY), 'utf8'))
    .join('\n');
}

/**
 * Builds the executable schema once, at start-up, as an Apollo Federation v2 subgraph
 * (`_service { sdl }`, `_entities`, `Repository.__resolveReference`) with @apollo/subgraph.
 */
export function createSchema(): GraphQLSchema {
  return buildSubgraphSchema([{ typeDefs: parse(loadTypeDefs()), resolvers: resolvers as GraphQLResolverMap<unknown> }]);
}
