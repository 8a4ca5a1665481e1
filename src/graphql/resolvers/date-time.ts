import { GraphQLScalarType, Kind } from 'graphql';

const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;
const NO_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?$/;
const FRACTION = /:\d{2}(\.\d+)/;

/**
 * An SWR time as RFC 3339 in UTC. SWR's own form (`2020-03-12T08:11:36.518144Z`) passes through
 * untouched, keeping its microseconds; a time without a zone is UTC (SWR documents its times as
 * UTC); one with an offset is converted. Either keeps the fraction of a second SWR sent (up to
 * nine digits: `Date` alone would cut it to milliseconds).
 */
export function dateTimeFromSwrTime(value: string): string {
  if (RFC3339_UTC.test(value)) return value;
  const parsed = NO_ZONE.test(value) ? Date.parse(`${value.replace(' ', 'T')}Z`) : Date.parse(value);
  if (Number.isNaN(parsed)) throw new TypeError('DateTime cannot represent an unreadable time');
  const fraction = FRACTION.exec(value)?.[1]?.slice(0, 10) ?? '';
  return `${new Date(Math.floor(parsed / 1000) * 1000).toISOString().slice(0, 19)}${fraction}Z`;
}

/** The DateTime scalar: RFC 3339 strings in UTC, outgoing and incoming. */
export const DateTimeScalar = new GraphQLScalarType<string, string>({
  name: 'DateTime',
  description: 'An RFC 3339 date-time in UTC, e.g. 2020-03-12T08:11:36.518144Z.',
  serialize(value) {
    if (typeof value !== 'string') throw new TypeError('DateTime cannot represent a non-string value');
    return dateTimeFromSwrTime(value);
  },
  parseValue(value) {
    if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
      throw new TypeError('DateTime must be an RFC 3339 string');
    }
    return dateTimeFromSwrTime(value);
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING || Number.isNaN(Date.parse(ast.value))) {
      throw new TypeError('DateTime must be an RFC 3339 string');
    }
    return dateTimeFromSwrTime(ast.value);
  },
});
