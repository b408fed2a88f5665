/**
 * @module transports/resp/commands/set-commands
 * Sets onto the service's sets: SADD, SREM, SMEMBERS, SISMEMBER, SMISMEMBER, SCARD, SPOP, SRANDMEMBER.
 * SADD and SREM answer how many members changed, read before the write (two service calls).
 */
import { CacheError, ErrorCode } from '@cachette/core';
import { intArg, notAnInteger } from '../arguments.ts';
import type { RespConnection } from '../resp-connection.ts';
import { keepTtl } from './hash-commands.ts';

/** Bound of a negative SRANDMEMBER count, whose reply is otherwise as long as the client asks. */
const MAX_REPEATED = 100_000;

function distinct(list: Buffer[]): Buffer[] {
  const seen = new Set<string>();
  return list.filter((b) => {
    const id = b.toString('latin1');
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

export async function sadd(c: RespConnection, argv: Buffer[]): Promise<void> {
  const members = distinct(argv.slice(2));
  const sets = c.service.collections;
  const before = await sets.setContains(c.p, c.cache, argv[1]!, members);
  await sets.setAdd(c.p, c.cache, argv[1]!, members, keepTtl(c));
  let added = 0;
  for (let i = 0; i < members.length; i++) if (!before?.[i]) added++;
  c.out.integer(added);
}

export async function srem(c: RespConnection, argv: Buffer[]): Promise<void> {
  const members = distinct(argv.slice(2));
  const sets = c.service.collections;
  const before = await sets.setContains(c.p, c.cache, argv[1]!, members);
  let removed = 0;
  if (before !== undefined) for (const b of before) if (b) removed++;
  if (removed > 0) await sets.setRemove(c.p, c.cache, argv[1]!, members);
  c.out.integer(removed);
}

export async function smembers(c: RespConnection, argv: Buffer[]): Promise<void> {
  const members = (await c.service.collections.setFetch(c.p, c.cache, argv[1]!)) ?? [];
  c.out.set(members.length);
  for (const m of members) c.out.bulk(m);
}

export async function sismember(c: RespConnection, argv: Buffer[]): Promise<void> {
  const r = await c.service.collections.setContains(c.p, c.cache, argv[1]!, [argv[2]!]);
  c.out.integer(r?.[0] ? 1 : 0);
}

export async function smismember(c: RespConnection, argv: Buffer[]): Promise<void> {
  const members = argv.slice(2);
  const r = await c.service.collections.setContains(c.p, c.cache, argv[1]!, members);
  c.out.array(members.length);
  for (let i = 0; i < members.length; i++) c.out.integer(r?.[i] ? 1 : 0);
}

export async function scard(c: RespConnection, argv: Buffer[]): Promise<void> {
  c.out.integer((await c.service.collections.setLength(c.p, c.cache, argv[1]!)) ?? 0);
}

function countArg(argv: Buffer[]): number | undefined {
  if (argv.length === 2) return undefined;
  if (argv.length > 3) throw notAnInteger();
  return intArg(argv[2]!);
}

export async function spop(c: RespConnection, argv: Buffer[]): Promise<void> {
  const count = countArg(argv);
  if (count !== undefined && count < 0) throw notAnInteger();
  if (count === 0) return c.out.set(0);
  const popped = await c.service.collections.setPop(c.p, c.cache, argv[1]!, count ?? 1);
  if (count === undefined) return c.out.bulk(popped?.[0]);
  const members = popped ?? [];
  c.out.set(members.length);
  for (const m of members) c.out.bulk(m);
}

export async function srandmember(c: RespConnection, argv: Buffer[]): Promise<void> {
  const count = countArg(argv);
  const sets = c.service.collections;
  if (count === undefined) {
    const sample = await sets.setSample(c.p, c.cache, argv[1]!, 1);
    return c.out.bulk(sample?.[0]);
  }
  if (count >= 0) {
    const sample = count === 0 ? [] : ((await sets.setSample(c.p, c.cache, argv[1]!, count)) ?? []);
    c.out.array(sample.length);
    for (const m of sample) c.out.bulk(m);
    return;
  }
  // A negative count returns exactly |count| members, repeats allowed.
  if (count < -MAX_REPEATED)
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, `count must be at least -${MAX_REPEATED}`);
  const all = (await sets.setFetch(c.p, c.cache, argv[1]!)) ?? [];
  const n = all.length === 0 ? 0 : -count;
  c.out.array(n);
  for (let i = 0; i < n; i++) c.out.bulk(all[Math.floor(Math.random() * all.length)]);
}
