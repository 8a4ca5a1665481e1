import { INT32_MAX, INT32_MIN } from '../model/limits.js';
import type { SwrSyncJob } from './types.js';

const STRING_FIELDS = [
  'status',
  'tag',
  'namespace',
  'repoName',
  'remoteRegionId',
  'remoteNamespace',
  'domainID',
  'domainName',
  'syncOperatorId',
  'syncOperatorName',
  'createdAt',
  'updatedAt',
] as const;

/**
 * Why a value is not a well-formed SWR SyncJob, or null when it is. Checked in place (no copy):
 * every documented field with its documented type, a 32-bit integer id and readable times.
 */
export function syncJobProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'a job is not an object';
  const job = value as Record<string, unknown>;
  if (typeof job.id !== 'number' || !Number.isInteger(job.id) || job.id < INT32_MIN || job.id > INT32_MAX) {
    return 'a job has no 32-bit integer id';
  }
  for (const field of STRING_FIELDS) {
    if (typeof job[field] !== 'string') return `job ${job.id} has no string ${field}`;
  }
  if (typeof job.override !== 'boolean') return `job ${job.id} has no boolean override`;
  if (!readableTime(job.createdAt as string) || !readableTime(job.updatedAt as string)) {
    return `job ${job.id} has an unreadable time`;
  }
  return null;
}

/**
 * SWR's documented form (UTC, up to nine fraction digits) in valid ranges: every such text is one
 * Date.parse reads, so only other forms (an offset, no zone) are given to Date.parse, which costs
 * about five times the pattern.
 */
const SWR_UTC_TIME = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?Z$/;

function readableTime(time: string): boolean {
  return SWR_UTC_TIME.test(time) || !Number.isNaN(Date.parse(time));
}

/** Parses a 200 body into jobs, or returns why it is not the documented bare array of jobs. */
export function syncJobsFromBody(text: string): { jobs: SwrSyncJob[] } | { problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { problem: 'the body is not JSON' };
  }
  if (!Array.isArray(parsed)) return { problem: 'the body is not a JSON array' };
  for (const item of parsed) {
    const problem = syncJobProblem(item);
    if (problem) return { problem };
  }
  return { jobs: parsed as SwrSyncJob[] };
}
