import { readdirSync, readFileSync } from 'node:fs';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { resolvers } from './resolvers/index.js';

// schema/ sits beside src/ and dist/, so one level up from either.
const SCHEMA_DIRECTORY = new URL('../schema/', import.meta.url);

/** The SDL files of schema/ (the source of truth), in name order. */
export function loadTypeDefs(): string[] {
  return readdirSync(SCHEMA_DIRECTORY)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => readFileSync(new URL(file, SCHEMA_DIRECTORY), 'utf8'));
}

/** Builds the executable schema once, at start-up. */
export function createSchema(): GraphQLSchema {
  return makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers });
}
