/**
 * @module responses/get-usage
 * `usage` answers `Success` with the month's billing view, or `Error`.
 */
import { ErrorResponse } from './common.ts';

/** Bytes and requests over some period. */
export interface UsageTotals {
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly bytes: number;
  readonly gb: number;
  readonly requests: number;
}

/** `GET /v1/usage`: what the account transferred in a month and what it costs. */
export interface UsageReport {
  /** `YYYY-MM`. */
  readonly month: string;
  readonly totals: UsageTotals;
  readonly byCache: ReadonlyArray<{ readonly cache: string } & UsageTotals>;
  readonly byDay: ReadonlyArray<{ readonly day: string } & UsageTotals>;
  readonly freeTier: { readonly gb: number; readonly usedGb: number; readonly leftGb: number };
  readonly billableGb: number;
  readonly pricePerGbUsd: number;
  readonly costUsd: number;
  /** Where the month ends at the average rate so far. */
  readonly projection: { readonly gb: number; readonly costUsd: number };
  /** Fraction of the month elapsed (1 for past months). */
  readonly monthElapsed: number;
}

/** The report. */
export class Success {
  readonly type = 'Success' as const;
  readonly report: UsageReport;

  constructor(report: UsageReport) {
    this.report = report;
  }
}

export { ErrorResponse as Error };

/** What `usage` resolves to. */
export type Response = Success | ErrorResponse;
