/**
 * @module transports/resp/commands/hash-commands
 * Hashes onto the service's dictionaries: HSET, HMSET, HGET, HMGET, HGETALL, HKEYS, HVALS, HDEL, HLEN,
 * HINCRBY, HEXISTS. Writes give a new hash the default TTL and leave an existing one's TTL alone. Counts
 * Redis returns (fields added or removed) are read before the write: two service calls.
 */
import { CacheError, ErrorCode } from '@cachette/core';
import type { CollectionTtl } from '@cachette/engine';
import { bigintArg } from '../arguments.ts';
import type { RespConnection } from '../resp-connection.ts';

/** New collections get the default TTL; writes to existing ones keep theirs (Redis keeps a key's TTL). */
export function keepTtl(c: RespConnection): CollectionTtl {
  return { ttlMs: c.ctx.defaultTtlMs, refreshTtl: false };
}

/** The distinct fields of `argv[from]`, `argv[from + step]`, … */
function distinct(argv: Buffer[], from: number, step: number): Buffer[] {
  const seen = new Set<string>();
  const out: Buffer[] = [];
  for (let i = from; i < argv.length; i += step) {
    const id = argv[i]!.toString('latin1');
    if (!seen.has(id)) {
      seen.add(id);
      out.push(argv[i]!);
    }
  }
  return out;
}

async function setFields(c: RespConnection, argv: Buffer[], command: string): Promise<number> {
  if (argv.length % 2 !== 0) {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, `wrong number of arguments for '${command}' command`);
  }
  const name = argv[1]!;
  const fields = distinct(argv, 2, 2);
  const before = await c.service.collections.dictionaryGet(c.p, c.cache, name, fields);
  const pairs: [Buffer, Buffer][] = [];
  for (let i = 2; i < argv.length; i += 2) pairs.push([argv[i]!, argv[i + 1]!]);
  await c.service.collections.dictionarySet(c.p, c.cache, name, pairs, keepTtl(c));
  let added = 0;
  for (let i = 0; i < fields.length; i++) if (before?.[i] === undefined) added++;
  return added;
}

export async function hset(c: RespConnection, argv: Buffer[]): Promise<void> {
  c.out.integer(await setFields(c, argv, 'hset'));
}

export async function hmset(c: RespConnection, argv: Buffer[]): Promise<void> {
  await setFields(c, argv, 'hmset');
  c.out.ok();
}

export async function hget(c: RespConnection, argv: Buffer[]): Promise<void> {
  const values = await c.service.collections.dictionaryGet(c.p, c.cache, argv[1]!, [argv[2]!]);
  c.out.bulk(values?.[0]);
}

export async function hmget(c: RespConnection, argv: Buffer[]): Promise<void> {
  const fields = argv.slice(2);
  const values = await c.service.collections.dictionaryGet(c.p, c.cache, argv[1]!, fields);
  c.out.array(fields.length);
  for (let i = 0; i < fields.length; i++) c.out.bulk(values?.[i]);
}

async function fetchAll(c: RespConnection, name: Buffer): Promise<[Uint8Array, Uint8Array][]> {
  return (await c.service.collections.dictionaryFetch(c.p, c.cache, name)) ?? [];
}

export async function hgetall(c: RespConnection, argv: Buffer[]): Promise<void> {
  const pairs = await fetchAll(c, argv[1]!);
  c.out.map(pairs.length);
  for (const [f, v] of pairs) {
    c.out.bulk(f);
    c.out.bulk(v);
  }
}

export async function hkeys(c: RespConnection, argv: Buffer[]): Promise<void> {
  const pairs = await fetchAll(c, argv[1]!);
  c.out.array(pairs.length);
  for (const [f] of pairs) c.out.bulk(f);
}

export async function hvals(c: RespConnection, argv: Buffer[]): Promise<void> {
  const pairs = await fetchAll(c, argv[1]!);
  c.out.array(pairs.length);
  for (const [, v] of pairs) c.out.bulk(v);
}

export async function hdel(c: RespConnection, argv: Buffer[]): Promise<void> {
  const name = argv[1]!;
  const fields = distinct(argv, 2, 1);
  const before = await c.service.collections.dictionaryGet(c.p, c.cache, name, fields);
  let removed = 0;
  if (before !== undefined) {
    for (const v of before) if (v !== undefined) removed++;
    if (removed > 0) await c.service.collections.dictionaryDelete(c.p, c.cache, name, fields);
  }
  c.out.integer(removed);
}

export async function hlen(c: RespConnection, argv: Buffer[]): Promise<void> {
  c.out.integer((await c.service.collections.dictionaryLength(c.p, c.cache, argv[1]!)) ?? 0);
}

export async function hincrby(c: RespConnection, argv: Buffer[]): Promise<void> {
  const amount = bigintArg(argv[3]!);
  try {
    c.out.integer(
      await c.service.collections.dictionaryIncrement(c.p, c.cache, argv[1]!, argv[2]!, amount, keepTtl(c)),
    );
  } catch (e) {
    if (e instanceof CacheError && e.reason === 'not_an_integer') {
      throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'hash value is not an integer');
    }
    throw e;
  }
}

export async function hexists(c: RespConnection, argv: Buffer[]): Promise<void> {
  const values = await c.service.collections.dictionaryGet(c.p, c.cache, argv[1]!, [argv[2]!]);
  c.out.integer(values?.[0] === undefined ? 0 : 1);
}
