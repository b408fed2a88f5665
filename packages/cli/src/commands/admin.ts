/**
 * @module commands/admin
 * Operator commands that work on the metadata store directly (the same `--data-dir` or `--database-url`
 * the server uses), not through an API key: `cachette admin plans`, `cachette admin set-plan`.
 * Running servers pick a changed plan up within 10 s (their plan cache).
 */

import { join } from 'node:path';
import { CacheError, ErrorCode } from '@cachette/core';
import type { MetadataStore } from '@cachette/metadata';
import { resolveSetting } from '@cachette/server/config';
import type { Command } from 'commander';
import { globalOptions, report } from '../command-context.ts';
import { settingOption } from '../setting-options.ts';
import { renderTable } from '../table.ts';

/** The store flags, as commander parsed them (unset ones absent: the environment and defaults come later). */
type StoreFlags = Record<string, unknown>;

/** The server's own settings for where metadata lives: same flags, variables and defaults. */
function storeOptions(cmd: Command): Command {
  return cmd
    .addOption(settingOption('dataDir', 'the server data directory (SQLite metadata)'))
    .addOption(settingOption('databaseUrl', 'PostgreSQL metadata (postgres://…)'))
    .addOption(settingOption('databaseSchema', 'PostgreSQL schema'));
}

async function withStore<T>(flags: StoreFlags, fn: (store: MetadataStore) => Promise<T>): Promise<T> {
  const sources = { flags, env: process.env };
  const dataDir = resolveSetting('dataDir', sources).value;
  const schema = resolveSetting('databaseSchema', sources).value;
  // Imported here, not at the top: database drivers would slow every other command's start.
  const { openMetadata } = await import('@cachette/metadata');
  const store = await openMetadata({
    databaseUrl: resolveSetting('databaseUrl', sources).value,
    sqlitePath: join(dataDir, 'metadata.db'),
    ...(schema ? { schema } : {}),
  });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Binary sizes, as the server's limits are set (5 MiB items, 1 MiB/s). */
function size(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1 && v % 1024 === 0) {
    v /= 1024;
    i++;
  }
  return `${v} ${units[i]}`;
}

/** A duration in the largest whole unit: 86400000 ms → "24 h" (hours, as Momento words its TTL limit). */
function duration(ms: number): string {
  const s = ms / 1000;
  if (s % 3600 === 0 && s >= 3600) return `${s / 3600} h`;
  if (s % 60 === 0 && s >= 60) return `${s / 60} min`;
  return `${s} s`;
}

const NO_LIMIT = 'no limit';

/** Adds `plans` and `set-plan` to the `admin` group. */
export function registerAdmin(admin: Command): void {
  storeOptions(admin.command('plans').description('list the plans accounts can be on')).action(async function (
    this: Command,
    opts: StoreFlags,
  ) {
    const plans = await withStore(opts, (s) => s.listPlans());
    const rows = plans.map((p) => [
      p.name,
      p.maxRequestsPerSecond === null ? NO_LIMIT : String(p.maxRequestsPerSecond),
      p.maxThroughputBytesPerSecond === null ? NO_LIMIT : `${size(p.maxThroughputBytesPerSecond)}/s`,
      size(p.maxItemSizeBytes),
      duration(p.maxTtlMs),
      p.maxCaches === null ? NO_LIMIT : String(p.maxCaches),
    ]);
    const header = ['PLAN', 'REQUESTS/S PER CACHE', 'BANDWIDTH PER CACHE', 'LARGEST ITEM', 'LONGEST TTL', 'CACHES'];
    const text = renderTable(header, rows);
    report(globalOptions(this), text, { plans });
  });

  storeOptions(
    admin
      .command('set-plan')
      .description('move an account to a plan (e.g. unlimited); running servers apply it within 10 s')
      .requiredOption('--account <id-or-email>', 'the account id (acc_…) or its e-mail address')
      .requiredOption('--plan <name>', 'a plan from `cachette admin plans`')
      .addHelpText(
        'after',
        '\nExamples:\n  $ cachette admin set-plan --account you@example.com --plan unlimited --data-dir /var/lib/cachette',
      ),
  ).action(async function (this: Command, opts: StoreFlags & { account: string; plan: string }) {
    await withStore(opts, async (store) => {
      const account = opts.account.includes('@')
        ? await store.findAccountByEmail(opts.account.trim().toLowerCase())
        : await store.getAccount(opts.account);
      if (account === undefined) throw new CacheError(ErrorCode.NOT_FOUND, `account '${opts.account}' not found`);
      await store.setAccountPlan(account.id, opts.plan);
      report(globalOptions(this), `account ${account.id} is now on plan '${opts.plan}'`, {
        account: account.id,
        plan: opts.plan,
      });
    });
  });
}
