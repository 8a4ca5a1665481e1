import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { readFileSync, statSync } from 'node:fs';
import { Kind, OperationTypeNode, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { ConfigError } from '../config-values.js';
import type { OperationLimitsOptions } from '../graphql/plugins/use-operation-limits.js';

/** Documents one file may hold. */
export const MAX_PERSISTED_DOCUMENTS = 10_000;
/** Largest persisted documents file read (bytes). */
const MAX_FILE_BYTES = 32 * 1024 * 1024;
const ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The documents of a PERSISTED_DOCUMENTS file: id → text. */
export type PersistedDocumentMap = ReadonlyMap<string, string>;

/**
 * Reads PERSISTED_DOCUMENTS: Relay's format (`{ "<id>": "<text>" }`, what relay-compiler writes
 * with `persistConfig: { file }`) or Apollo's persisted query manifest (`{ "format":
 * "apollo-persisted-query-manifest", "version": 1, "operations": [{ id, name, type, body }] }`),
 * told apart by their content. Every document must parse and validate against the schema within
 * the operation limits (graphql-armor's depth and alias rules and graphql-js's token limit, the
 * same limits each run is held to): the first that does not stops start-up (a ConfigError naming
 * it), as does a file that is neither. (The upstream-call budget depends on each run's variables,
 * so it is checked when a document runs.)
 */
export function loadPersistedDocuments(path: string, schema: GraphQLSchema, limits: OperationLimitsOptions): PersistedDocumentMap {
  const rules = [...specifiedRules, maxDepthRule({ n: limits.maxDepth }), maxAliasesRule({ n: limits.maxAliases })];
  const refuse = (expected: string, received: string): never => {
    throw new ConfigError('PERSISTED_DOCUMENTS', expected, received);
  };
  let text: string;
  try {
    // A regular file only: a FIFO or a device would hold start-up for ever.
    if (!statSync(path).isFile()) return refuse('a regular file', path);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return refuse('a readable file', `${path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  if (text.length > MAX_FILE_BYTES) refuse(`a file of at most ${MAX_FILE_BYTES} bytes`, path);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return refuse("JSON: Relay's persisted queries or Apollo's persisted query manifest", `${path} (not JSON)`);
  }
  const entries =
    entriesOf(parsed) ?? refuse("Relay's { id: text } or Apollo's persisted query manifest (format, version 1, operations)", path);
  if (entries.length > MAX_PERSISTED_DOCUMENTS) refuse(`at most ${MAX_PERSISTED_DOCUMENTS} documents`, `${path} (${entries.length})`);
  const documents = new Map<string, string>();
  for (const [id, body] of entries) {
    if (!ID.test(id)) refuse('document ids of 1 to 128 characters of A-Z a-z 0-9 . _ : -', `${path}: ${id.slice(0, 140)}`);
    if (documents.has(id)) refuse('each id once', `${path}: ${id} twice`);
    let problem: string | null;
    try {
      const document = parse(body, { maxTokens: limits.maxTokens });
      const errors = validate(schema, document, rules);
      if (errors.length > 0) problem = errors[0]!.message;
      else problem = unservedOperation(document);
    } catch (error) {
      problem = (error as Error).message;
    }
    if (problem !== null) refuse('documents that validate against the schema within the limits', `${path}: document ${id}: ${problem}`);
    documents.set(id, body);
  }
  return documents;
}

// graphql-js validates a mutation against a schema without a Mutation type; the gateway serves none.
function unservedOperation(document: DocumentNode): string | null {
  const mutation = document.definitions.find(
    (definition) => definition.kind === Kind.OPERATION_DEFINITION && definition.operation === OperationTypeNode.MUTATION,
  );
  return mutation ? 'This gateway serves no mutation operations.' : null;
}

// The (id, text) pairs of either format, or null for anything else.
function entriesOf(parsed: unknown): Array<[string, string]> | null {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const record = parsed as Record<string, unknown>;
  if (record.format === 'apollo-persisted-query-manifest') {
    if (record.version !== 1 || !Array.isArray(record.operations)) return null;
    const entries: Array<[string, string]> = [];
    for (const operation of record.operations as unknown[]) {
      const { id, body } = (operation ?? {}) as { id?: unknown; body?: unknown };
      if (typeof id !== 'string' || typeof body !== 'string') return null;
      entries.push([id, body]);
    }
    return entries;
  }
  const entries = Object.entries(record);
  return entries.every((entry): entry is [string, string] => typeof entry[1] === 'string') ? entries : null;
}
