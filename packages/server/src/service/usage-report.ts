/**
 * @module service/usage-report
 * The billing view of one account for one calendar month (UTC): GB in and out by cache and by day, the
 * free tier used and left, the cost so far and a projection for the whole month. 1 GB = 10^9 bytes, as
 * cloud bills count; prices are configuration.
 */
import { CacheError, ErrorCode, type UsageReport, type UsageTotals } from '@cachette/core';
import type { MetadataStore } from '@cachette/metadata';

export interface Pricing {
  /** Free transfer per account per calendar month, in GB. Default 50. */
  readonly freeGbPerMonth: number;
  /** Price per GB beyond the free tier, in USD. Default 0.15. */
  readonly pricePerGbUsd: number;
}

export const defaultPricing: Pricing = { freeGbPerMonth: 50, pricePerGbUsd: 0.15 };

const GB = 1e9;

/** Parses `YYYY-MM` into the month's [start, end) in ms; INVALID_ARGUMENT otherwise. */
export function monthRange(month: string): { fromMs: number; toMs: number } {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  const year = Number(m?.[1]);
  const mon = Number(m?.[2]);
  if (!m || mon < 1 || mon > 12) {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, `month '${month}' must be written YYYY-MM, e.g. 2026-11`);
  }
  return { fromMs: Date.UTC(year, mon - 1, 1), toMs: Date.UTC(year, mon, 1) };
}

/** `YYYY-MM` of the UTC month containing `ms`. */
export function monthOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

function totals(bytesIn: number, bytesOut: number, requests: number): UsageTotals {
  const bytes = bytesIn + bytesOut;
  return { bytesIn, bytesOut, bytes, gb: bytes / GB, requests };
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Builds the report from the metadata store's hourly rows. */
export async function buildUsageReport(
  metadata: MetadataStore,
  accountId: string,
  month: string,
  nowMs: number,
  pricing: Pricing,
): Promise<UsageReport> {
  const { fromMs, toMs } = monthRange(month);
  const rows = await metadata.listUsage(accountId, fromMs, toMs);
  const caches = new Map<string, [number, number, number]>();
  const days = new Map<string, [number, number, number]>();
  let bytesIn = 0;
  let bytesOut = 0;
  let requests = 0;
  for (const r of rows) {
    bytesIn += r.bytesIn;
    bytesOut += r.bytesOut;
    requests += r.requests;
    for (const [map, key] of [
      [caches, r.cacheName],
      [days, new Date(r.hourStartMs).toISOString().slice(0, 10)],
    ] as const) {
      const t = map.get(key) ?? [0, 0, 0];
      t[0] += r.bytesIn;
      t[1] += r.bytesOut;
      t[2] += r.requests;
      map.set(key, t);
    }
  }
  const total = totals(bytesIn, bytesOut, requests);
  const usedFree = Math.min(total.gb, pricing.freeGbPerMonth);
  const billableGb = Math.max(0, total.gb - pricing.freeGbPerMonth);
  const elapsed = nowMs >= toMs ? 1 : nowMs <= fromMs ? 0 : (nowMs - fromMs) / (toMs - fromMs);
  const projectedGb = elapsed === 0 ? 0 : total.gb / elapsed;
  return {
    month,
    totals: total,
    byCache: [...caches]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([cache, t]) => ({ cache, ...totals(t[0], t[1], t[2]) })),
    byDay: [...days].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, t]) => ({ day, ...totals(t[0], t[1], t[2]) })),
    freeTier: { gb: pricing.freeGbPerMonth, usedGb: usedFree, leftGb: pricing.freeGbPerMonth - usedFree },
    billableGb,
    pricePerGbUsd: pricing.pricePerGbUsd,
    costUsd: round(billableGb * pricing.pricePerGbUsd, 6),
    projection: {
      gb: projectedGb,
      costUsd: round(Math.max(0, projectedGb - pricing.freeGbPerMonth) * pricing.pricePerGbUsd, 6),
    },
    monthElapsed: elapsed,
  };
}
