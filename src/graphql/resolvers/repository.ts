import { requireCaller } from '../../auth/caller.js';
import { InvalidInputError } from '../../errors.js';
import type { RepositoryResolvers } from '../../generated/resolvers-types.js';
import { repositoryToNodeId } from '../../model/node-id.js';
import type { RepositoryKey } from '../../model/repository-key.js';
import { connectionFromSlice } from '../../paging/connection.js';
import { pagePlanFromArgs } from '../../paging/page-plan.js';
import { sliceFromPlan } from '../../paging/page-slice.js';
import { namespaceProblem, repositoryNameProblem } from '../../swr/names.js';

/** Validates an organization and repository name (SWR's rules); throws BAD_USER_INPUT. */
export function repositoryKeyFrom(namespace: string, name: string): RepositoryKey {
  const namespaceIssue = namespaceProblem(namespace);
  if (namespaceIssue) throw new InvalidInputError(`Invalid namespace ${JSON.stringify(namespace)}: ${namespaceIssue}`);
  const nameIssue = repositoryNameProblem(name);
  if (nameIssue) throw new InvalidInputError(`Invalid repository name ${JSON.stringify(name)}: ${nameIssue}`);
  return { namespace, name };
}

/** Field resolvers of Repository; `syncJobs` is the whole translation to SWR paging. */
export const repositoryResolvers: RepositoryResolvers = {
  /** The global id: decodes to (namespace, name) with no upstream call. */
  id: (repository) => repositoryToNodeId(repository),
  /**
   * Federation: a `Repository` representation from another subgraph. Only its names are
   * validated here; `syncJobs` then goes through the per-request loader like any other field, so
   * many representations are batched, de-duplicated and fetched concurrently. An invalid one is a
   * rejected promise, not a throw, so that it fails at its own index of `_entities`, not the whole
   * list; the rejection is marked handled, because @apollo/subgraph drops the promises it made so
   * far when a later representation throws, and an unobserved rejection would end the process.
   */
  __resolveReference(reference) {
    try {
      return Promise.resolve(repositoryKeyFrom(reference.namespace, reference.name));
    } catch (error) {
      const refused = Promise.reject(error instanceof Error ? error : new Error(String(error)));
      refused.catch(() => {});
      return refused;
    }
  },
  async syncJobs(repository, args, context) {
    const caller = requireCaller(context.caller);
    const { namespace, name } = repositoryKeyFrom(repository.namespace, repository.name);
    const order = args.order === 'ASC' ? 'asc' : 'desc';
    const plan = pagePlanFromArgs({ ...args, order }, context.paging);
    const loadPage = (offset: number, limit: number) =>
      context.loaders.syncJobPages.load({ caller, namespace, repository: name, order, offset, limit });
    return connectionFromSlice(await sliceFromPlan(plan, loadPage, context.paging), order);
  },
};
