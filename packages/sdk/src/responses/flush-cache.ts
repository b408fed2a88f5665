/**
 * @module responses/flush-cache
 * `flushCache` answers `Success | Error`.
 */
import type { ErrorResponse, SuccessResponse } from './common.ts';

export { ErrorResponse as Error, SuccessResponse as Success } from './common.ts';

/** What `flushCache` resolves to. */
export type Response = SuccessResponse | ErrorResponse;
