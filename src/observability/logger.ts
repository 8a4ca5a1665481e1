import { pino, type DestinationStream, type Logger } from 'pino';
import sonicBoom from 'sonic-boom';
import type { GatewayConfig } from '../config.js';

// sonic-boom is CommonJS: its class comes as a member of the module's exports.
const { SonicBoom } = sonicBoom;

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

/** Log lines held in memory while stdout is slower than the gateway; past this, lines are dropped. */
const MAX_BUFFERED_LOG_BYTES = 16 * 1024 * 1024;

/** Where log lines go, and a way to wait for them to be written before the process exits. */
export interface LogDestination extends DestinationStream {
  /** Resolves once every line logged so far is written, or could not be (stdout gone), or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<void>;
}

/**
 * Log lines on stdout, written without ever blocking the process: asynchronously (a slow reader
 * makes lines wait in a bounded buffer, then drop), and when stdout is gone (`| head`, a closed
 * pipe) they are dropped from then on. pino's own stdout destination does the same but also
 * flushes synchronously on exit, and that flush retries a broken pipe forever: a gateway whose
 * stdout was gone never finished its shutdown.
 */
export function createStdoutDestination(fd = 1): LogDestination {
  const boom = new SonicBoom({ fd, sync: false, minLength: 1, maxLength: MAX_BUFFERED_LOG_BYTES });
  let broken = false;
  boom.on('error', () => {
    broken = true;
  });
  // A line that does not fit the buffer is dropped; there is no one to tell but the log itself.
  boom.on('drop', () => {});
  return {
    write(line: string) {
      if (!broken) boom.write(line);
    },
    drain(timeoutMs) {
      if (broken) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        timer.unref();
        boom.flush(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

/** Creates the process logger: JSON lines, tokens redacted; on stdout unless told otherwise. */
export function createLogger(level: GatewayConfig['logLevel'], destination: DestinationStream = createStdoutDestination()): Logger {
  return pino({ level, base: { service: 'swr-gateway' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
}
