import type { SwrSyncJob } from '../swr/types.js';
import type { SimulatorData, SimulatorTenant } from './simulator-data.js';

/**
 * Changes to the simulator's data while it serves, as SWR's lists change under a client that is
 * paging them: every push creates a job (at the head of a newest-first list), retention and
 * clean-up delete jobs, and a job's status moves on. Used by tests and, in demo mode, by the
 * demo's own activity.
 */

/** New jobs at the head of a repository's list (the newest). */
export interface JobCreation {
  namespace: string;
  repository: string;
  /** How many. @default 1 */
  count?: number;
  /** One creation time for all of them (jobs created in the same instant). @default one second apart, after the newest job */
  createdAt?: string;
  /** @default 'waiting' */
  status?: string;
  /** The tenant, by its domain name. @default the first tenant that has the repository */
  tenant?: string;
}

/** A change to one job. */
export interface JobUpdate {
  namespace: string;
  repository: string;
  id: number;
  status?: string;
  /** @default now (or a second after the job's last update, whichever is later) */
  updatedAt?: string;
  tenant?: string;
}

/** Thrown for a change the data cannot take (unknown repository or job). */
export class SimulatorChangeError extends Error {
  override name = 'SimulatorChangeError';
}

/** Use to add jobs at the head of a repository; returns them. Ids follow the largest id of all tenants. */
export function createJobs(data: SimulatorData, creation: JobCreation): SwrSyncJob[] {
  const { tenant, jobs } = repositoryOf(data, creation);
  const count = creation.count ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > 10_000)
    throw new SimulatorChangeError(`count must be an integer 1..10000, got ${count}`);
  let nextId =
    Math.max(
      0,
      ...data.tenants.flatMap((each) =>
        Object.values(each.namespaces).flatMap((repositories) => Object.values(repositories).flatMap((list) => list.map((job) => job.id))),
      ),
    ) + 1;
  const newest = jobs.reduce((latest, job) => Math.max(latest, Date.parse(job.createdAt)), Date.UTC(2024, 0, 1));
  const created: SwrSyncJob[] = [];
  for (let index = 0; index < count; index += 1) {
    const createdAt =
      creation.createdAt ?? swrTime(Math.floor(newest / 1000) * 1000 + (index + 1) * 1000, 100_000 + ((nextId * 7919) % 900_000));
    const job: SwrSyncJob = {
      id: nextId,
      status: creation.status ?? 'waiting',
      tag: `push-${nextId}`,
      namespace: creation.namespace,
      repoName: creation.repository,
      remoteRegionId: 'cn-north-4',
      remoteNamespace: `${creation.namespace}-mirror`,
      override: false,
      domainID: tenant.domainId,
      domainName: tenant.domainName,
      syncOperatorId: '0657f1e2d3c4b5a69788796a5b4c3d21',
      syncOperatorName: 'demo-operator',
      createdAt,
      updatedAt: createdAt,
    };
    nextId += 1;
    jobs.push(job);
    created.push(job);
  }
  return created;
}

/** Use to delete jobs by id; returns how many were there. */
export function deleteJobs(data: SimulatorData, target: { namespace: string; repository: string; ids: number[]; tenant?: string }): number {
  const { jobs } = repositoryOf(data, target);
  const doomed = new Set(target.ids);
  let deleted = 0;
  for (let index = jobs.length - 1; index >= 0; index -= 1) {
    if (doomed.has(jobs[index]!.id)) {
      jobs.splice(index, 1);
      deleted += 1;
    }
  }
  return deleted;
}

/** Use to move a job on (its status, and so its updatedAt); returns the job as it now is. */
export function updateJob(data: SimulatorData, update: JobUpdate): SwrSyncJob {
  const { jobs } = repositoryOf(data, update);
  const job = jobs.find((candidate) => candidate.id === update.id);
  if (!job) throw new SimulatorChangeError(`no job ${update.id} in ${update.namespace}/${update.repository}`);
  if (update.status !== undefined) job.status = update.status;
  job.updatedAt = update.updatedAt ?? swrTime(Math.max(Date.now(), Date.parse(job.updatedAt) + 1000), 0);
  return job;
}

// The tenant and job list of a repository, or a SimulatorChangeError.
function repositoryOf(
  data: SimulatorData,
  where: { namespace: string; repository: string; tenant?: string },
): { tenant: SimulatorTenant; jobs: SwrSyncJob[] } {
  for (const tenant of data.tenants) {
    if (where.tenant !== undefined && tenant.domainName !== where.tenant) continue;
    const jobs = Object.hasOwn(tenant.namespaces, where.namespace) ? tenant.namespaces[where.namespace] : undefined;
    if (jobs && Object.hasOwn(jobs, where.repository)) return { tenant, jobs: jobs[where.repository]! };
  }
  throw new SimulatorChangeError(`no repository ${where.namespace}/${where.repository}${where.tenant ? ` of tenant ${where.tenant}` : ''}`);
}

/** A time as SWR prints it: whole seconds of `ms`, then six digits of microseconds. */
export function swrTime(ms: number, micros: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}.${String(micros % 1_000_000).padStart(6, '0')}Z`;
}
