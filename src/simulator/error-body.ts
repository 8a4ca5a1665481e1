/**
 * The three shapes SWR has used for error bodies (the README's "Errors" names them:
 * `{error_code, error_msg}`, and `{errorCode, errorMessage, detail}` alone or in an array).
 */
export type SwrErrorShape = 'new' | 'old' | 'old-array';

/** Use to build the JSON body of an SWR error answer in the given shape. */
export function swrErrorBody(shape: SwrErrorShape, code: string, message: string, detail: string): unknown {
  if (shape === 'new') return { error_code: code, error_msg: message };
  const old = { errorCode: code, errorMessage: message, detail };
  return shape === 'old' ? old : [old];
}

/** Use to make an SWR error code, `SVCSTG.SWR.<status><4 digits>`, e.g. (401, 0) → `SVCSTG.SWR.4010000`. */
export function swrErrorCode(status: number, detailNumber: number): string {
  return `SVCSTG.SWR.${status}${String(detailNumber).padStart(4, '0')}`;
}
