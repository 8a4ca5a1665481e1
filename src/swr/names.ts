/**
 * SWR organization and repository names (the rules of SWR's API, in the README's "Paging semantics"), checked before anything reaches the
 * upstream, and the '/' → '$' substitution the API wants in the path.
 *
 * A name is runs of [a-z0-9] joined by single separators; a separator is one of `.` `_` `-`
 * (and `/` in repository names) or exactly two underscores `__`. So separators never touch each
 * other, never start or end a name, and `___` is refused.
 */
const NAMESPACE_PATTERN = /^[a-z][a-z0-9]*(?:(?:__|[._-])[a-z0-9]+)*$/;
const REPOSITORY_PATTERN = /^[a-z0-9]+(?:(?:__|[./_-])[a-z0-9]+)*$/;
const NAMESPACE_MAX_LENGTH = 64;
const REPOSITORY_MAX_LENGTH = 128;

/** Why `namespace` is not a valid SWR organization name, or null when it is. */
export function namespaceProblem(namespace: unknown): string | null {
  // Typed input guarantees a string; an `_entities` representation (`_Any`) does not.
  if (typeof namespace !== 'string') return 'must be a string';
  if (namespace.length === 0 || namespace.length > NAMESPACE_MAX_LENGTH) {
    return `must be 1 to ${NAMESPACE_MAX_LENGTH} characters long`;
  }
  if (!NAMESPACE_PATTERN.test(namespace)) {
    return (
      'must use only a-z, 0-9, ".", "_" and "-", start with a letter, end with a letter or digit, ' +
      'and never put two separators together (except "__")'
    );
  }
  return null;
}

/** Why `name` is not a valid SWR repository name, or null when it is. */
export function repositoryNameProblem(name: unknown): string | null {
  if (typeof name !== 'string') return 'must be a string';
  if (name.length === 0 || name.length > REPOSITORY_MAX_LENGTH) {
    return `must be 1 to ${REPOSITORY_MAX_LENGTH} characters long`;
  }
  if (!REPOSITORY_PATTERN.test(name)) {
    return (
      'must use only a-z, 0-9, ".", "_", "-" and "/", start and end with a letter or digit, ' +
      'and never put two separators together (except "__")'
    );
  }
  return null;
}

/** The path segment SWR expects for a repository name: every '/' replaced by '$'. */
export function repositoryToPathSegment(name: string): string {
  return name.replaceAll('/', '$');
}

/** The repository name with '/' restored from SWR's '$' form (as in a job's `repoName`). */
export function repositoryFromPathSegment(segment: string): string {
  return segment.replaceAll('$', '/');
}
