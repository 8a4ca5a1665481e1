import { GraphQLError, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Options of useSchemaGuards. */
export interface SchemaGuardsOptions {
  /** Whether `_service { sdl }` is served (FEDERATION_SERVICE_SDL, which follows INTROSPECTION). */
  serviceSdl: boolean;
}

/**
 * Validation rules for what the schema alone does not refuse (graphql-js 16 validates a mutation
 * against a schema without a Mutation type, and only execution says no, without a code):
 *
 * - an operation whose type the schema has no root for (mutation; subscription where there is
 *   none) is a validation error, as graphql-js 17's KnownOperationTypesRule makes it;
 * - `_service` is refused when FEDERATION_SERVICE_SDL is off: it is the whole schema as SDL, so
 *   INTROSPECTION=false would otherwise not hide the schema at all.
 *
 * Both become GRAPHQL_VALIDATION_FAILED with status 400, as every validation error does.
 */
export function useSchemaGuards(options: SchemaGuardsOptions): Plugin {
  const knownOperationTypes: ValidationRule = (context) => ({
    OperationDefinition(node) {
      if (!context.getSchema().getRootType(node.operation)) {
        context.reportError(new GraphQLError(`This gateway serves no ${node.operation} operations.`, { nodes: node }));
      }
    },
  });
  const noServiceSdl: ValidationRule = (context) => ({
    Field(node) {
      if (node.name.value === '_service' && context.getParentType() === context.getSchema().getQueryType()) {
        context.reportError(
          new GraphQLError(
            'The federation SDL (_service) is not served here (FEDERATION_SERVICE_SDL=false); compose from the published schema instead.',
            { nodes: node },
          ),
        );
      }
    },
  });
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(knownOperationTypes);
      if (!options.serviceSdl) addValidationRule(noServiceSdl);
    },
  };
}
