import { DEMO_NAMESPACE } from './demo-data.js';
import { swrTime } from './changes.js';
import type { SwrSimulator } from './simulator.js';

/** The demo repository that changes by itself (`demo/webapp`): pushes come in, jobs move along. */
export const DEMO_ACTIVITY_REPOSITORY = 'webapp';
/** How often the demo activity takes a step. */
export const DEMO_ACTIVITY_INTERVAL_MS = 3000;
/** Jobs the activity keeps in its repository; older ones it created are deleted (retention). */
const MAX_ACTIVITY_JOBS = 100;

/** The demo's own activity: `step` is one move (tests call it), the timer calls it every interval. */
export interface DemoActivity {
  step(): void;
  stop(): void;
}

/** Options of startDemoActivity. */
export interface DemoActivityOptions {
  /** @default DEMO_ACTIVITY_INTERVAL_MS; 0: no timer, steps only by `step()` */
  intervalMs?: number;
  /** Clock for creation and update times. @default Date.now */
  now?: () => number;
}

/**
 * Makes `demo/webapp` live, so that a newcomer subscribing to it sees events without doing
 * anything: every other step a push creates a job (waiting), and each step moves the jobs it
 * created along: waiting → running → success (every fourth one failed). Each step changes the
 * simulator's data as SWR's would change: new jobs at the head, statuses and updatedAt moving on.
 */
export function startDemoActivity(simulator: SwrSimulator, options: DemoActivityOptions = {}): DemoActivity {
  const now = options.now ?? (() => Date.now());
  const target = { namespace: DEMO_NAMESPACE, repository: DEMO_ACTIVITY_REPOSITORY };
  // The jobs this activity created, oldest first, with where each is in its life.
  const jobs: Array<{ id: number; status: 'waiting' | 'running' | 'done' }> = [];
  let steps = 0;

  function step(): void {
    steps += 1;
    for (const job of jobs) {
      if (job.status === 'waiting') {
        job.status = 'running';
        simulator.updateJob({ ...target, id: job.id, status: 'running', updatedAt: swrTime(now(), (job.id * 7919) % 1_000_000) });
      } else if (job.status === 'running') {
        job.status = 'done';
        const status = job.id % 4 === 0 ? 'failed' : 'success';
        simulator.updateJob({ ...target, id: job.id, status, updatedAt: swrTime(now(), (job.id * 104729) % 1_000_000) });
      }
    }
    if (steps % 2 === 1) {
      const [created] = simulator.createJobs({ ...target, createdAt: swrTime(now(), (steps * 7919) % 1_000_000) });
      if (created) jobs.push({ id: created.id, status: 'waiting' });
    }
    if (jobs.length > MAX_ACTIVITY_JOBS) {
      const doomed = jobs.splice(0, jobs.length - MAX_ACTIVITY_JOBS);
      simulator.deleteJobs({ ...target, ids: doomed.map((job) => job.id) });
    }
  }

  const intervalMs = options.intervalMs ?? DEMO_ACTIVITY_INTERVAL_MS;
  const timer = intervalMs > 0 ? setInterval(step, intervalMs) : null;
  timer?.unref();
  return {
    step,
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
