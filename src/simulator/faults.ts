import type { SwrErrorShape } from './error-body.js';

/**
 * A way for the simulated upstream to misbehave on the next matching sync_job requests.
 * When a rule sets several faults, after `latencyMs` the first of these wins:
 * hang, reset, status, malformedBody, wrongShapeBody; `noContentRange` and `maxItems` alter the normal answer.
 */
export interface FaultRule {
  /** Only requests to this organization. @default all */
  namespace?: string;
  /** Only this repository, '/' form. @default all */
  repository?: string;
  /** Apply to this many matching requests, then drop the rule. @default forever */
  times?: number;
  /** Delay before answering (applies also when combined with other faults). */
  latencyMs?: number;
  /** Answer with this HTTP status and an SWR-shaped error body. */
  status?: number;
  /** Body shape for `status`. @default 'new' */
  errorShape?: SwrErrorShape;
  /**
   * The error body's message for `status`; `{token}` stands for the request's token, as a server
   * quoting it would. @default the status's reason phrase
   */
  errorMessage?: string;
  /** Retry-After header value to send with `status`. */
  retryAfter?: string;
  /** 200 with a body that is not valid JSON. */
  malformedBody?: boolean;
  /** 200 with valid JSON that is not an array of jobs (e.g. {"jobs":[]}). */
  wrongShapeBody?: boolean;
  /** Normal 200 answer without the Content-Range header. */
  noContentRange?: boolean;
  /** Normal 200 answer of at most this many jobs, whatever `limit` asked (a server capping it); Content-Range counts those sent. */
  maxItems?: number;
  /** Accept the request and never answer (until close()). */
  hang?: boolean;
  /** Destroy the socket without answering. */
  reset?: boolean;
  /**
   * Content-Encoding of the answer (whatever the request's Accept-Encoding says): its body is
   * compressed in each of `gzip`, `deflate`, `br` named, in order; any other coding is only named.
   */
  contentEncoding?: string;
}

/** The ordered, mutable set of rules one simulator consults. */
export interface FaultList {
  add(rule: FaultRule): void;
  clear(): void;
  /** Rules still active, copies in insertion order. */
  list(): FaultRule[];
  /** The first rule matching this request, its `times` spent by one; undefined = answer normally. */
  take(namespace: string | null, repository: string | null): FaultRule | undefined;
}

const BOOLEAN_KEYS = ['malformedBody', 'wrongShapeBody', 'noContentRange', 'hang', 'reset'] as const;
const STRING_KEYS = ['namespace', 'repository', 'retryAfter', 'contentEncoding', 'errorMessage'] as const;
const ERROR_SHAPES: readonly string[] = ['new', 'old', 'old-array'];

/** Use to hold a simulator's fault rules. */
export function createFaultList(): FaultList {
  const rules: FaultRule[] = [];
  return {
    add(rule) {
      // A copy: counting `times` down must not touch the caller's object, nor may later edits to it.
      rules.push({ ...faultRuleFromUnknown(rule) });
    },
    clear() {
      rules.length = 0;
    },
    list() {
      return rules.map((rule) => ({ ...rule }));
    },
    take(namespace, repository) {
      const index = rules.findIndex(
        (rule) =>
          (rule.namespace === undefined || rule.namespace === namespace) &&
          (rule.repository === undefined || rule.repository === repository),
      );
      const rule = rules[index];
      if (rule === undefined) return undefined;
      if (rule.times !== undefined) {
        rule.times -= 1;
        if (rule.times <= 0) rules.splice(index, 1);
      }
      return { ...rule };
    },
  };
}

/**
 * Use to accept a rule from outside (the control API's JSON, or a test): returns it typed, or
 * throws a TypeError naming the field, what was expected and what was received.
 */
export function faultRuleFromUnknown(input: unknown): FaultRule {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new TypeError(`fault rule must be an object, got ${describe(input)}`);
  }
  const record = input as Record<string, unknown>;
  const known = new Set<string>([...BOOLEAN_KEYS, ...STRING_KEYS, 'times', 'latencyMs', 'status', 'errorShape', 'maxItems']);
  for (const key of Object.keys(record)) {
    if (!known.has(key)) throw new TypeError(`fault rule has unknown field '${key}'`);
  }
  const rule: FaultRule = {};
  for (const key of STRING_KEYS) {
    const value = record[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new TypeError(`fault rule ${key} must be a string, got ${describe(value)}`);
    rule[key] = value;
  }
  for (const key of BOOLEAN_KEYS) {
    const value = record[key];
    if (value === undefined) continue;
    if (typeof value !== 'boolean') throw new TypeError(`fault rule ${key} must be a boolean, got ${describe(value)}`);
    rule[key] = value;
  }
  const times = record['times'];
  if (times !== undefined) {
    if (!isIntegerIn(times, 1, Number.MAX_SAFE_INTEGER)) {
      throw new TypeError(`fault rule times must be a positive integer, got ${describe(times)}`);
    }
    rule.times = times;
  }
  const latencyMs = record['latencyMs'];
  if (latencyMs !== undefined) {
    // Capped so a typo cannot park a request beyond any test's patience (setTimeout caps at ~24.8 days anyway).
    if (!isIntegerIn(latencyMs, 0, 3_600_000)) {
      throw new TypeError(`fault rule latencyMs must be an integer 0..3600000, got ${describe(latencyMs)}`);
    }
    rule.latencyMs = latencyMs;
  }
  const maxItems = record['maxItems'];
  if (maxItems !== undefined) {
    if (!isIntegerIn(maxItems, 1, 100_000)) {
      throw new TypeError(`fault rule maxItems must be an integer 1..100000, got ${describe(maxItems)}`);
    }
    rule.maxItems = maxItems;
  }
  const status = record['status'];
  if (status !== undefined) {
    if (!isIntegerIn(status, 200, 599)) throw new TypeError(`fault rule status must be an integer 200..599, got ${describe(status)}`);
    rule.status = status;
  }
  const errorShape = record['errorShape'];
  if (errorShape !== undefined) {
    if (typeof errorShape !== 'string' || !ERROR_SHAPES.includes(errorShape)) {
      throw new TypeError(`fault rule errorShape must be 'new', 'old' or 'old-array', got ${describe(errorShape)}`);
    }
    rule.errorShape = errorShape as SwrErrorShape;
  }
  for (const key of ['retryAfter', 'contentEncoding'] as const) {
    const value = rule[key];
    // Node would throw mid-answer on a header with control characters; refuse it up front instead.
    if (value !== undefined && !/^[\t\x20-\x7e]*$/.test(value)) throw new TypeError(`fault rule ${key} must be printable ASCII`);
  }
  return rule;
}

/** True when `value` is an integer in [min, max]. */
function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** A short rendering of a received value for error messages. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return typeof value === 'number' || typeof value === 'boolean' ? `${typeof value} ${value}` : typeof value;
}
