import { pino, type DestinationStream, type Logger } from 'pino';
import type { GatewayConfig } from '../config.js';

/** Paths pino blanks wherever they appear: a token must never reach a log line. */
export const REDACTED_PATHS = [
  'token',
  '*.token',
  'headers["x-auth-token"]',
  'headers.authorization',
  '*.headers["x-auth-token"]',
  '*.headers.authorization',
  'req.headers["x-auth-token"]',
  'req.headers.authorization',
];

/** Creates the process logger: JSON lines on stdout, tokens redacted. */
export function createLogger(level: GatewayConfig['logLevel'], destination?: DestinationStream): Logger {
  const options = { level, base: { service: 'swr-gateway' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
