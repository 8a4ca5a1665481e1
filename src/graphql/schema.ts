import { readdirSync, readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { defaultFieldResolver, isInterfaceType, isObjectType, parse, type GraphQLSchema } from 'graphql';
import { InvalidInputError } from '../errors.js';
import { resolvers } from './resolvers/index.js';

// schema/ sits beside src/ and dist/, so two levels up from src/graphql/ or dist/graphql/.
const SCHEMA_DIRECTORY = new URL('../../schema/', import.meta.url);

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
  const schema = buildSubgraphSchema([{ typeDefs: parse(loadTypeDefs()), resolvers: resolvers as GraphQLResolverMap<unknown> }]);
  refuseUnknownEntityTypes(schema);
  return schema;
}

/**
 * `_entities` with a representation whose `__typename` names no object or interface type is
 * refused as BAD_USER_INPUT before @apollo/subgraph sees it (it would throw an unexpected error,
 * shown to the caller only as "Unexpected error.").
 */
function refuseUnknownEntityTypes(schema: GraphQLSchema): void {
  const field = schema.getQueryType()?.getFields()['_entities'];
  if (!field) return;
  const resolve = field.resolve ?? defaultFieldResolver;
  field.resolve = (source, args: { representations?: unknown }, context, info) => {
    const representations = Array.isArray(args.representations) ? args.representations : [];
    representations.forEach((representation: unknown, index) => {
      const typename = (representation as { __typename?: unknown } | null)?.__typename;
      const type = typeof typename === 'string' ? schema.getType(typename) : undefined;
      if (!isObjectType(type) && !isInterfaceType(type)) {
        const shown = typeof typename === 'string' ? JSON.stringify(typename) : 'no __typename';
        throw new InvalidInputError(`representations[${index}] has ${shown}: this subgraph resolves Repository entities`);
      }
    });
    return resolve(source, args, context, info);
  };
}
