/**
 * @module responses/cache-set
 * `set` answers `Success | Error`.
 */
import type { ErrorResponse, SuccessResponse } from './common.ts';

export { ErrorResponse as Error, SuccessResponse as Success } from './common.ts';

/** What `set` resolves to. */
export type Response = SuccessResponse | ErrorResponse;
