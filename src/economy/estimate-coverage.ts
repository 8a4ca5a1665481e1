import { getNamedType, isCompositeType, isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';
import { ESTIMATE_RULES } from './estimate-upstream-calls.js';

/**
 * Throws unless every field on the way to `Repository.syncJobs` has a rule: a field whose type
 * can reach a Repository, on a type that can reach one, must say what it does to the estimate.
 */
export function assertEstimateCoverage(schema: GraphQLSchema): void {
  const reaching = typesReachingRepository(schema);
  for (const typeName of reaching) {
    const type = schema.getType(typeName);
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${typeName}.${field.name}`;
      if (reaching.has(getNamedType(field.type).name) && !ESTIMATE_RULES[coordinate]) {
        throw new Error(
          `The upstream-call estimate has no rule for ${coordinate}, which leads to Repository.syncJobs: ` +
            'add one in estimate-upstream-calls.ts',
        );
      }
    }
  }
}

// Composite types from which Repository can be reached through fields (Repository included).
function typesReachingRepository(schema: GraphQLSchema): Set<string> {
  const reaching = new Set(['Repository']);
  const types = Object.values(schema.getTypeMap()).filter((type) => isCompositeType(type) && !type.name.startsWith('__'));
  for (let grew = true; grew;) {
    grew = false;
    for (const type of types) {
      if (reaching.has(type.name)) continue;
      const next =
        isObjectType(type) || isInterfaceType(type)
          ? Object.values(type.getFields()).map((field) => getNamedType(field.type).name)
          : schema.getPossibleTypes(type as never).map((member) => member.name);
      const abstract = isInterfaceType(type) ? schema.getPossibleTypes(type).map((member) => member.name) : [];
      if ([...next, ...abstract].some((name) => reaching.has(name))) {
        reaching.add(type.name);
        grew = true;
      }
    }
  }
  return reaching;
}
