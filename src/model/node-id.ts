import { InvalidInputError } from '../errors.js';
import type { RepositoryKey } from './repository-key.js';

/**
 * Global object ids (Relay's object identification): base64url of `{Type}:{local id}`, today
 * `Repository:{namespace}:{name}` (neither may hold a `:`). Opaque to clients, decoded without
 * any upstream call. Sync job ids are SWR's integers and never look like these.
 */
const REPOSITORY = 'Repository';
const MAX_ID_LENGTH = 512;

/** What a global id names. */
export type NodeRef = { type: 'Repository'; key: RepositoryKey } | { type: 'unknown'; typeName: string };

/** The global id of a repository. */
export function repositoryToNodeId(repository: RepositoryKey): string {
  return Buffer.from(`${REPOSITORY}:${repository.namespace}:${repository.name}`, 'utf8').toString('base64url');
}

/**
 * What a global id names; throws BAD_USER_INPUT for an id the gateway did not issue. The
 * repository's names are not checked here (the caller validates them as for `repository`).
 */
export function nodeRefFromId(id: string): NodeRef {
  const decoded = id.length <= MAX_ID_LENGTH ? Buffer.from(id, 'base64url').toString('utf8') : '';
  const match = /^([A-Za-z_][A-Za-z0-9_]*):(.*)$/s.exec(decoded);
  if (!match || Buffer.from(decoded, 'utf8').toString('base64url') !== id) {
    throw new InvalidInputError(`Invalid node id ${JSON.stringify(id.slice(0, 80))}: it was not issued by this gateway`);
  }
  const [, typeName, local] = match as unknown as [string, string, string];
  if (typeName !== REPOSITORY) return { type: 'unknown', typeName };
  const separator = local.indexOf(':');
  if (separator < 0) throw new InvalidInputError(`Invalid node id ${JSON.stringify(id.slice(0, 80))}: it was not issued by this gateway`);
  return { type: 'Repository', key: { namespace: local.slice(0, separator), name: local.slice(separator + 1) } };
}
