/**
 * @module usage-report
 * The wire shape of `GET /v1/usage`: one account's billing view for one calendar month (UTC). The server
 * builds it, the SDK and CLI read it; 1 GB = 10^9 bytes, as cloud bills count.
 */

/** Bytes and requests over some period. */
export interface UsageTotals {
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly bytes: number;
  readonly gb: number;
  readonly requests: number;
}

/** What an account transferred in a month and what it costs. */
export interface UsageReport {
  /** `YYYY-MM`. */
  readonly month: string;
  readonly totals: UsageTotals;
  readonly byCache: ReadonlyArray<{ readonly cache: string } & UsageTotals>;
  /** One entry per day with usage, `YYYY-MM-DD`. */
  readonly byDay: ReadonlyArray<{ readonly day: string } & UsageTotals>;
  readonly freeTier: { readonly gb: number; readonly usedGb: number; readonly leftGb: number };
  readonly billableGb: number;
  readonly pricePerGbUsd: number;
  readonly costUsd: number;
  /** Where the month ends at the average rate so far (equal to the totals for a past month). */
  readonly projection: { readonly gb: number; readonly costUsd: number };
  /** Fraction of the month elapsed when the report was made (1 for past months). */
  readonly monthElapsed: number;
}
