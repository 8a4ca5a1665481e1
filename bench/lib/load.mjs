// One load run with autocannon, in this process. Latencies are collected per response (autocannon's
// own histogram has 1 ms resolution and is destroyed at the end of each run), so the percentiles of
// several rounds are those of all their responses together, to the microsecond.
import autocannon from 'autocannon';

/** A run that has not ended this long after its duration is stopped and reported as failed. */
const OVERRUN_MS = 30_000;
/** Per-request timeout in seconds: a request slower than this counts as an error (timeout). */
const REQUEST_TIMEOUT_S = 10;

/**
 * Use to drive one target for `durationS` seconds with `connections` concurrent connections.
 * `request` is `{ url, method, headers, body }`; `expectBody`, when set, is the exact body every
 * answer must have (a different one counts as a mismatch). Every response time (ms) is pushed into
 * `latencies`. Resolves to the counts of the run.
 */
export function runLoad({ request, connections, durationS, expectBody, latencies, onStart }) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: request.url,
        method: request.method,
        headers: request.headers,
        body: request.body,
        connections,
        duration: durationS,
        pipelining: 1,
        timeout: REQUEST_TIMEOUT_S,
        expectBody,
      },
      (error, result) => {
        clearTimeout(watchdog);
        if (error) return reject(error);
        resolve({
          durationS: result.duration,
          completed: result.requests.total,
          sent: result.requests.sent,
          reqPerSec: result.requests.total / result.duration,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          mismatches: result.mismatches,
        });
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTimeMs) => latencies.push(responseTimeMs));
    onStart?.(instance);
    const watchdog = setTimeout(
      () => {
        instance.stop();
        reject(new Error(`autocannon did not finish within ${durationS} s + ${OVERRUN_MS} ms`));
      },
      durationS * 1000 + OVERRUN_MS,
    );
  });
}

/** Use to hold many numbers cheaply (a growing Float64Array) and read percentiles from them. */
export function createSampleBuffer() {
  let values = new Float64Array(1 << 16);
  let length = 0;
  return {
    push(value) {
      if (length === values.length) {
        const grown = new Float64Array(values.length * 2);
        grown.set(values);
        values = grown;
      }
      values[length] = value;
      length += 1;
    },
    get length() {
      return length;
    },
    /** Percentiles (0..100) by nearest rank; null when empty. */
    percentiles(...ps) {
      if (length === 0) return ps.map(() => null);
      const sorted = values.slice(0, length).sort();
      return ps.map((p) => sorted[Math.min(length - 1, Math.max(0, Math.ceil((p / 100) * length) - 1))]);
    },
  };
}
