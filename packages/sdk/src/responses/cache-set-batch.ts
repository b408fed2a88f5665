/**
 * @module responses/cache-set-batch
 * `setBatch` answers `Success | Error`.
 */
import type { ErrorResponse, SuccessResponse } from './common.ts';

export { ErrorResponse as Error, SuccessResponse as Success } from './common.ts';

/** What `setBatch` resolves to. */
export type Response = SuccessResponse | ErrorResponse;
