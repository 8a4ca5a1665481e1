import { InvalidInputError } from '../../errors.js';
import type { QueryResolvers } from '../../generated/resolvers-types.js';
import { MAX_REPOSITORY_REFS } from '../../model/limits.js';
import type { RepositoryKey } from '../../model/repository-key.js';
import { repositoryKeyFrom } from './repository.js';

/**
 * Root fields. They only validate names: SWR has no "get repository" call here, so a repository
 * costs an upstream call only when its `syncJobs` is selected (an unknown one is NOT_FOUND there).
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
};
