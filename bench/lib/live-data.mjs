// The live-updates phase's extra repositories (bench/lib/live.mjs): live-0 … live-<n-1> in
// organization `demo`, a few jobs each, beside the bench data of lib/bench-data.mjs (which is
// left as it is). bench/simulator.mjs adds them when BENCH_LIVE_REPOSITORIES=<n> is set.

/** The env variable that makes bench/simulator.mjs serve the live repositories, and how many. */
export const LIVE_REPOSITORIES_ENV = 'BENCH_LIVE_REPOSITORIES';

/** The most live repositories the simulator will build (and the live bench ask for). */
export const MAX_LIVE_REPOSITORIES = 1_000;

/** Use to name live repository `index`. */
export const liveRepository = (index) => `live-${index}`;

/** Use to know how many jobs live-<index> starts with (3..5). */
export const liveJobCount = (index) => 3 + (index % 3);

/**
 * Use to read BENCH_LIVE_REPOSITORIES from `env`: 0 when unset, else an integer
 * 1..MAX_LIVE_REPOSITORIES (anything else throws).
 */
export function liveRepositoryCountFrom(env) {
  const raw = env[LIVE_REPOSITORIES_ENV];
  if (raw === undefined || raw === '') return 0;
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 1 || count > MAX_LIVE_REPOSITORIES)
    throw new Error(`${LIVE_REPOSITORIES_ENV} must be an integer 1..${MAX_LIVE_REPOSITORIES}, got ${JSON.stringify(raw)}`);
  return count;
}

/**
 * Use to add live-0 … live-<count-1> to bench data (benchDataFrom's, modified in place and
 * returned): generated with the simulator's createTenantData in the same organization and
 * domain, with ids after every id already there, so no existing repository or id changes.
 */
export function addLiveRepositories(simulatorModule, data, count) {
  const { createTenantData, DEMO_DOMAIN_ID, DEMO_DOMAIN_NAME, DEMO_NAMESPACE } = simulatorModule;
  const tenant = data.tenants[0];
  const namespace = tenant.namespaces[DEMO_NAMESPACE];
  const names = Array.from({ length: count }, (_, index) => liveRepository(index));
  const taken = names.filter((name) => Object.hasOwn(namespace, name));
  if (taken.length > 0) throw new Error(`bench data already has ${taken.join(', ')}`);
  const largestId = Math.max(
    0,
    ...Object.values(tenant.namespaces).flatMap((repositories) =>
      Object.values(repositories)
        .flat()
        .map((job) => job.id),
    ),
  );
  const live = createTenantData({
    domainId: DEMO_DOMAIN_ID,
    domainName: DEMO_DOMAIN_NAME,
    namespaces: { [DEMO_NAMESPACE]: Object.fromEntries(names.map((name, index) => [name, liveJobCount(index)])) },
    idBase: largestId + 1,
  });
  Object.assign(namespace, live.namespaces[DEMO_NAMESPACE]);
  return data;
}
