// What a server process costs during a run, read from /proc (Linux): peak resident memory, sampled
// from /proc/<pid>/status every 200 ms (the bench; the soak samples every second), and CPU time
// (user + system) from /proc/<pid>/stat. Shared by bench/run.mjs and scripts/soak.mjs.
//
// Sampling VmRSS, rather than reading VmHWM once, attributes the peak to the runs it happened in: a
// process's high-water mark also remembers its start-up and every earlier workload. CPU time is
// the figure the noise of a shared machine disturbs least: other processes stretch a run's
// latency and cut its throughput, but hardly change how much CPU the server spends per operation.
import { readFileSync } from 'node:fs';

const VM_RSS = /^VmRSS:\s+(\d+)\s+kB$/m;
/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every mainstream Linux. */
const CLOCK_TICKS_PER_S = 100;

/**
 * Use around a run: starts sampling `pid` now; `stop()` returns `{ peakRssMb, startRssMb,
 * endRssMb, cpuMs }`, each null where /proc cannot tell (not Linux, or the process is gone). The
 * peak includes the first and the last reading, so it is never below either.
 */
export function startProcessSampler(pid, intervalMs = 200) {
  let peakKb = null;
  const sample = () => {
    const kb = rssKbOf(pid);
    if (kb !== null && (peakKb === null || kb > peakKb)) peakKb = kb;
    return kb;
  };
  const cpuAtStart = cpuTicksOf(pid);
  const startKb = sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      const endKb = sample();
      const cpuAtEnd = cpuTicksOf(pid);
      return {
        peakRssMb: mbFromKb(peakKb),
        startRssMb: mbFromKb(startKb),
        endRssMb: mbFromKb(endKb),
        cpuMs: cpuAtStart === null || cpuAtEnd === null ? null : ((cpuAtEnd - cpuAtStart) * 1000) / CLOCK_TICKS_PER_S,
      };
    },
  };
}

/** Use for a one-off reading (a progress line): the current VmRSS of `pid` in MB, or null. */
export function rssMbOf(pid) {
  return mbFromKb(rssKbOf(pid));
}

/** kB to MB; null (nothing read) stays null. */
function mbFromKb(kb) {
  return kb === null ? null : kb / 1024;
}

/** The current VmRSS in kB, or null. */
function rssKbOf(pid) {
  try {
    const match = VM_RSS.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** utime + stime in clock ticks, or null. The command name (field 2) may hold spaces: fields are counted after its ')'. */
function cpuTicksOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}
