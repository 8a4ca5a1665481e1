import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../http/read-body.js';
import { createJobs, deleteJobs, SimulatorChangeError, updateJob } from './changes.js';
import { faultRuleFromUnknown, type FaultList } from './faults.js';
import type { SimulatorData } from './simulator-data.js';
import { TIE_ORDERS, type TieOrder } from './sync-job-window.js';
import { redactRecordedRequest, type RecordedRequest } from './recorded-request.js';
import { sendSwrJson } from './respond.js';

/** Paths of the control API start with this; nothing upstream lives there. */
export const CONTROL_PREFIX = '/__simulator/';

/** What the control API may read and change. */
export interface ControlApiState {
  faults: FaultList;
  requests(): readonly RecordedRequest[];
  clearRequests(): void;
  data(): SimulatorData;
  setTieOrder(order: TieOrder): void;
}

const MAX_BODY_BYTES = 64 * 1024;

/**
 * Use when the simulator runs as its own process (benchmarks, soak) and the test driving it needs
 * its knobs: `POST|GET|DELETE /__simulator/faults`, `GET|DELETE /__simulator/requests`, and
 * `POST /__simulator/changes` with one change as JSON: `{"create": JobCreation}`,
 * `{"delete": {namespace, repository, ids}}`, `{"update": JobUpdate}` or `{"tieOrder": "id" | "ascending" | "shuffled"}`
 * (answers 200 with what changed). Recorded requests leave without their tokens (see redactRecordedRequest).
 */
export async function handleControlRequest(req: IncomingMessage, res: ServerResponse, path: string, state: ControlApiState): Promise<void> {
  const resource = path.slice(CONTROL_PREFIX.length);
  const method = req.method ?? 'GET';
  if (resource === 'faults') {
    if (method === 'POST') return addFaultFromBody(req, res, state.faults);
    req.resume();
    if (method === 'GET') return sendSwrJson(res, 200, state.faults.list());
    if (method === 'DELETE') {
      state.faults.clear();
      return noContent(res);
    }
    return methodNotAllowed(res, 'GET, POST, DELETE');
  }
  if (resource === 'changes') {
    if (method !== 'POST') {
      req.resume();
      return methodNotAllowed(res, 'POST');
    }
    return applyChangeFromBody(req, res, state);
  }
  req.resume();
  if (resource === 'requests') {
    if (method === 'GET') return sendSwrJson(res, 200, state.requests().map(redactRecordedRequest));
    if (method === 'DELETE') {
      state.clearRequests();
      return noContent(res);
    }
    return methodNotAllowed(res, 'GET, DELETE');
  }
  sendSwrJson(res, 404, { error: `no control resource '${resource}'; try faults or requests` });
}

/** POST /__simulator/faults: the body is one FaultRule as JSON; answers 201 with the active rules. */
async function addFaultFromBody(req: IncomingMessage, res: ServerResponse, faults: FaultList): Promise<void> {
  let text: string;
  try {
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === null) return; // the client left
    text = body.toString('utf8');
  } catch (error) {
    // The rest of the body is unread, so the connection cannot carry another request.
    if (!res.destroyed) sendSwrJson(res, 413, { error: (error as Error).message }, { Connection: 'close' });
    return;
  }
  let rule;
  try {
    rule = faultRuleFromUnknown(JSON.parse(text));
  } catch (error) {
    return sendSwrJson(res, 400, { error: (error as Error).message });
  }
  faults.add(rule);
  sendSwrJson(res, 201, faults.list());
}

/** POST /__simulator/changes: one change to the data (see handleControlRequest). */
async function applyChangeFromBody(req: IncomingMessage, res: ServerResponse, state: ControlApiState): Promise<void> {
  let change: Record<string, unknown>;
  try {
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === null) return;
    change = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch (error) {
    if (!res.destroyed) sendSwrJson(res, 400, { error: (error as Error).message }, { Connection: 'close' });
    return;
  }
  try {
    if (change.create) return sendSwrJson(res, 200, { created: createJobs(state.data(), change.create as never) });
    if (change.delete) return sendSwrJson(res, 200, { deleted: deleteJobs(state.data(), change.delete as never) });
    if (change.update) return sendSwrJson(res, 200, { updated: updateJob(state.data(), change.update as never) });
    if (TIE_ORDERS.includes(change.tieOrder as TieOrder)) {
      state.setTieOrder(change.tieOrder as TieOrder);
      return sendSwrJson(res, 200, { tieOrder: change.tieOrder });
    }
    sendSwrJson(res, 400, { error: 'expected one of create, delete, update, tieOrder' });
  } catch (error) {
    sendSwrJson(res, error instanceof SimulatorChangeError ? 404 : 400, { error: (error as Error).message });
  }
}

/** 204 for a done DELETE. */
function noContent(res: ServerResponse): void {
  res.writeHead(204);
  res.end();
}

/** 405 with the methods the resource takes. */
function methodNotAllowed(res: ServerResponse, allow: string): void {
  sendSwrJson(res, 405, { error: `method not allowed; use ${allow}` }, { Allow: allow });
}
