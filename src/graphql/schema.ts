import { readdirSync, readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { defaultFieldResolver, isUnionType, parse, type GraphQLSchema } from 'graphql';
import { InvalidInputError } from '../errors.js';
import { MAX_ENTITY_REPRESENTATIONS } from '../model/limits.js';
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
 * `_entities` is checked before @apollo/subgraph sees it, each refusal BAD_USER_INPUT: more than
 * MAX_ENTITY_REPRESENTATIONS representations (each costs a resolver, and an invalid one an
 * error: 18,000 of them in one body held the process for seconds), and a representation whose
 * `__typename` is not an entity of this subgraph (`_Entity`'s members: Repository). An unknown
 * name would make @apollo/subgraph throw an unexpected error, and an interface (`Node`) would be
 * resolved to a Repository behind the upstream-call estimate's back, which counts Repository
 * representations.
 */
function refuseUnknownEntityTypes(schema: GraphQLSchema): void {
  const field = schema.getQueryType()?.getFields()['_entities'];
  if (!field) return;
  const union = schema.getType('_Entity');
  const entities = new Set(isUnionType(union) ? union.getTypes().map((type) => type.name) : []);
  const resolve = field.resolve ?? defaultFieldResolver;
  field.resolve = (source, args: { representations?: unknown }, context, info) => {
    const representations = Array.isArray(args.representations) ? args.representations : [];
    if (representations.length > MAX_ENTITY_REPRESENTATIONS) {
      throw new InvalidInputError(
        `_entities resolves at most ${MAX_ENTITY_REPRESENTATIONS} representations at once; got ${representations.length}`,
      );
    }
    representations.forEach((representation: unknown, index) => {
      const typename = (representation as { __typename?: unknown } | null)?.__typename;
      if (typeof typename !== 'string' || !entities.has(typename)) {
        const shown = typeof typename === 'string' ? JSON.stringify(typename) : 'no __typename';
        throw new InvalidInputError(`representations[${index}] has ${shown}: this subgraph resolves Repository entities`);
      }
    });
    return resolve(source, args, context, info);
  };
}
