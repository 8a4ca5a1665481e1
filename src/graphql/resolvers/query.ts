import { InvalidInputError } from '../../errors.js';
import type { NodeResolvers, QueryResolvers } from '../../generated/resolvers-types.js';
import { MAX_NODE_IDS, MAX_REPOSITORY_REFS } from '../../model/limits.js';
import { nodeRefFromId } from '../../model/node-id.js';
import type { RepositoryKey } from '../../model/repository-key.js';
import { repositoryKeyFrom } from './repository.js';

/**
 * Root fields. They only validate names and ids: SWR has no "get repository" call here, so a
 * repository costs an upstream call only when its `syncJobs` is selected (an unknown one is
 * NOT_FOUND there).
 */
export const queryResolvers: QueryResolvers = {
  repository(_root, { namespace, name }) {
    return repositoryKeyFrom(namespace, name);
  },
  repositories(_root, { refs }) {
    if (refs.length > MAX_REPOSITORY_REFS) {
      throw new InvalidInputError(`\`refs\` holds at most ${MAX_REPOSITORY_REFS} repositories, received ${refs.length}`);
    }
    // An invalid ref is an error at its own index; the other refs still resolve. graphql-js
    // completes an Error list item as a field error (null plus an error with its path); the
    // generated types cannot say so, hence the cast.
    return refs.map((ref) => {
      try {
        return repositoryKeyFrom(ref.namespace, ref.name);
      } catch (error) {
        return error as RepositoryKey;
      }
    });
  },
  node(_root, { id }) {
    return nodeFromId(id);
  },
  nodes(_root, { ids }) {
    if (ids.length > MAX_NODE_IDS) throw new InvalidInputError(`\`ids\` holds at most ${MAX_NODE_IDS} ids, received ${ids.length}`);
    // As for `repositories`: a refused id fails at its own index.
    return ids.map((id) => {
      try {
        return nodeFromId(id);
      } catch (error) {
        return error as RepositoryKey;
      }
    });
  },
};

/** Every Node this gateway serves is a Repository (`node` answers null for other types). */
export const nodeResolvers: NodeResolvers = {
  __resolveType: () => 'Repository',
};

// The object a global id names: a validated repository, or null for a type this gateway does not serve.
function nodeFromId(id: string): RepositoryKey | null {
  const ref = nodeRefFromId(id);
  return ref.type === 'Repository' ? repositoryKeyFrom(ref.key.namespace, ref.key.name) : null;
}
