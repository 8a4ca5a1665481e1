// Preloaded (`node --import`) into the children that cannot tell by themselves that their parent
// is gone: every server the benchmark starts, and the gateway of the soak test (dist/main.js, which
// is not ours to change). When bench/run.mjs or scripts/soak.mjs dies without a chance to stop its
// children (SIGKILL, OOM), they are re-parented; each notices within half a second and sends
// itself the SIGTERM it handles, and leaves for good a few seconds later if that did not end it.
// Unref'd timers: they never keep a process alive, and they cost nothing measurable.
const parent = process.ppid;
const GIVE_UP_MS = 5_000;

const watch = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(watch);
  setTimeout(() => process.exit(1), GIVE_UP_MS).unref();
  process.kill(process.pid, 'SIGTERM');
}, 500).unref();
