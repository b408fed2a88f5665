/**
 * @module responses/cache-keys-exist
 * `keysExist` answers `Success` with one boolean per key, or `Error`.
 */
import { ErrorResponse } from './common.ts';

/** Whether each key exists, in request order. */
export class Success {
  readonly type = 'Success' as const;
  readonly exists: readonly boolean[];

  constructor(exists: readonly boolean[]) {
    this.exists = exists;
  }
}

export { ErrorResponse as Error };

/** What `keysExist` resolves to. */
export type Response = Success | ErrorResponse;
