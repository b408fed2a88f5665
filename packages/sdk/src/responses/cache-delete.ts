/**
 * @module responses/cache-delete
 * `delete` answers `Success | Error`.
 */
import type { ErrorResponse, SuccessResponse } from './common.ts';

export { ErrorResponse as Error, SuccessResponse as Success } from './common.ts';

/** What `delete` resolves to. */
export type Response = SuccessResponse | ErrorResponse;
