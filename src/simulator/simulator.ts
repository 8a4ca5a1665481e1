import { randomBytes } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { CONTROL_PREFIX, handleControlRequest } from './control-api.js';
import { createDemoData } from './demo-data.js';
import { swrErrorCode } from './error-body.js';
import type { SwrSyncJob } from '../swr/types.js';
import { createJobs, deleteJobs, updateJob, type JobCreation, type JobUpdate } from './changes.js';
import { createFaultList, type FaultRule } from './faults.js';
import { filterFromQuery } from './filter-param.js';
import type { RecordedRequest } from './recorded-request.js';
import { encodeAnswer, sendSwrJson, sendSwrError, sendText } from './respond.js';
import type { SimulatorData } from './simulator-data.js';
import { answerSyncJob, SIMULATOR_ERROR_CODES } from './sync-job-answer.js';
import { syncJobPathFromUrlPath } from './sync-job-path.js';
import type { TieOrder } from './sync-job-window.js';

export interface SwrSimulatorOptions {
  /** What the simulator serves. @default createDemoData() */
  data?: SimulatorData;
  /**
   * Oldest recordings are dropped beyond this many (in batches, so up to a quarter more may be
   * held): a soak run must not grow the simulator's memory without bound.
   * @default 10000
   */
  maxRecordedRequests?: number;
}

export interface SwrSimulator {
  /** Starts listening; resolves to the base URL, e.g. 'http://127.0.0.1:43121'. Default port 0, host 127.0.0.1. */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops listening, ends hanging requests and open keep-alive sockets. */
  close(): Promise<void>;
  /** The base URL; throws if not listening. */
  readonly url: string;
  /** Every request to the sync_job API, in arrival order. */
  readonly requests: RecordedRequest[];
  /** sync_job requests received and not yet answered (or given up on by the client), right now. */
  readonly inFlight: number;
  /** The most sync_job requests in flight at once since the start or the last clearRequests(). */
  readonly maxInFlight: number;
  /** Forgets the recorded requests and resets maxInFlight to what is in flight now. */
  clearRequests(): void;
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  /** Replace data at run time (tests). */
  setData(data: SimulatorData): void;
  /** New jobs at the head of a repository (as pushes make them); returns them. */
  createJobs(creation: JobCreation): SwrSyncJob[];
  /** Deletes jobs by id (as retention does); returns how many there were. */
  deleteJobs(target: { namespace: string; repository: string; ids: number[]; tenant?: string }): number;
  /** Moves a job on (status, updatedAt); returns it. */
  updateJob(update: JobUpdate): SwrSyncJob;
  /** How jobs of one instant are ordered in answers (see TieOrder). @default 'id' */
  setTieOrder(order: TieOrder): void;
}

/**
 * IAM tokens run to several KB and the gateway accepts up to 32 KiB; Node's default 16 KiB
 * header limit would turn a legitimate long token into a 431 that real SWR never sends.
 */
const MAX_HEADER_BYTES = 64 * 1024;

/** Idle keep-alive sockets go after this; close() destroys them anyway. */
const KEEP_ALIVE_TIMEOUT_MS = 5_000;

/** A JSON array cut off mid-object: what a proxy that dropped the connection half-way would deliver. */
const MALFORMED_BODY = '[{"id": 1, "status": "succ';
/** Valid JSON, wrong shape: an object where SWR sends a bare array. */
const WRONG_SHAPE_BODY = { jobs: [] };

/**
 * Use to run an HTTP server that answers like SWR's sync_job API (see swr-api/show-sync-job.txt),
 * with knobs to make it misbehave (faults) and a log of what it was asked (requests).
 * It is a real listener, so clients are tested with their real HTTP stack, timeouts and pooling.
 */
export function createSwrSimulator(options: SwrSimulatorOptions = {}): SwrSimulator {
  let data = options.data ?? createDemoData();
  let tieOrder: TieOrder = 'id';
  const maxRecorded = options.maxRecordedRequests ?? 10_000;
  if (!Number.isInteger(maxRecorded) || maxRecorded < 1) {
    throw new RangeError(`maxRecordedRequests must be a positive integer, got ${maxRecorded}`);
  }
  // Trimming one by one would move the whole array on every request; trimming a batch is amortised O(1).
  const trimAt = maxRecorded + Math.ceil(maxRecorded / 4);
  const faults = createFaultList();
  const requests: RecordedRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const clearRequests = () => {
    requests.length = 0;
    maxInFlight = inFlight;
  };
  const sockets = new Set<Socket>();
  // Cancellers of latency faults in progress, so close() does not wait out a long delay.
  const pendingDelays = new Set<() => void>();
  let baseUrl: string | undefined;

  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => {
    handleRequest(req, res).catch(() => {
      // A bug in the simulator: say so like an upstream 500 would, or drop the socket if too late.
      if (res.headersSent) res.destroy();
      else sendSwrError(res, { status: 500, code: swrErrorCode(500, 0), message: 'Internal simulator error' });
    });
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  /** Waits `ms`; false when close() cut the wait short (the request then goes unanswered). */
  function delay(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const cancel = (): void => {
        clearTimeout(timer);
        pendingDelays.delete(cancel);
        resolve(false);
      };
      const timer = setTimeout(() => {
        pendingDelays.delete(cancel);
        resolve(true);
      }, ms);
      pendingDelays.add(cancel);
    });
  }

  /** Routes one request: control API, sync_job (faults first), or an SWR-shaped 404. */
  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Real SWR tags every answer, errors included, so clients can quote it in their error reports.
    res.setHeader('X-Request-Id', randomBytes(16).toString('hex'));
    const rawUrl = req.url ?? '/';
    const queryStart = rawUrl.indexOf('?');
    const path = queryStart < 0 ? rawUrl : rawUrl.slice(0, queryStart);
    const rawQuery = queryStart < 0 ? '' : rawUrl.slice(queryStart + 1);

    if (path.startsWith(CONTROL_PREFIX)) {
      return handleControlRequest(req, res, path, {
        faults,
        requests: () => requests,
        clearRequests,
        data: () => data,
        setTieOrder: (order) => (tieOrder = order),
      });
    }
    // Request bodies mean nothing below; draining keeps the keep-alive connection usable.
    req.resume();
    const route = syncJobPathFromUrlPath(path);
    if (route.kind === 'not-sync-job') {
      return sendSwrError(res, {
        status: 404,
        code: SIMULATOR_ERROR_CODES.notFound,
        message: `No API at ${req.method ?? 'GET'} ${path}`,
      });
    }

    const filter = filterFromQuery(rawQuery);
    const tokenHeader = req.headers['x-auth-token'];
    const token = Array.isArray(tokenHeader) ? tokenHeader.join(', ') : (tokenHeader ?? null);
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path,
      rawQuery,
      filter: filter.value,
      namespace: route.kind === 'sync-job' ? route.namespace : null,
      repository: route.kind === 'sync-job' ? route.repository : null,
      token,
      headers: { ...req.headers },
      status: 0,
      aborted: false,
    };
    // In flight from arrival until the answer is sent or the client gives up (a hang ends on close).
    inFlight += 1;
    if (inFlight > maxInFlight) maxInFlight = inFlight;
    res.once('close', () => {
      inFlight -= 1;
      if (!res.writableFinished) recorded.aborted = true;
    });
    // Recorded before any fault, so a test sees the call even when the client gave up on it.
    requests.push(recorded);
    if (requests.length > trimAt) requests.splice(0, requests.length - maxRecorded);

    // Faults come before auth and validation: they stand for the upstream itself misbehaving.
    const rule = faults.take(recorded.namespace, recorded.repository);
    if (rule?.latencyMs !== undefined && rule.latencyMs > 0) {
      const waited = await delay(rule.latencyMs);
      if (!waited) return;
    }
    // The client may have given up during the delay; there is nobody left to answer.
    if (res.destroyed) return;
    if (rule?.hang === true) return; // close() destroys the socket; until then the client waits.
    if (rule?.reset === true) {
      // RST rather than FIN, so the client sees ECONNRESET as with a crashed upstream.
      req.socket.resetAndDestroy();
      return;
    }
    if (rule?.contentEncoding !== undefined) encodeAnswer(res, rule.contentEncoding);
    recorded.status =
      answerWithFault(res, rule, token) ??
      answerSyncJob(res, { method: recorded.method, route, filter: filter.result, token }, data, {
        omitContentRange: rule?.noContentRange === true,
        tieOrder,
        ...(rule?.maxItems === undefined ? {} : { maxItems: rule.maxItems }),
      });
  }

  const simulator: SwrSimulator = {
    async listen(port = 0, host = '127.0.0.1') {
      if (server.listening) throw new Error(`SWR simulator is already listening at ${baseUrl ?? '?'}`);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      baseUrl = urlFromAddress(server.address() as AddressInfo);
      return baseUrl;
    },
    async close() {
      baseUrl = undefined;
      for (const cancel of [...pendingDelays]) cancel();
      if (!server.listening) return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // server.close() alone waits for keep-alive and hanging sockets; those may never end by themselves.
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    get url() {
      if (baseUrl === undefined) throw new Error('SWR simulator is not listening; call listen() first');
      return baseUrl;
    },
    get requests() {
      return requests;
    },
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    clearRequests,
    addFault(rule) {
      faults.add(rule);
    },
    clearFaults() {
      faults.clear();
    },
    setData(next) {
      data = next;
    },
    createJobs: (creation) => createJobs(data, creation),
    deleteJobs: (target) => deleteJobs(data, target),
    updateJob: (update) => updateJob(data, update),
    setTieOrder(order) {
      tieOrder = order;
    },
  };
  return simulator;
}

/** Answers for the faults that replace the answer; undefined when the rule (if any) leaves it normal. */
function answerWithFault(res: ServerResponse, rule: FaultRule | undefined, token: string | null): number | undefined {
  if (rule === undefined) return undefined;
  if (rule.status !== undefined) {
    const reason = STATUS_CODES[rule.status] ?? 'Error';
    sendSwrError(res, {
      status: rule.status,
      code: swrErrorCode(rule.status, 0),
      message: rule.errorMessage === undefined ? reason : rule.errorMessage.replaceAll('{token}', token ?? ''),
      detail: `simulated fault: ${rule.status} ${reason}`,
      shape: rule.errorShape ?? 'new',
      headers: rule.retryAfter === undefined ? {} : { 'Retry-After': rule.retryAfter },
    });
    return rule.status;
  }
  if (rule.malformedBody === true) {
    sendText(res, 200, MALFORMED_BODY);
    return 200;
  }
  if (rule.wrongShapeBody === true) {
    sendSwrJson(res, 200, WRONG_SHAPE_BODY);
    return 200;
  }
  return undefined;
}

/** The URL clients should use; a wildcard bind address is reached through loopback. */
function urlFromAddress(address: AddressInfo): string {
  let host = address.address;
  if (host === '0.0.0.0') host = '127.0.0.1';
  if (host === '::') host = '::1';
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}
