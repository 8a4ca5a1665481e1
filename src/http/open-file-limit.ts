import { readFileSync } from 'node:fs';

/** Assumed where the limit cannot be read (not Linux): the common default soft limit. */
const FALLBACK_LIMIT = 1024;

/**
 * The process's soft limit on open files (Linux: /proc/self/limits, "Max open files"), which
 * bounds sockets in and out together; the usual 1024 where it cannot be read.
 */
export function openFileLimit(read: () => string = () => readFileSync('/proc/self/limits', 'utf8')): number {
  try {
    const line = read()
      .split('\n')
      .find((candidate) => candidate.startsWith('Max open files'));
    const soft = line ? /^Max open files\s+(\d+|unlimited)/.exec(line)?.[1] : undefined;
    if (soft === undefined) return FALLBACK_LIMIT;
    return soft === 'unlimited' ? 1_048_576 : Number(soft);
  } catch {
    return FALLBACK_LIMIT;
  }
}
