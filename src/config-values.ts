/**
 * Readers of single environment variables, each refusing a bad value with a ConfigError that
 * names the variable, says what was expected and shows what was received.
 */

/** Thrown by readConfig for a bad variable; `variable` names it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly variable: string,
    expected: string,
    received: string,
  ) {
    super(`Invalid ${variable}: expected ${expected}, received ${JSON.stringify(received)}`);
  }
}

/** The environment as main.ts reads it (process.env). */
export type Env = Record<string, string | undefined>;

/** An unset or empty (blank) variable takes its default. */
export function rawFrom(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** A decimal integer within [min, max]. */
export function integerFrom(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = rawFrom(env, name);
  if (raw === undefined) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `an integer from ${min} to ${max}`, raw);
  }
  return value;
}

/** true/false (also 1/0, yes/no, on/off). */
export function booleanFrom(env: Env, name: string, fallback: boolean): boolean {
  const raw = rawFrom(env, name);
  if (raw === undefined) return fallback;
  const value = raw.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(value)) return true;
  if (['false', '0', 'no', 'off'].includes(value)) return false;
  throw new ConfigError(name, 'true or false', raw);
}

/** Any non-blank text. */
export function stringFrom(env: Env, name: string, fallback: string): string {
  return rawFrom(env, name) ?? fallback;
}

/** One of a fixed set of words, case-insensitive. */
export function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const raw = rawFrom(env, name);
  if (raw === undefined) return fallback;
  const value = values.find((candidate) => candidate === raw.toLowerCase());
  if (!value) throw new ConfigError(name, `one of ${values.join(', ')}`, raw);
  return value;
}

/**
 * An http(s) origin: scheme, host and optional port, nothing else (a trailing slash is dropped).
 * A path is refused: the gateway appends SWR's own `/v2/…` paths, so `…/v2` would double it.
 */
export function originFrom(env: Env, name: string, example: string): string | null {
  const raw = rawFrom(env, name);
  if (raw === undefined) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `an http(s) origin such as ${example}`, raw);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(name, 'an http: or https: URL', raw);
  }
  if (url.username || url.password || url.search || url.hash) {
    // The message goes to stderr and logs: credentials in it are shown as *** only.
    const shown = new URL(url.href);
    if (shown.username) shown.username = '***';
    if (shown.password) shown.password = '***';
    throw new ConfigError(name, 'a URL without credentials, query or fragment', shown.href);
  }
  if (url.pathname !== '/') {
    throw new ConfigError(name, `an origin without a path (the gateway adds /v2/…), such as ${example}`, raw);
  }
  return url.origin;
}

/**
 * A comma-separated list of http(s) origins, `*` for any origin, or `none`; `*` and `none` stand
 * alone. Returns ['*'] for any, [] for none.
 */
export function originsFrom(env: Env, name: string, fallback: readonly string[]): readonly string[] {
  const raw = rawFrom(env, name);
  if (raw === undefined) return fallback;
  if (raw === '*') return ['*'];
  if (raw.toLowerCase() === 'none') return [];
  return raw.split(',').map((entry) => {
    const origin = entry.trim();
    let url: URL | null = null;
    try {
      url = new URL(origin);
    } catch {
      // refused below
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== origin) {
      throw new ConfigError(name, '*, none, or comma-separated origins such as https://app.example.com (scheme, host and port only)', raw);
    }
    return origin;
  });
}

/** A redis:// or rediss:// URL (credentials allowed: they stay in the process, never in logs). */
export function redisUrlFrom(env: Env, name: string): string | null {
  const raw = rawFrom(env, name);
  if (raw === undefined) return null;
  let url: URL | null = null;
  try {
    url = new URL(raw);
  } catch {
    // refused below
  }
  if (!url || (url.protocol !== 'redis:' && url.protocol !== 'rediss:') || !url.hostname) {
    // The value may hold a password: the message does not repeat it.
    throw new ConfigError(name, 'a redis:// or rediss:// URL such as redis://127.0.0.1:6379', '(not shown: it may hold a password)');
  }
  return raw;
}
