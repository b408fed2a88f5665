/**
 * @module responses/cache-increment
 * `increment` answers `Success` with the new value, or `Error` (`FAILED_PRECONDITION` when the item is not
 * an integer).
 */
import { ErrorResponse } from './common.ts';

/** The item now holds {@link Success.value}. */
export class Success {
  readonly type = 'Success' as const;
  private readonly decimal: string;

  constructor(decimal: string) {
    this.decimal = decimal;
  }

  /** The new value as a number (exact up to 2^53; use {@link Success.valueBigInt} beyond). */
  value(): number {
    return Number(this.decimal);
  }

  /** The new value, exact over the server's whole int64 range. */
  valueBigInt(): bigint {
    return BigInt(this.decimal);
  }
}

export { ErrorResponse as Error };

/** What `increment` resolves to. */
export type Response = Success | ErrorResponse;
