/**
 * @module commands/usage
 * `cachette usage [--month YYYY-MM]`: bytes moved this month (or another), by cache and by day, the free
 * tier used and left, the cost so far and the month's projection.
 */
import type { UsageReport } from '@cachette/core';
import type { Command } from 'commander';
import { globalOptions, report } from '../command-context.ts';
import { apiUrlFor, callHttpApi } from '../http-api.ts';
import { loadProfile } from '../profile.ts';
import { renderTable } from '../table.ts';

/** Human bytes: 1 kB = 1000 B, as on the bill. */
function bytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(2)} ${units[i]}`;
}
const usd = (n: number) => `$${n.toFixed(2)}`;

function render(r: UsageReport): string {
  const lines = [
    `Usage for ${r.month}: ${bytes(r.totals.bytes)} (${bytes(r.totals.bytesIn)} in, ${bytes(r.totals.bytesOut)} out), ${r.totals.requests} requests`,
    `Free tier: ${r.freeTier.usedGb.toFixed(3)} of ${r.freeTier.gb} GB used, ${r.freeTier.leftGb.toFixed(3)} GB left`,
    `Cost so far: ${usd(r.costUsd)} (${r.billableGb.toFixed(3)} GB billable at ${usd(r.pricePerGbUsd)}/GB)`,
    `Projected for the month: ${r.projection.gb.toFixed(3)} GB, ${usd(r.projection.costUsd)}`,
  ];
  if (r.byCache.length > 0) {
    const rows = r.byCache.map((c) => [c.cache, bytes(c.bytesIn), bytes(c.bytesOut), String(c.requests)]);
    lines.push('', renderTable(['CACHE', 'IN', 'OUT', 'REQUESTS'], rows, ['left', 'right', 'right', 'right']));
  }
  if (r.byDay.length > 0) {
    const rows = r.byDay.map((d) => [d.day, bytes(d.bytesIn), bytes(d.bytesOut), String(d.requests)]);
    lines.push('', renderTable(['DAY', 'IN', 'OUT', 'REQUESTS'], rows, ['left', 'right', 'right', 'right']));
  }
  return lines.join('\n');
}

/** Adds `usage` to the program. */
export function registerUsage(program: Command): void {
  program
    .command('usage')
    .description('bytes transferred, free tier and cost for a month')
    .option('--month <YYYY-MM>', 'the month to report (default: this month, UTC)')
    .option('--api-url <url>', "the server's HTTP API (default: from the API key)")
    .addHelpText('after', '\nExamples:\n  $ cachette usage\n  $ cachette usage --month 2026-10 --output json')
    .action(async function (this: Command, opts: { month?: string; apiUrl?: string }) {
      const options = globalOptions(this);
      const profile = loadProfile({ profile: options.profile });
      const r = await callHttpApi<UsageReport>({
        baseUrl: apiUrlFor(profile.apiKey, opts.apiUrl),
        method: 'GET',
        path: `v1/usage${opts.month ? `?month=${encodeURIComponent(opts.month)}` : ''}`,
        token: profile.apiKey,
      });
      report(options, render(r), r);
    });
}
