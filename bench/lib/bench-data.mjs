// What the bench simulator serves, in one place: bench/simulator.mjs builds its data from it and
// bench/lib/workloads.mjs computes the answers every target must give from the same data.
//
// The demo tenant (organization `demo`: nginx 47 jobs, redis, team/api, empty; any token) plus
// bench-0 … bench-19 for the 20-repository dashboard and bench-drift for the drift workload (the
// one repository the bench changes while it runs). Job counts differ per repository, so an answer
// taken from the wrong repository shows in `totalCount` as well as in the ids.

/** The token every bench request sends; the demo tenant accepts any non-empty token. */
export const BENCH_TOKEN = 'bench-token';

export const BENCH_NAMESPACE = 'demo';

/** The dashboard's repositories, in the order the dashboard asks for them. */
export const BENCH_REPOSITORIES = Array.from({ length: 20 }, (_, index) => `bench-${index}`);

/** Use to know how many jobs bench-<index> has (12..31). */
export const benchJobCount = (index) => 12 + index;

/**
 * The drift workload's repository: the bench creates jobs at its head (through the simulator's
 * control API) after a client took a cursor, and nothing else reads it, so no other workload's
 * answer moves. Its ids follow bench-19's; the demo repositories come first and keep theirs.
 */
export const DRIFT_REPOSITORY = 'bench-drift';
export const DRIFT_JOB_COUNT = 40;

/**
 * First job id of the demo tenant. createDemoData() uses the same base and its repositories come
 * first, so nginx & co. keep exactly their demo ids (bench/simulator.mjs checks that at start).
 */
const DEMO_ID_BASE = 100001;

/**
 * Use to build the simulator data from the built simulator module (dist/simulator/index.js,
 * passed in so this file can be imported before dist/ is checked): demo data plus the bench
 * repositories, all in one tenant, since the first tenant accepting a token serves every request.
 */
export function benchDataFrom(simulatorModule) {
  const { createTenantData, DEMO_DOMAIN_ID, DEMO_DOMAIN_NAME, DEMO_NAMESPACE, DEMO_REPOSITORIES } = simulatorModule;
  const benchRepositories = {
    ...Object.fromEntries(BENCH_REPOSITORIES.map((name, index) => [name, benchJobCount(index)])),
    [DRIFT_REPOSITORY]: DRIFT_JOB_COUNT,
  };
  return {
    tenants: [
      createTenantData({
        domainId: DEMO_DOMAIN_ID,
        domainName: DEMO_DOMAIN_NAME,
        namespaces: { [DEMO_NAMESPACE]: { ...DEMO_REPOSITORIES, ...benchRepositories } },
        idBase: DEMO_ID_BASE,
      }),
    ],
  };
}

/** Use to read a repository's jobs (oldest first, as generated) out of bench data. */
export function jobsOf(data, namespace, name) {
  const jobs = data.tenants[0]?.namespaces[namespace]?.[name];
  if (jobs === undefined) throw new Error(`bench data has no repository ${namespace}/${name}`);
  return jobs;
}
