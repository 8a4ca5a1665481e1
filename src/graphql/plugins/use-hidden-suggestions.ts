import { handleStreamOrSingleExecutionResult, isAsyncIterable, type Plugin } from 'graphql-yoga';
import { GraphQLError, type ExecutionResult } from 'graphql';

// graphql-js ends a message with one of these when a name is close to one the schema has:
// ` Did you mean "repository"?`, ` Did you mean the enum value "ASC"?`,
// ` Did you mean to use an inline fragment on "Repository"?`. Names never hold a `?`.
const SUGGESTION = / ?Did you mean [^?]*\?/g;

function withoutSuggestion(error: GraphQLError): GraphQLError {
  if (!error.message.includes('Did you mean')) return error;
  return new GraphQLError(error.message.replace(SUGGESTION, ''), {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: error.extensions,
  });
}

function resultWithoutSuggestions(result: ExecutionResult): ExecutionResult | undefined {
  if (!result.errors?.some((error) => error.message.includes('Did you mean'))) return undefined;
  return { ...result, errors: result.errors.map(withoutSuggestion) };
}

/**
 * With introspection off, graphql-js's "Did you mean …?" hints would still spell the schema's
 * field, argument, type and enum names to anyone who guesses near them. This cuts them from
 * validation errors and from execution's (a variable's value coerced against an enum), over HTTP
 * and WebSocket alike (both run through the envelop hooks).
 */
export function useHiddenSuggestions(): Plugin {
  return {
    onValidate() {
      return ({ result, setResult }) => {
        const errors = result as readonly GraphQLError[];
        if (errors.some((error) => error.message.includes('Did you mean'))) setResult(errors.map(withoutSuggestion));
      };
    },
    onExecute() {
      return {
        onExecuteDone(payload) {
          return handleStreamOrSingleExecutionResult(payload, ({ result, setResult }) => {
            const cut = resultWithoutSuggestions(result);
            if (cut) setResult(cut);
          });
        },
      };
    },
    onSubscribe() {
      return {
        onSubscribeResult({ result, setResult }) {
          if (isAsyncIterable(result)) return;
          const cut = resultWithoutSuggestions(result);
          if (cut) setResult(cut);
        },
      };
    },
  };
}
