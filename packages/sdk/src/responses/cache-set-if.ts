/**
 * @module responses/cache-set-if
 * Conditional sets (`setIfAbsent`, `setIfPresent`, `setIfEqual`, …) answer `Stored | NotStored | Error`.
 */
import { ErrorResponse } from './common.ts';

/** The condition held and the value was written. */
export class Stored {
  readonly type = 'Stored' as const;
}

/** The condition did not hold; the item is unchanged. */
export class NotStored {
  readonly type = 'NotStored' as const;
}

export { ErrorResponse as Error };

/** What a conditional set resolves to. */
export type Response = Stored | NotStored | ErrorResponse;
