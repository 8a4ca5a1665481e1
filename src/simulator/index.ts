// The bundled SWR simulator: an HTTP server speaking SWR's sync_job API, with demo data and faults.
export { createSwrSimulator } from './simulator.js';
export type { SwrSimulator, SwrSimulatorOptions } from './simulator.js';
export type { SimulatorData, SimulatorTenant } from './simulator-data.js';
export {
  createDemoData,
  createTenantData,
  DEMO_DOMAIN_ID,
  DEMO_DOMAIN_NAME,
  DEMO_NAMESPACE,
  DEMO_REPOSITORIES,
  SYNC_JOB_STATUSES,
} from './demo-data.js';
export type { TenantDataOptions } from './demo-data.js';
export { faultRuleFromUnknown } from './faults.js';
export type { FaultRule } from './faults.js';
export { redactRecordedRequest, tokenFingerprint } from './recorded-request.js';
export type { RecordedRequest, RedactedRecordedRequest } from './recorded-request.js';
export { filterFromQuery, parseFilterParam } from './filter-param.js';
export type { FilterParseResult, SyncJobFilter } from './filter-param.js';
export { SIMULATOR_ERROR_CODES } from './sync-job-answer.js';
export type { SwrErrorShape } from './error-body.js';
export { createJobs, deleteJobs, updateJob, swrTime } from './changes.js';
export type { JobCreation, JobUpdate } from './changes.js';
export type { TieOrder } from './sync-job-window.js';
export { startDemoActivity, DEMO_ACTIVITY_REPOSITORY, DEMO_ACTIVITY_INTERVAL_MS } from './demo-activity.js';
export type { DemoActivity, DemoActivityOptions } from './demo-activity.js';
