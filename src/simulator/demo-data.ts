import { INT32_MAX } from '../model/limits.js';
import type { SwrSyncJob } from '../swr/types.js';
import type { SimulatorData, SimulatorTenant } from './simulator-data.js';

/** The seven statuses SWR documents, lower case as it sends them. */
export const SYNC_JOB_STATUSES = ['waiting', 'running', 'success', 'failed', 'timeout', 'cancel', 'existed'] as const;

const REMOTE_REGIONS = ['cn-north-4', 'ap-southeast-1', 'cn-east-3'] as const;

/** 2024-01-02T03:04:05Z, the whole-second part of the first job's creation time in every repository. */
const FIRST_CREATED_AT_MS = Date.UTC(2024, 0, 2, 3, 4, 5);
/** Microseconds of the first job; SWR prints six fractional digits, which `Date` cannot hold. */
const FIRST_CREATED_MICROS = 123456;

/** The demo tenant's identity (also what the README's examples show). */
export const DEMO_DOMAIN_ID = '0657a1b2c3d4e5f60718293a4b5c6f60';
export const DEMO_DOMAIN_NAME = 'demo-tenant';
export const DEMO_NAMESPACE = 'demo';
/**
 * Job counts of the demo repositories; nginx covers every status and more than two default pages.
 * `webapp` is the live one: in demo mode its jobs change by themselves (demo-activity.ts).
 */
export const DEMO_REPOSITORIES: Readonly<Record<string, number>> = { nginx: 47, redis: 12, 'team/api': 8, empty: 0, webapp: 6 };

export interface TenantDataOptions {
  domainId: string;
  domainName: string;
  /** Tokens that authenticate as this tenant; omitted = any non-empty token. */
  tokens?: string[];
  /** organization -> repository ('/' form) -> number of jobs to generate */
  namespaces: Record<string, Record<string, number>>;
  /** First job id; ids then count up across all repositories, so tenants with distant bases never share one. */
  idBase: number;
  /** Prepended to the job's index to form its tag. @default '1.25.' */
  tagPrefix?: string;
  /** @default '0657f1e2d3c4b5a69788796a5b4c3d21' */
  syncOperatorId?: string;
  /** @default 'demo-operator' */
  syncOperatorName?: string;
}

/** Use to build a tenant with generated, deterministic jobs (tests with several tenants build theirs with it). */
export function createTenantData(opts: TenantDataOptions): SimulatorTenant {
  const tagPrefix = opts.tagPrefix ?? '1.25.';
  const namespaces: Record<string, Record<string, SwrSyncJob[]>> = {};
  let nextId = opts.idBase;
  for (const [namespace, repositories] of Object.entries(opts.namespaces)) {
    const generated: Record<string, SwrSyncJob[]> = {};
    for (const [repoName, count] of Object.entries(repositories)) {
      if (!Number.isInteger(count) || count < 0) {
        throw new RangeError(`createTenantData: job count of ${namespace}/${repoName} must be a non-negative integer, got ${count}`);
      }
      const jobs: SwrSyncJob[] = [];
      for (let index = 0; index < count; index += 1) {
        jobs.push(generateJob(opts, namespace, repoName, index, nextId, tagPrefix));
        nextId += 1;
      }
      generated[repoName] = jobs;
    }
    namespaces[namespace] = generated;
  }
  // SWR's ids are 32-bit integers; a client that parses them as such must never see a bigger one.
  if (!Number.isInteger(opts.idBase) || opts.idBase < 1 || nextId - 1 > INT32_MAX) {
    throw new RangeError(`createTenantData: ids must be positive 32-bit integers, got ${opts.idBase}..${nextId - 1}`);
  }
  const tenant: SimulatorTenant = { domainId: opts.domainId, domainName: opts.domainName, namespaces };
  if (opts.tokens !== undefined) tenant.tokens = [...opts.tokens];
  return tenant;
}

/** Use for demo mode: organization `demo` with nginx (47 jobs), redis (12), team/api (8), empty (0), webapp (6); any token. */
export function createDemoData(): SimulatorData {
  return {
    tenants: [
      createTenantData({
        domainId: DEMO_DOMAIN_ID,
        domainName: DEMO_DOMAIN_NAME,
        namespaces: { [DEMO_NAMESPACE]: { ...DEMO_REPOSITORIES } },
        idBase: 100001,
      }),
    ],
  };
}

/** Job number `index` of a repository: one hour after the previous one, cycling through statuses and regions. */
function generateJob(
  opts: TenantDataOptions,
  namespace: string,
  repoName: string,
  index: number,
  id: number,
  tagPrefix: string,
): SwrSyncJob {
  // Varying microseconds make sure nothing relies on them being equal (or on millisecond precision).
  const createdMicros = (FIRST_CREATED_MICROS + index * 1111) % 1_000_000;
  const createdMs = FIRST_CREATED_AT_MS + index * 3_600_000;
  // A sync takes a few seconds; whole extra seconds keep updatedAt after createdAt whatever the micros.
  const updatedMs = createdMs + (3 + (index % 5)) * 1000;
  const updatedMicros = (createdMicros * 7 + 4321) % 1_000_000;
  return {
    id,
    status: SYNC_JOB_STATUSES[index % SYNC_JOB_STATUSES.length] ?? 'success',
    tag: `${tagPrefix}${index}`,
    namespace,
    repoName,
    remoteRegionId: REMOTE_REGIONS[index % REMOTE_REGIONS.length] ?? 'cn-north-4',
    remoteNamespace: `${namespace}-mirror`,
    override: index % 2 === 1,
    domainID: opts.domainId,
    domainName: opts.domainName,
    syncOperatorId: opts.syncOperatorId ?? '0657f1e2d3c4b5a69788796a5b4c3d21',
    syncOperatorName: opts.syncOperatorName ?? 'demo-operator',
    createdAt: swrTimestampFromParts(createdMs, createdMicros),
    updatedAt: swrTimestampFromParts(updatedMs, updatedMicros),
  };
}

/** Formats whole-second epoch ms plus microseconds the way SWR does: `2020-03-12T08:11:36.518144Z`. */
function swrTimestampFromParts(wholeSecondMs: number, micros: number): string {
  const seconds = new Date(wholeSecondMs).toISOString().slice(0, 19);
  return `${seconds}.${String(micros).padStart(6, '0')}Z`;
}
