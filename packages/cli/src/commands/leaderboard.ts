/**
 * @module commands/leaderboard
 * `cachette leaderboard upsert|fetch|rank|length|remove|delete`: Momento leaderboards through the official
 * SDK's `PreviewLeaderboardClient`. Elements are `id=score` words; fetches and ranks print one
 * "rank<TAB>id<TAB>score" line per element (ranks 0-based).
 */
import { CacheError, ErrorCode } from '@cachette/core';
import { type ILeaderboard, LeaderboardOrder, type SdkError } from '@gomomento/sdk';
import type { Command } from 'commander';
import { connectLeaderboards, fromSdkError } from '../client.ts';
import { type CommandContext, cacheName, report, withClient } from '../command-context.ts';
import { optionalInt } from './collection-options.ts';

interface BoardFlags {
  leaderboard: string;
  name?: string;
}

type Element = { id: number; score: number; rank: number };

/** An SDK response that is either a success or carries its SDK error. */
type Outcome = { type: string; innerException?: () => SdkError };

/** Runs `fn` on the leaderboard named by the flags, with a leaderboard client that is always closed. */
async function withBoard(
  cmd: Command,
  flags: BoardFlags,
  fn: (board: ILeaderboard, ctx: CommandContext, cache: string) => Promise<void>,
): Promise<void> {
  await withClient(cmd, async (ctx) => {
    const cache = cacheName(flags.name, ctx.profile);
    const client = connectLeaderboards({
      apiKey: ctx.profile.apiKey,
      endpoint: ctx.endpoint,
      endpointOverridden: ctx.options.endpoint !== undefined,
      tls: ctx.options.tls,
      defaultTtlSeconds: ctx.profile.ttlSeconds,
    });
    try {
      await fn(client.leaderboard(cache, flags.leaderboard), ctx, cache);
    } finally {
      client.close();
    }
  });
}

/** Throws the CLI's error for an SDK error response; returns for a success. */
function check(res: Outcome, ctx: CommandContext, cache: string, board: string): void {
  if (res.type === 'Error' && res.innerException !== undefined) {
    throw fromSdkError(res.innerException(), ctx.errorContext(cache, board));
  }
}

function ids(words: readonly string[]): number[] {
  return words.map((w) => {
    const id = Number(w);
    if (!/^\d+$/.test(w) || !Number.isSafeInteger(id)) {
      throw new CacheError(ErrorCode.INVALID_ARGUMENT, `invalid id '${w}': use a whole number 0..4294967295`);
    }
    return id;
  });
}

function elements(words: readonly string[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const w of words) {
    const m = /^(\d+)=(.+)$/.exec(w);
    const score = Number(m?.[2]);
    if (m === null || !Number.isFinite(score)) {
      throw new CacheError(ErrorCode.INVALID_ARGUMENT, `invalid element '${w}': use id=score, e.g. 42=1200.5`);
    }
    out.set(ids([m[1]!])[0]!, score);
  }
  return out;
}

function optionalScore(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || Number.isNaN(n)) {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, `invalid ${flag} '${raw}': use a number`);
  }
  return n;
}

function printElements(
  ctx: CommandContext,
  cache: string,
  board: string,
  res: { type: string; values?: () => Element[] },
): void {
  const list = res.values?.() ?? [];
  const text = list.map((e) => `${e.rank}\t${e.id}\t${e.score}`).join('\n');
  report(ctx.options, list.length === 0 ? undefined : text, { cache, leaderboard: board, elements: list });
}

const orderOf = (descending: boolean | undefined) =>
  descending ? LeaderboardOrder.Descending : LeaderboardOrder.Ascending;

/** Adds `upsert`, `fetch`, `rank`, `length`, `remove` and `delete` to the `leaderboard` group. */
export function registerLeaderboard(group: Command): void {
  const board = (c: Command) =>
    c
      .requiredOption('--leaderboard <name>', 'leaderboard name')
      .option('--name <cache>', "cache (default: the profile's cache)");

  board(group.command('upsert').argument('<id=score...>', 'elements: integer id = score'))
    .description('insert elements or replace their scores')
    .addHelpText('after', '\nExamples:\n  $ cachette leaderboard upsert --leaderboard weekly 42=1200 7=990.5')
    .action(async function (this: Command, words: string[], flags: BoardFlags) {
      const list = elements(words);
      await withBoard(this, flags, async (lb, ctx, cache) => {
        check(await lb.upsert(list), ctx, cache, flags.leaderboard);
        report(ctx.options, undefined, { cache, leaderboard: flags.leaderboard, upserted: list.size });
      });
    });

  board(group.command('fetch'))
    .description('print elements by rank (default) or by score: "rank<TAB>id<TAB>score" lines')
    .option('--start <rank>', 'first rank, inclusive (default 0)')
    .option('--end <rank>', 'last rank, exclusive (default start + 8192)')
    .option('--min <score>', 'by score: lowest score, inclusive')
    .option('--max <score>', 'by score: highest score, exclusive')
    .option('--offset <n>', 'by score: matching elements to skip')
    .option('--count <n>', 'by score: most elements to print (default 8192)')
    .option('--descending', 'highest score first (rank 0 = the best)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ cachette leaderboard fetch --leaderboard weekly --descending --end 10\n  $ cachette leaderboard fetch --leaderboard weekly --min 1000 --count 50',
    )
    .action(async function (
      this: Command,
      flags: BoardFlags & {
        start?: string;
        end?: string;
        min?: string;
        max?: string;
        offset?: string;
        count?: string;
        descending?: boolean;
      },
    ) {
      const order = orderOf(flags.descending);
      const byScore = [flags.min, flags.max, flags.offset, flags.count].some((f) => f !== undefined);
      const start = optionalInt('--start', flags.start) ?? 0;
      const end = optionalInt('--end', flags.end) ?? start + 8192;
      const minScore = optionalScore('--min', flags.min);
      const maxScore = optionalScore('--max', flags.max);
      const offset = optionalInt('--offset', flags.offset);
      const count = optionalInt('--count', flags.count);
      await withBoard(this, flags, async (lb, ctx, cache) => {
        const res = byScore
          ? await lb.fetchByScore({ minScore, maxScore, offset, count, order })
          : await lb.fetchByRank(start, end, { order });
        check(res, ctx, cache, flags.leaderboard);
        printElements(ctx, cache, flags.leaderboard, res as { type: string; values?: () => Element[] });
      });
    });

  board(group.command('rank').argument('<id...>', 'element ids'))
    .description('print the ranks of elements (ids not on the leaderboard are left out)')
    .option('--descending', 'rank 0 = the highest score')
    .addHelpText('after', '\nExamples:\n  $ cachette leaderboard rank --leaderboard weekly --descending 42 7')
    .action(async function (this: Command, words: string[], flags: BoardFlags & { descending?: boolean }) {
      const list = ids(words);
      await withBoard(this, flags, async (lb, ctx, cache) => {
        const res = await lb.getRank(list, { order: orderOf(flags.descending) });
        check(res, ctx, cache, flags.leaderboard);
        printElements(ctx, cache, flags.leaderboard, res as { type: string; values?: () => Element[] });
      });
    });

  board(group.command('length'))
    .description('print the number of elements (0 for a leaderboard that does not exist)')
    .action(async function (this: Command, flags: BoardFlags) {
      await withBoard(this, flags, async (lb, ctx, cache) => {
        const res = await lb.length();
        check(res, ctx, cache, flags.leaderboard);
        const length = res.type === 'Success' ? res.length() : 0;
        report(ctx.options, String(length), { cache, leaderboard: flags.leaderboard, length });
      });
    });

  board(group.command('remove').argument('<id...>', 'element ids'))
    .description('remove elements by id')
    .action(async function (this: Command, words: string[], flags: BoardFlags) {
      const list = ids(words);
      await withBoard(this, flags, async (lb, ctx, cache) => {
        check(await lb.removeElements(list), ctx, cache, flags.leaderboard);
        report(ctx.options, undefined, { cache, leaderboard: flags.leaderboard, removed: list });
      });
    });

  board(group.command('delete'))
    .description('delete the whole leaderboard')
    .action(async function (this: Command, flags: BoardFlags) {
      await withBoard(this, flags, async (lb, ctx, cache) => {
        check(await lb.delete(), ctx, cache, flags.leaderboard);
        report(ctx.options, undefined, { cache, leaderboard: flags.leaderboard, deleted: true });
      });
    });
}
