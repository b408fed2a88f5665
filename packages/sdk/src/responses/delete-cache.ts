/**
 * @module responses/delete-cache
 * `deleteCache` answers `Success | Error`.
 */
import type { ErrorResponse, SuccessResponse } from './common.ts';

export { ErrorResponse as Error, SuccessResponse as Success } from './common.ts';

/** What `deleteCache` resolves to. */
export type Response = SuccessResponse | ErrorResponse;
