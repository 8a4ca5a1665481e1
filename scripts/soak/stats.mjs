// The counters of one soak run, and the few ways a worker records into them. Every worker of a run
// records into the same object: the event loop runs one at a time, so plain increments are safe.

/** How many examples of each kind of problem (and of the slowest operations) a run keeps. */
export const MAX_SAMPLES = 5;

/** Use once per run (and once for the uncounted warm-up): fresh, empty counters. */
export function createStats() {
  return {
    operations: 0,
    statuses: {},
    errorCodes: {},
    transportErrors: 0,
    transportErrorKinds: {},
    leaks: 0,
    anomalies: 0,
    healthyLookups: 0,
    timelyLookups: 0,
    collateralTimeouts: 0,
    collateralTimeoutsBy: {},
    slowest: [],
    shapes: {},
    /** Hostile requests sent, by kind, and the codes they came back with. */
    hostile: {},
    hostileCodes: {},
    samples: { leaks: [], anomalies: [], transportErrors: [], unexpectedCodes: [], collateralTimeouts: [] },
    latenciesMs: [],
  };
}

/** Use to count `key` in a `{ key: count }` map. */
export function increment(map, key, by = 1) {
  map[key] = (map[key] ?? 0) + by;
}

/** Use to keep an example for the report: only the first MAX_SAMPLES are kept. */
export function sample(list, value) {
  if (list.length < MAX_SAMPLES) list.push(value);
}

/** Use for a wrong answer that is not a leak: counts it, keeping the first few. */
export function anomaly(stats, description) {
  stats.anomalies += 1;
  sample(stats.samples.anomalies, description);
}

/** Use after every operation: keeps the MAX_SAMPLES slowest, slowest first. */
export function noteSlowest(stats, ms, what) {
  const slowest = stats.slowest;
  if (slowest.length === MAX_SAMPLES && ms <= slowest[slowest.length - 1].ms) return;
  slowest.push({ ms: Math.round(ms), what });
  slowest.sort((a, b) => b.ms - a.ms);
  slowest.length = Math.min(slowest.length, MAX_SAMPLES);
}
