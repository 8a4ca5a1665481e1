// The SWR simulator the soak test runs against, in its own process so its CPU and memory are not
// the gateway's. Run alone: `node scripts/soak-simulator.mjs` (after `npm run build`); it prints
// its base URL as one line on stdout and runs until SIGTERM/SIGINT. With `--exit-with-stdin` (what
// soak.mjs passes) it also stops when its stdin closes, so a parent killed with SIGKILL does not
// leave it behind.
//
// The layout is exported so scripts/soak.mjs can check every answer against it: 4 tenants, each
// with its own token, domain and ids, all owning organization `soak` with repo-0 … repo-39 (25–35
// jobs each, the count depending on tenant and repository, so an answer from the wrong tenant or
// repository shows in `totalCount` too). Two repositories are faulty, so ~5% of lookups fail.
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SOAK_NAMESPACE = 'soak';
export const SOAK_TENANT_COUNT = 4;
export const SOAK_REPOSITORY_COUNT = 40;
/** Upstream latency of every healthy request, in ms. */
export const SOAK_BACKGROUND_LATENCY_MS = 20;
/** Latency of the slow repository: well beyond the SWR_TIMEOUT_MS (1000) soak.mjs gives the gateway. */
export const SOAK_SLOW_LATENCY_MS = 3000;
/** Faulty repositories and the `extensions.code` each must produce. */
export const SOAK_FAULTS = {
  'repo-38': { rule: { repository: 'repo-38', status: 503 }, code: 'UPSTREAM_ERROR' },
  'repo-39': { rule: { repository: 'repo-39', latencyMs: SOAK_SLOW_LATENCY_MS }, code: 'UPSTREAM_TIMEOUT' },
};

/** Repository names in the order their jobs are generated (ids count up in this order). */
export const soakRepositories = Array.from({ length: SOAK_REPOSITORY_COUNT }, (_, index) => `repo-${index}`);

/** Use to describe tenant `index` (0-based): its token, identity and the id of its first job. */
export function soakTenant(index) {
  const domainName = `tenant-${index}`;
  return {
    index,
    token: `soak-token-${index}`,
    domainName,
    // 32 hex digits, like an IAM domain id.
    domainId: createHash('md5').update(domainName).digest('hex'),
    // 1200-odd ids per tenant: bases a million apart never overlap.
    idBase: (index + 1) * 1_000_000,
  };
}

/** Use to know how many jobs repository `repoIndex` of tenant `tenantIndex` has (25..35). */
export function soakJobCount(tenantIndex, repoIndex) {
  return 25 + ((repoIndex + 3 * tenantIndex) % 11);
}

/** Use to know the id of the first (oldest) job of a repository; its jobs have consecutive ids. */
export function soakFirstJobId(tenantIndex, repoIndex) {
  let id = soakTenant(tenantIndex).idBase;
  for (let k = 0; k < repoIndex; k += 1) id += soakJobCount(tenantIndex, k);
  return id;
}

/** Builds the simulator data from `createTenantData` (the built module, passed in). */
function soakDataFrom(createTenantData) {
  const tenants = [];
  for (let index = 0; index < SOAK_TENANT_COUNT; index += 1) {
    const tenant = soakTenant(index);
    const repositories = Object.fromEntries(soakRepositories.map((name, k) => [name, soakJobCount(index, k)]));
    tenants.push(
      createTenantData({
        domainId: tenant.domainId,
        domainName: tenant.domainName,
        tokens: [tenant.token],
        namespaces: { [SOAK_NAMESPACE]: repositories },
        idBase: tenant.idBase,
        syncOperatorName: `operator-${index}`,
      }),
    );
  }
  return { tenants };
}

/** Starts the simulator with the soak data and faults; resolves to it and its URL. */
export async function startSoakSimulator() {
  // Imported here, not at the top, so soak.mjs can read the layout before dist/ is checked.
  const { createSwrSimulator, createTenantData } = await import('../dist/simulator/index.js');
  // A soak run makes hundreds of thousands of calls; nobody reads the recordings, so keep few.
  const simulator = createSwrSimulator({ data: soakDataFrom(createTenantData), maxRecordedRequests: 1000 });
  const url = await simulator.listen(0, '127.0.0.1');
  // The first matching rule applies: the repository-specific faults first, the catch-all last.
  for (const { rule } of Object.values(SOAK_FAULTS)) simulator.addFault(rule);
  simulator.addFault({ latencyMs: SOAK_BACKGROUND_LATENCY_MS });
  return { simulator, url };
}

/** Runs as a process: print the URL, stop on a signal or when the parent goes away. */
async function main() {
  const { simulator, url } = await startSoakSimulator();
  process.stdout.write(`${url}\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    // close() cancels pending latency faults and destroys keep-alive sockets; still, never hang.
    setTimeout(() => process.exit(0), 2000).unref();
    await simulator.close().catch(() => {});
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  // With stdin piped from the parent, its end means the parent is gone (even after SIGKILL).
  if (process.argv.includes('--exit-with-stdin')) {
    process.stdin.on('end', () => void stop());
    process.stdin.on('error', () => void stop());
    process.stdin.resume();
  }
}

const invokedDirectly = process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
if (invokedDirectly) {
  main().catch((error) => {
    console.error(`soak-simulator: ${error?.stack ?? error}`);
    process.exit(1);
  });
}
