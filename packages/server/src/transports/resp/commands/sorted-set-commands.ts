/**
 * @module transports/resp/commands/sorted-set-commands
 * Sorted sets onto the service's sorted sets: ZADD (NX XX GT LT CH INCR), ZREM, ZSCORE, ZINCRBY, ZRANK,
 * ZREVRANK, ZCARD, ZCOUNT, ZRANGE (BYSCORE REV LIMIT WITHSCORES) with ZREVRANGE, ZRANGEBYSCORE and
 * ZREVRANGEBYSCORE, and ZUNIONSTORE. Scores are doubles (RESP3) or their text (RESP2), as Redis sends them.
 */
import { CacheError, ErrorCode } from '@cachette/core';
import type { ScoreRange, SortedSetAggregate, SortedSetElement, SortedSetSource, SortOrder } from '@cachette/engine';
import { floatArg, intArg, scoreBoundArg, syntaxError, text, word } from '../arguments.ts';
import type { RespConnection } from '../resp-connection.ts';
import { keepTtl } from './hash-commands.ts';
import { inclusiveRange } from './list-commands.ts';

const invalid = (message: string) => new CacheError(ErrorCode.INVALID_ARGUMENT, message);

export async function zadd(c: RespConnection, argv: Buffer[]): Promise<void> {
  let nx = false;
  let xx = false;
  let gt = false;
  let lt = false;
  let ch = false;
  let incr = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const option = word(argv[i]!);
    if (option === 'NX') nx = true;
    else if (option === 'XX') xx = true;
    else if (option === 'GT') gt = true;
    else if (option === 'LT') lt = true;
    else if (option === 'CH') ch = true;
    else if (option === 'INCR') incr = true;
    else break;
  }
  const rest = argv.length - i;
  if (rest === 0 || rest % 2 !== 0) throw syntaxError();
  if (nx && xx) throw invalid('XX and NX options at the same time are not compatible');
  if ((gt && lt) || (nx && (gt || lt))) throw invalid('GT, LT, and/or NX options at the same time are not compatible');
  if (incr && rest !== 2) throw invalid('INCR option supports a single increment-element pair');
  // The last score given for a member wins, as in Redis.
  const scores = new Map<string, SortedSetElement>();
  for (let j = i; j < argv.length; j += 2) {
    const score = floatArg(argv[j]!);
    scores.set(argv[j + 1]!.toString('latin1'), { value: argv[j + 1]!, score });
  }
  const name = argv[1]!;
  const zsets = c.service.collections;
  const elements = [...scores.values()];
  const conditional = nx || xx || gt || lt;
  const before =
    conditional || !incr
      ? await zsets.sortedSetGetScores(
          c.p,
          c.cache,
          name,
          elements.map((e) => e.value),
        )
      : undefined;
  if (incr) {
    const e = elements[0]!;
    const old = before?.[0];
    const next = (old ?? 0) + e.score;
    if ((nx && old !== undefined) || (xx && old === undefined)) return c.out.null();
    if (old !== undefined && ((gt && !(next > old)) || (lt && !(next < old)))) return c.out.null();
    c.out.double(await zsets.sortedSetIncrement(c.p, c.cache, name, e.value, e.score, keepTtl(c)));
    return;
  }
  const writes: SortedSetElement[] = [];
  let added = 0;
  let changed = 0;
  for (let j = 0; j < elements.length; j++) {
    const e = elements[j]!;
    const old = before?.[j];
    if (old === undefined) {
      if (xx) continue;
      added++;
      writes.push(e);
      continue;
    }
    if (nx || (gt && !(e.score > old)) || (lt && !(e.score < old)) || e.score === old) continue;
    changed++;
    writes.push(e);
  }
  if (writes.length > 0) await zsets.sortedSetPut(c.p, c.cache, name, writes, keepTtl(c));
  c.out.integer(ch ? added + changed : added);
}

export async function zrem(c: RespConnection, argv: Buffer[]): Promise<void> {
  const members = argv.slice(2);
  const zsets = c.service.collections;
  const before = await zsets.sortedSetGetScores(c.p, c.cache, argv[1]!, members);
  const seen = new Set<string>();
  let removed = 0;
  if (before !== undefined) {
    for (let i = 0; i < members.length; i++) {
      const id = members[i]!.toString('latin1');
      if (before[i] !== undefined && !seen.has(id)) removed++;
      seen.add(id);
    }
  }
  if (removed > 0) await zsets.sortedSetRemove(c.p, c.cache, argv[1]!, members);
  c.out.integer(removed);
}

export async function zscore(c: RespConnection, argv: Buffer[]): Promise<void> {
  const scores = await c.service.collections.sortedSetGetScores(c.p, c.cache, argv[1]!, [argv[2]!]);
  const s = scores?.[0];
  if (s === undefined) c.out.null();
  else c.out.double(s);
}

export async function zincrby(c: RespConnection, argv: Buffer[]): Promise<void> {
  const amount = floatArg(argv[2]!);
  c.out.double(await c.service.collections.sortedSetIncrement(c.p, c.cache, argv[1]!, argv[3]!, amount, keepTtl(c)));
}

async function rank(c: RespConnection, argv: Buffer[], order: SortOrder): Promise<void> {
  if (argv.length > 3) throw syntaxError();
  const r = await c.service.collections.sortedSetGetRank(c.p, c.cache, argv[1]!, argv[2]!, order);
  if (r === undefined) c.out.null();
  else c.out.integer(r);
}

export const zrank = (c: RespConnection, argv: Buffer[]) => rank(c, argv, 'ascending');
export const zrevrank = (c: RespConnection, argv: Buffer[]) => rank(c, argv, 'descending');

export async function zcard(c: RespConnection, argv: Buffer[]): Promise<void> {
  c.out.integer((await c.service.collections.sortedSetLength(c.p, c.cache, argv[1]!)) ?? 0);
}

export async function zcount(c: RespConnection, argv: Buffer[]): Promise<void> {
  const min = scoreBoundArg(argv[2]!, 'min');
  const max = scoreBoundArg(argv[3]!, 'max');
  c.out.integer((await c.service.collections.sortedSetLengthByScore(c.p, c.cache, argv[1]!, min, max)) ?? 0);
}

/** The shape of one ZRANGE-family call. */
interface RangeQuery {
  byScore: boolean;
  rev: boolean;
  withScores: boolean;
  offset: number | undefined;
  count: number | undefined;
}

/** Parses the options after `key start stop`; `family` fixes BYSCORE/REV for the older commands. */
function rangeOptions(argv: Buffer[], from: number, family: 'zrange' | 'byscore' | 'rev' | 'revbyscore'): RangeQuery {
  const q: RangeQuery = {
    byScore: family === 'byscore' || family === 'revbyscore',
    rev: family === 'rev' || family === 'revbyscore',
    withScores: false,
    offset: undefined,
    count: undefined,
  };
  for (let i = from; i < argv.length; i++) {
    const option = word(argv[i]!);
    if (option === 'WITHSCORES') q.withScores = true;
    else if (option === 'BYSCORE' && family === 'zrange') q.byScore = true;
    else if (option === 'REV' && family === 'zrange') q.rev = true;
    else if (option === 'BYLEX' && family === 'zrange') throw invalid('ZRANGE BYLEX is not supported by Cachette');
    else if (option === 'LIMIT' && family !== 'rev' && i + 2 < argv.length) {
      q.offset = intArg(argv[++i]!);
      q.count = intArg(argv[++i]!);
    } else throw syntaxError();
  }
  if (q.offset !== undefined && !q.byScore) {
    throw invalid('syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
  }
  return q;
}

async function range(c: RespConnection, argv: Buffer[], family: 'zrange' | 'byscore' | 'rev' | 'revbyscore') {
  const q = rangeOptions(argv, 4, family);
  const zsets = c.service.collections;
  const order: SortOrder = q.rev ? 'descending' : 'ascending';
  let elements: SortedSetElement[] | undefined;
  if (q.byScore) {
    // With REV the first bound is the maximum, as in Redis.
    const [lo, hi] = q.rev ? [argv[3]!, argv[2]!] : [argv[2]!, argv[3]!];
    const r: ScoreRange = {
      min: scoreBoundArg(lo, 'min'),
      max: scoreBoundArg(hi, 'max'),
      ...(q.offset !== undefined && q.offset > 0 ? { offset: q.offset } : {}),
      ...(q.count !== undefined && q.count >= 0 ? { count: q.count } : {}),
    };
    if (q.offset !== undefined && q.offset < 0) elements = [];
    else elements = await zsets.sortedSetFetchByScore(c.p, c.cache, argv[1]!, r, order);
  } else {
    const r = inclusiveRange(intArg(argv[2]!), intArg(argv[3]!));
    elements = await zsets.sortedSetFetchByRank(c.p, c.cache, argv[1]!, r, order);
  }
  writeElements(c, elements ?? [], q.withScores);
}

function writeElements(c: RespConnection, elements: SortedSetElement[], withScores: boolean): void {
  const out = c.out;
  if (!withScores) {
    out.array(elements.length);
    for (const e of elements) out.bulk(e.value);
  } else if (out.resp3) {
    out.array(elements.length);
    for (const e of elements) {
      out.array(2);
      out.bulk(e.value);
      out.double(e.score);
    }
  } else {
    out.array(elements.length * 2);
    for (const e of elements) {
      out.bulk(e.value);
      out.double(e.score);
    }
  }
}

export const zrange = (c: RespConnection, argv: Buffer[]) => range(c, argv, 'zrange');
export const zrevrange = (c: RespConnection, argv: Buffer[]) => range(c, argv, 'rev');
export const zrangebyscore = (c: RespConnection, argv: Buffer[]) => range(c, argv, 'byscore');
export const zrevrangebyscore = (c: RespConnection, argv: Buffer[]) => range(c, argv, 'revbyscore');

export async function zunionstore(c: RespConnection, argv: Buffer[]): Promise<void> {
  const numkeys = intArg(argv[2]!);
  if (numkeys < 1) throw invalid("at least 1 input key is needed for 'zunionstore' command");
  if (3 + numkeys > argv.length) throw syntaxError();
  const sources: SortedSetSource[] = [];
  for (let i = 0; i < numkeys; i++) sources.push({ key: argv[3 + i]!, weight: 1 });
  let aggregate: SortedSetAggregate = 'sum';
  for (let i = 3 + numkeys; i < argv.length; i++) {
    const option = word(argv[i]!);
    if (option === 'WEIGHTS' && i + numkeys < argv.length) {
      for (let j = 0; j < numkeys; j++) {
        const weight = floatArg(argv[++i]!, () => invalid('weight value is not a float'));
        sources[j] = { key: sources[j]!.key, weight };
      }
    } else if (option === 'AGGREGATE' && i + 1 < argv.length) {
      const a = word(argv[++i]!);
      if (a !== 'SUM' && a !== 'MIN' && a !== 'MAX') throw syntaxError();
      aggregate = a.toLowerCase() as SortedSetAggregate;
    } else if (option === 'WITHSCORES') {
      throw syntaxError();
    } else {
      throw invalid(`syntax error near '${text(argv[i]!)}'`);
    }
  }
  c.out.integer(
    await c.service.collections.sortedSetUnionStore(c.p, c.cache, argv[1]!, sources, aggregate, c.ctx.defaultTtlMs),
  );
}
