/** Where a request path points, if it is the sync_job route. */
export type SyncJobPath =
  | { kind: 'not-sync-job' }
  /** The route, but a segment is not valid percent-encoding. */
  | { kind: 'undecodable' }
  | { kind: 'sync-job'; namespace: string; repository: string };

/**
 * Use to match `/v2/manage/namespaces/{namespace}/repos/{repository}/sync_job` (path only, no query).
 * Segments may come raw (as SWR's SDKs send them, `$` included) or percent-encoded (`%24`);
 * in the repository, `$` stands for `/` because a raw `/` would split the segment.
 */
export function syncJobPathFromUrlPath(path: string): SyncJobPath {
  const segments = path.split('/');
  if (
    segments.length !== 8 ||
    segments[0] !== '' ||
    segments[1] !== 'v2' ||
    segments[2] !== 'manage' ||
    segments[3] !== 'namespaces' ||
    segments[5] !== 'repos' ||
    segments[7] !== 'sync_job'
  ) {
    return { kind: 'not-sync-job' };
  }
  const namespace = decodeSegment(segments[4] ?? '');
  const repository = decodeSegment(segments[6] ?? '');
  if (namespace === undefined || repository === undefined) return { kind: 'undecodable' };
  return { kind: 'sync-job', namespace, repository: repository.replaceAll('$', '/') };
}

/** decodeURIComponent without the throw: undefined for a malformed escape like `%zz`. */
function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
