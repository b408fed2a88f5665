/**
 * @module responses/get-usage
 * `usage` answers `Success` with the month's billing view, or `Error`.
 */
import type { UsageReport } from '@cachette/core';
import { ErrorResponse } from './common.ts';

/** `GET /v1/usage`: what the account transferred in a month and what it costs (the wire type from core). */
export type { UsageReport, UsageTotals } from '@cachette/core';

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
