/**
 * @module transports/resp/commands/list-commands
 * Lists onto the service's lists: LPUSH, RPUSH, LPOP, RPOP (with a count), LRANGE, LLEN, LREM, LTRIM.
 * Redis ranges are inclusive (`0 -1` is everything); the service's are end-exclusive slices.
 */
import type { IndexRange, ListEnd } from '@cachette/engine';
import { intArg, notAnInteger } from '../arguments.ts';
import type { RespConnection } from '../resp-connection.ts';
import { keepTtl } from './hash-commands.ts';

/** Redis's inclusive `start stop` as an end-exclusive slice (`stop` -1 means to the end). */
export function inclusiveRange(start: number, stop: number): IndexRange {
  return stop === -1 ? { start } : { start, end: stop + 1 };
}

async function push(c: RespConnection, argv: Buffer[], end: ListEnd): Promise<void> {
  // LPUSH a b c leaves c b a at the head: each value is pushed in turn.
  const values = end === 'front' ? argv.slice(2).reverse() : argv.slice(2);
  c.out.integer(await c.service.collections.listConcatenate(c.p, c.cache, argv[1]!, end, values, keepTtl(c)));
}

export const lpush = (c: RespConnection, argv: Buffer[]) => push(c, argv, 'front');
export const rpush = (c: RespConnection, argv: Buffer[]) => push(c, argv, 'back');

async function pop(c: RespConnection, argv: Buffer[], end: ListEnd): Promise<void> {
  const name = argv[1]!;
  if (argv.length === 2) {
    const r = await c.service.collections.listPop(c.p, c.cache, name, end);
    c.out.bulk(r?.value);
    return;
  }
  if (argv.length > 3) throw notAnInteger();
  const count = intArg(argv[2]!);
  if (count < 0) throw notAnInteger();
  const values: Uint8Array[] = [];
  let missing = false;
  for (let i = 0; i < count; i++) {
    const r = await c.service.collections.listPop(c.p, c.cache, name, end);
    if (r === undefined) {
      missing = i === 0;
      break;
    }
    values.push(r.value);
    if (r.length === 0) break;
  }
  if (count === 0) missing = (await c.service.collections.listLength(c.p, c.cache, name)) === undefined;
  if (missing) return c.out.nullArray();
  c.out.array(values.length);
  for (const v of values) c.out.bulk(v);
}

export const lpop = (c: RespConnection, argv: Buffer[]) => pop(c, argv, 'front');
export const rpop = (c: RespConnection, argv: Buffer[]) => pop(c, argv, 'back');

export async function lrange(c: RespConnection, argv: Buffer[]): Promise<void> {
  const range = inclusiveRange(intArg(argv[2]!), intArg(argv[3]!));
  const values = (await c.service.collections.listFetch(c.p, c.cache, argv[1]!, range)) ?? [];
  c.out.array(values.length);
  for (const v of values) c.out.bulk(v);
}

export async function llen(c: RespConnection, argv: Buffer[]): Promise<void> {
  c.out.integer((await c.service.collections.listLength(c.p, c.cache, argv[1]!)) ?? 0);
}

/**
 * LREM key count value: count 0 removes every match; a positive count the first matches from the head, a
 * negative one from the tail — one atomic engine step. The reply (how many went) is the length before,
 * read just ahead, minus the length after: exact unless another client changes the list in between.
 */
export async function lrem(c: RespConnection, argv: Buffer[]): Promise<void> {
  const name = argv[1]!;
  const count = intArg(argv[2]!);
  const value = argv[3]!;
  const lists = c.service.collections;
  const before = await lists.listLength(c.p, c.cache, name);
  if (before === undefined) return c.out.integer(0);
  const after = (await lists.listRemoveValue(c.p, c.cache, name, value, count)) ?? 0;
  c.out.integer(Math.max(0, before - after));
}

export async function ltrim(c: RespConnection, argv: Buffer[]): Promise<void> {
  const range = inclusiveRange(intArg(argv[2]!), intArg(argv[3]!));
  await c.service.collections.listRetain(c.p, c.cache, argv[1]!, range, keepTtl(c));
  c.out.ok();
}
