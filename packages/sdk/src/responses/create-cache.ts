/**
 * @module responses/create-cache
 * `createCache` answers `Success | AlreadyExists | Error`: an existing cache is an outcome, not a failure.
 */
import { ErrorResponse, SuccessResponse } from './common.ts';

/** A cache of that name already exists; it was left as it was. */
export class AlreadyExists {
  readonly type = 'AlreadyExists' as const;
}

export { ErrorResponse as Error, SuccessResponse as Success };

/** What `createCache` resolves to. */
export type Response = SuccessResponse | AlreadyExists | ErrorResponse;
