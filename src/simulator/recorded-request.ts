import { createHash } from 'node:crypto';

/** One request to the sync_job API as the simulator saw and answered it. */
export interface RecordedRequest {
  method: string;
  /** Raw path as received, e.g. /v2/manage/namespaces/demo/repos/team$api/sync_job */
  path: string;
  /** As received, e.g. filter=limit%3A%3A10%7Coffset%3A%3A0%7Corder%3A%3Adesc */
  rawQuery: string;
  /** The decoded filter value, e.g. 'limit::10|offset::0|order::desc' */
  filter: string | null;
  /** Decoded organization */
  namespace: string | null;
  /** Decoded repository, '$' turned back into '/' */
  repository: string | null;
  /** X-Auth-Token as received */
  token: string | null;
  headers: Record<string, string | string[] | undefined>;
  /** The status the simulator answered (0 for hang/reset, and while the answer is pending) */
  status: number;
  /** True when the client closed the connection before the answer was sent (it gave up or was cancelled). */
  aborted: boolean;
}

/** A recorded request fit to leave the process: the token replaced by its presence and a hash prefix. */
export type RedactedRecordedRequest = Omit<RecordedRequest, 'token'> & {
  tokenPresent: boolean;
  /** First 16 hex digits of the token's SHA-256: tells callers apart without revealing anyone's token. */
  tokenSha256: string | null;
};

const SECRET_HEADERS = new Set(['x-auth-token', 'authorization', 'cookie', 'proxy-authorization']);

/** Use before a recorded request leaves the process (control API): no token, no credential header. */
export function redactRecordedRequest(request: RecordedRequest): RedactedRecordedRequest {
  const { token, headers, ...rest } = request;
  const safeHeaders: Record<string, string | string[] | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    safeHeaders[name] = SECRET_HEADERS.has(name.toLowerCase()) ? '[redacted]' : value;
  }
  return {
    ...rest,
    headers: safeHeaders,
    tokenPresent: token !== null && token !== '',
    tokenSha256: token === null ? null : tokenFingerprint(token),
  };
}

/** Use to compare tokens without holding them: the first 16 hex digits of their SHA-256. */
export function tokenFingerprint(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 16);
}
