import type { SwrSyncJob } from '../swr/types.js';

/** One SWR account (IAM domain) as the simulator sees it: who may call, and what it owns. */
export interface SimulatorTenant {
  /** Tokens that authenticate as this tenant; undefined = any non-empty token (demo mode). */
  tokens?: string[];
  domainId: string;
  domainName: string;
  /** organization -> repository name (with '/' as is, e.g. 'team/api') -> jobs */
  namespaces: Record<string, Record<string, SwrSyncJob[]>>;
}

/** Everything the simulator serves. The first tenant whose tokens match a request wins. */
export interface SimulatorData {
  tenants: SimulatorTenant[];
}

/** Use to authenticate a request: the first tenant accepting `token`, or undefined (→ 401). */
export function tenantForToken(data: SimulatorData, token: string): SimulatorTenant | undefined {
  // An empty token never authenticates, not even against a demo tenant that takes "any" token.
  if (token === '') return undefined;
  return data.tenants.find((tenant) => tenant.tokens === undefined || tenant.tokens.includes(token));
}

/** Use to look up a tenant's repository; own properties only, so `constructor` is not an organization. */
export function jobsOfRepository(
  tenant: SimulatorTenant,
  namespace: string,
  repository: string,
): { found: 'namespace-missing' } | { found: 'repository-missing' } | { found: 'yes'; jobs: SwrSyncJob[] } {
  if (!Object.hasOwn(tenant.namespaces, namespace)) return { found: 'namespace-missing' };
  const repositories = tenant.namespaces[namespace];
  if (repositories === undefined || !Object.hasOwn(repositories, repository)) return { found: 'repository-missing' };
  return { found: 'yes', jobs: repositories[repository] ?? [] };
}
