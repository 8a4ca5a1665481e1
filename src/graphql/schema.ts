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
 * error: 18,000 of them in one body held the process for seconds), and, at its own index, a
 * representation whose `__typename` is not an entity of this subgraph (`_Entity`'s members:
 * Repository), which @apollo/subgraph then never sees. An unknown
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
    const refused = new Map<number, InvalidInputError>();
    representations.forEach((representation: unknown, index) => {
      const typename = (representation as { __typename?: unknown } | null)?.__typename;
      if (typeof typename !== 'string' || !entities.has(typename)) {
        const shown = typeof typename === 'string' ? JSON.stringify(typename) : 'no __typename';
        refused.set(index, new InvalidInputError(`representations[${index}] has ${shown}: this subgraph resolves Repository entities`));
      }
    });
    if (refused.size === 0) return settled(resolve(source, args, context, info));
    // Each refused one fails at its own index, as a rejected item (marked handled, so it cannot
    // end the process if nothing reads it); the others resolve as a list of their own, put back
    // in place.
    const kept = representations.filter((_representation: unknown, index) => !refused.has(index));
    const rejected = (error: InvalidInputError) => {
      const item = Promise.reject(error);
      item.catch(() => {});
      return item;
    };
    const merge = (resolved: unknown) => {
      const list: unknown[] = Array.isArray(resolved) ? resolved : [];
      let next = 0;
      return settled(
        representations.map((_representation: unknown, index) => {
          const error = refused.get(index);
          return error === undefined ? list[next++] : rejected(error);
        }),
      );
    };
    const resolved: unknown = kept.length === 0 ? [] : resolve(source, { ...args, representations: kept }, context, info);
    return resolved instanceof Promise ? resolved.then(merge) : merge(resolved);
  };
}

/**
 * A list of entities handed over once every item has settled: graphql-jit (0.8) drops the last
 * items of a list when a later item rejects before an earlier one resolves (`[slow, rejected]`
 * came out as `[slow]`); items already settled are read in order.
 */
function settled(items: unknown): unknown {
  if (items instanceof Promise) return items.then(settled);
  if (!Array.isArray(items)) return items;
  const list: unknown[] = items;
  if (!list.some((item) => item instanceof Promise)) return list;
  return Promise.allSettled(list).then(() => list);
}
