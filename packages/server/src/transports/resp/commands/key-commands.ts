/**
 * @module transports/resp/commands/key-commands
 * Commands on keys of any type: DEL, UNLINK, EXISTS, EXPIRE and friends, TTL, PTTL, TYPE, PERSIST (refused:
 * every item expires) and FLUSHDB (flushes the connection's cache, a management call).
 */
import { CacheError, ErrorCode } from '@cachette/core';
import type { ItemType, TtlUpdate } from '@cachette/engine';
import { intArg, syntaxError, word } from '../arguments.ts';
import type { RespConnection } from '../resp-connection.ts';
import { persistRefused } from './string-commands.ts';

const TYPE_NAME: Record<ItemType, string> = {
  scalar: 'string',
  dictionary: 'hash',
  list: 'list',
  set: 'set',
  sortedSet: 'zset',
};

/** DEL and UNLINK: the number of keys that existed (and were removed). */
export async function del(c: RespConnection, argv: Buffer[]): Promise<void> {
  const keys = argv.slice(1);
  const exist = await c.service.keysExist(c.p, c.cache, keys);
  let removed = 0;
  const seen = new Set<string>();
  for (let i = 0; i < keys.length; i++) {
    if (!exist[i]) continue;
    const id = keys[i]!.toString('latin1');
    if (seen.has(id)) continue; // DEL k k counts k once
    seen.add(id);
    await c.service.delete(c.p, c.cache, keys[i]!);
    removed++;
  }
  c.out.integer(removed);
}

export async function exists(c: RespConnection, argv: Buffer[]): Promise<void> {
  const exist = await c.service.keysExist(c.p, c.cache, argv.slice(1));
  let n = 0;
  for (const e of exist) if (e) n++;
  c.out.integer(n);
}

/** EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT with NX | XX | GT | LT. */
async function expireWith(c: RespConnection, argv: Buffer[], unitMs: number, absolute: boolean): Promise<void> {
  const key = argv[1]!;
  const n = intArg(argv[2]!);
  const ttlMs = absolute ? n * unitMs - c.ctx.clock.nowMs() : n * unitMs;
  if (!Number.isSafeInteger(ttlMs)) {
    throw new CacheError(
      ErrorCode.INVALID_ARGUMENT,
      `invalid expire time in '${word(argv[0]!).toLowerCase()}' command`,
    );
  }
  let kind: TtlUpdate['kind'] = 'overwrite';
  let onlyWithoutTtl = false;
  for (let i = 3; i < argv.length; i++) {
    const option = word(argv[i]!);
    if (option === 'GT' && kind === 'overwrite') kind = 'increaseTo';
    else if (option === 'LT' && kind === 'overwrite') kind = 'decreaseTo';
    else if (option === 'NX') onlyWithoutTtl = true;
    else if (option !== 'XX') throw syntaxError();
  }
  if (onlyWithoutTtl) {
    // NX applies only to keys without a TTL, and every Cachette item has one: nothing is ever changed.
    c.out.integer(0);
    return;
  }
  if (ttlMs <= 0) {
    // A TTL in the past deletes the key, as in Redis (GT never applies to it; LT always does).
    const [present] = await c.service.keysExist(c.p, c.cache, [key]);
    if (!present || kind === 'increaseTo') return c.out.integer(0);
    await c.service.delete(c.p, c.cache, key);
    return c.out.integer(1);
  }
  const result = await c.service.updateTtl(c.p, c.cache, key, { kind, ttlMs });
  c.out.integer(result === 'set' ? 1 : 0);
}

export const expire = (c: RespConnection, argv: Buffer[]) => expireWith(c, argv, 1000, false);
export const pexpire = (c: RespConnection, argv: Buffer[]) => expireWith(c, argv, 1, false);
export const expireat = (c: RespConnection, argv: Buffer[]) => expireWith(c, argv, 1000, true);
export const pexpireat = (c: RespConnection, argv: Buffer[]) => expireWith(c, argv, 1, true);

export async function ttl(c: RespConnection, argv: Buffer[]): Promise<void> {
  const ms = await c.service.itemGetTtl(c.p, c.cache, argv[1]!);
  // Redis rounds to the nearest second.
  c.out.integer(ms === undefined ? -2 : Math.floor((ms + 500) / 1000));
}

export async function pttl(c: RespConnection, argv: Buffer[]): Promise<void> {
  const ms = await c.service.itemGetTtl(c.p, c.cache, argv[1]!);
  c.out.integer(ms === undefined ? -2 : ms);
}

export async function type(c: RespConnection, argv: Buffer[]): Promise<void> {
  const t = await c.service.itemGetType(c.p, c.cache, argv[1]!);
  c.out.simple(t === undefined ? 'none' : TYPE_NAME[t]);
}

export function persist(): void {
  throw persistRefused();
}

export async function flushdb(c: RespConnection, argv: Buffer[]): Promise<void> {
  if (argv.length > 2 || (argv.length === 2 && !['ASYNC', 'SYNC'].includes(word(argv[1]!)))) throw syntaxError();
  await c.service.flushCache(c.p, c.cache);
  c.out.ok();
}
