import type { ServerResponse } from 'node:http';
import { swrErrorCode } from './error-body.js';
import type { FilterParseResult } from './filter-param.js';
import { sendSwrJson, sendSwrError } from './respond.js';
import { jobsOfRepository, tenantForToken, type SimulatorData } from './simulator-data.js';
import type { SyncJobPath } from './sync-job-path.js';
import { contentRangeFromWindow, windowFromJobs, type TieOrder } from './sync-job-window.js';

/** What a sync_job request asked for, parsed once (the same values went into the request log). */
export interface SyncJobRequest {
  method: string;
  route: Exclude<SyncJobPath, { kind: 'not-sync-job' }>;
  filter: FilterParseResult;
  token: string | null;
}

/** Stable codes of the simulator's natural errors, `SVCSTG.SWR.<status><4 digits>`. */
export const SIMULATOR_ERROR_CODES = {
  badFilter: swrErrorCode(400, 1),
  badPath: swrErrorCode(400, 2),
  noToken: swrErrorCode(401, 0),
  badToken: swrErrorCode(401, 1),
  notFound: swrErrorCode(404, 0),
  namespaceNotFound: swrErrorCode(404, 1),
  repositoryNotFound: swrErrorCode(404, 2),
  methodNotAllowed: swrErrorCode(405, 0),
} as const;

/**
 * Use once faults had their say: answer as SWR would. Checks run in the order a real gateway
 * meets them (method, token, path, filter, then existence), each failure a 'new'-shaped error.
 * Returns the status sent, for the request log.
 */
export function answerSyncJob(
  res: ServerResponse,
  request: SyncJobRequest,
  data: SimulatorData,
  options: { omitContentRange?: boolean; tieOrder?: TieOrder; maxItems?: number } = {},
): number {
  const { method, route, filter, token } = request;
  if (method !== 'GET') {
    return refuse(res, 405, SIMULATOR_ERROR_CODES.methodNotAllowed, `Method ${method} is not allowed; use GET`, {
      Allow: 'GET',
    });
  }
  if (token === null || token === '') {
    return refuse(res, 401, SIMULATOR_ERROR_CODES.noToken, 'Authentication required: the X-Auth-Token header is missing');
  }
  const tenant = tenantForToken(data, token);
  if (tenant === undefined) {
    return refuse(res, 401, SIMULATOR_ERROR_CODES.badToken, 'Authentication failed: the token is invalid or expired');
  }
  if (route.kind === 'undecodable') {
    return refuse(res, 400, SIMULATOR_ERROR_CODES.badPath, 'Invalid path parameter: malformed percent-encoding');
  }
  if (!filter.ok) return refuse(res, 400, SIMULATOR_ERROR_CODES.badFilter, `Invalid filter: ${filter.message}`);

  const found = jobsOfRepository(tenant, route.namespace, route.repository);
  if (found.found === 'namespace-missing') {
    return refuse(res, 404, SIMULATOR_ERROR_CODES.namespaceNotFound, `Namespace ${route.namespace} not found`);
  }
  if (found.found === 'repository-missing') {
    return refuse(res, 404, SIMULATOR_ERROR_CODES.repositoryNotFound, `Repository ${route.namespace}/${route.repository} not found`);
  }
  const asked = filter.filter;
  const window = windowFromJobs(
    found.jobs,
    options.maxItems === undefined ? asked : { ...asked, limit: Math.min(asked.limit, options.maxItems) },
    options.tieOrder,
  );
  // SWR sends Content-Range whenever limit and offset are given, which the filter check made sure of.
  const headers: Record<string, string> = options.omitContentRange
    ? {}
    : { 'Content-Range': contentRangeFromWindow(filter.filter.offset, window) };
  sendSwrJson(res, 200, window.items, headers);
  return 200;
}

/** Sends one natural ('new'-shaped) error and returns its status. */
function refuse(res: ServerResponse, status: number, code: string, message: string, headers?: Record<string, string>): number {
  sendSwrError(res, { status, code, message, headers });
  return status;
}
