import { createGraphQLError, type Plugin } from 'graphql-yoga';

/** Options of useInputLimits. */
export interface InputLimitsOptions {
  /** Deepest nesting of `{ [ (` in a document and of lists and objects in variables and extensions (MAX_INPUT_DEPTH). @default 64 */
  maxInputDepth: number;
}

/**
 * Refuses deeply nested input before anything recursive sees it. graphql-js parses nested lists
 * and selections by recursion, graphql-armor's token counter too, and coercing or printing a
 * variable recurses through it: a list literal 2,400 deep or a variable 5,000 deep overflowed the
 * stack (a 500). Both checks here are loops, linear in the input:
 *
 * - the document's brackets are counted on its text (strings, block strings and comments
 *   skipped) before the parser runs;
 * - variables and extensions are walked with an explicit stack when the request's parameters
 *   arrive (a JSON body was parsed by V8's JSON.parse, which does not recurse).
 *
 * Refusals are OPERATION_TOO_EXPENSIVE with `extensions.limit: MAX_INPUT_DEPTH` and status 400.
 */
export function useInputLimits(options: InputLimitsOptions): Plugin {
  const refusal = (what: string) =>
    createGraphQLError(`${what} is nested deeper than ${options.maxInputDepth} levels (MAX_INPUT_DEPTH)`, {
      extensions: { code: 'OPERATION_TOO_EXPENSIVE', limit: 'MAX_INPUT_DEPTH', http: { status: 400 } },
    });
  return {
    onParams({ params, setResult }) {
      if (nestingOf(params.variables, options.maxInputDepth) > options.maxInputDepth) setResult({ errors: [refusal('`variables`')] });
      else if (nestingOf(params.extensions, options.maxInputDepth) > options.maxInputDepth)
        setResult({ errors: [refusal('`extensions`')] });
    },
    onParse({ params }) {
      if (typeof params.source === 'string' && bracketDepthOf(params.source, options.maxInputDepth) > options.maxInputDepth) {
        throw refusal('The document');
      }
    },
  };
}

/**
 * How deep lists and objects nest in a JSON value (a scalar is 0), counted with an explicit
 * stack; stops counting once past `limit`.
 */
export function nestingOf(value: unknown, limit: number): number {
  if (typeof value !== 'object' || value === null) return 0;
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    const children = Array.isArray(current) ? current : Object.values(current as Record<string, unknown>);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return deepest;
}

/**
 * How deep `{`, `[` and `(` nest in a GraphQL document, outside strings, block strings and
 * comments; stops once past `limit`. It reads characters only: a document it cannot make sense of
 * is the parser's to refuse.
 */
export function bracketDepthOf(source: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  for (let index = 0; index < source.length; index += 1) {
    const code = source.charCodeAt(index);
    if (code === 0x7b || code === 0x5b || code === 0x28) {
      depth += 1;
      if (depth > deepest && (deepest = depth) > limit) return deepest;
    } else if (code === 0x7d || code === 0x5d || code === 0x29) {
      depth -= 1;
    } else if (code === 0x23) {
      // A comment runs to the end of the line.
      while (index < source.length && source.charCodeAt(index) !== 0x0a && source.charCodeAt(index) !== 0x0d) index += 1;
    } else if (code === 0x22) {
      if (source.startsWith('"""', index)) {
        // A block string ends at the next unescaped """ (\""" is an escaped one).
        index += 3;
        while (index < source.length && !(source.startsWith('"""', index) && source.charCodeAt(index - 1) !== 0x5c)) index += 1;
        index += 2;
      } else {
        index += 1;
        while (index < source.length) {
          const inner = source.charCodeAt(index);
          if (inner === 0x5c) index += 2;
          else if (inner === 0x22 || inner === 0x0a || inner === 0x0d) break;
          else index += 1;
        }
      }
    }
  }
  return deepest;
}
