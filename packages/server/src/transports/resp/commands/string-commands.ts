/**
 * @module transports/resp/commands/string-commands
 * Strings onto the service's scalar items: GET, SET and its options, SETEX, PSETEX, SETNX, GETDEL, GETEX,
 * MGET, MSET, INCR/DECR[BY], STRLEN. A write that names no TTL gets the listener's default TTL (every
 * item expires); INCR and `SET … KEEPTTL` keep an existing item's remaining TTL, as Redis does.
 *
 * Commands Redis runs atomically are one service call, so one atomic engine step: SET … [NX|XX] GET /
 * KEEPTTL (`setReturning`), GETDEL and GETEX (`getAndExpire`), INCR/DECR[BY] keeping the TTL (`increment`
 * with `keepOr`), SETNX and SET NX|XX (`setIf`). The one exception is `SET … NX|XX EXAT|PXAT <past>`
 * without GET, which Redis treats as "store already expired": an existence check, then a delete.
 */
import { CacheError, ErrorCode } from '@cachette/core';
import type { ExistenceCondition, SetCondition } from '@cachette/engine';
import type { BatchSetItem } from '../../../service/cache-service.ts';
import { bigintArg, intArg, syntaxError, word } from '../arguments.ts';
import type { RespConnection } from '../resp-connection.ts';

const ABSENT: SetCondition = { kind: 'absent' };
const PRESENT: SetCondition = { kind: 'present' };

export const persistRefused = (): CacheError =>
  new CacheError(
    ErrorCode.INVALID_ARGUMENT,
    'PERSIST is not supported: every Cachette item expires (a write without a TTL gets the default TTL); use EXPIRE to change a TTL',
  );

/** `ttl` (a relative amount in `unitMs`, or an absolute time for EXAT/PXAT) in ms from now. */
export function expiryMs(c: RespConnection, option: string, b: Buffer, command: string): number {
  const n = intArg(b);
  const bad = () => new CacheError(ErrorCode.INVALID_ARGUMENT, `invalid expire time in '${command}' command`);
  let ms: number;
  switch (option) {
    case 'EX':
      ms = n * 1000;
      break;
    case 'PX':
      ms = n;
      break;
    case 'EXAT':
      ms = n * 1000 - c.ctx.clock.nowMs();
      if (n <= 0) throw bad();
      return ms;
    default: // PXAT
      ms = n - c.ctx.clock.nowMs();
      if (n <= 0) throw bad();
      return ms;
  }
  if (n <= 0 || !Number.isSafeInteger(ms)) throw bad();
  return ms;
}

// GET and plain SET answer synchronously when the service does (a known cache on the embedded engine), so
// a pipeline of them runs without a promise per command.
export function get(c: RespConnection, argv: Buffer[]): Promise<void> | undefined {
  const value = c.service.getNow(c.p, c.cache, argv[1]!);
  if (value instanceof Promise) return value.then((v) => c.out.bulk(v));
  c.out.bulk(value);
  return undefined;
}

export function set(c: RespConnection, argv: Buffer[]): Promise<void> | undefined {
  if (argv.length !== 3) return setWithOptions(c, argv);
  const done = c.service.setNow(c.p, c.cache, argv[1]!, argv[2]!, c.ctx.defaultTtlMs);
  if (done instanceof Promise) return done.then(() => c.out.ok());
  c.out.ok();
  return undefined;
}

async function setWithOptions(c: RespConnection, argv: Buffer[]): Promise<void> {
  const key = argv[1]!;
  const value = argv[2]!;
  let condition: SetCondition | undefined;
  let returnOld = false;
  let keepTtl = false;
  let ttlMs: number | undefined;
  for (let i = 3; i < argv.length; i++) {
    const option = word(argv[i]!);
    if ((option === 'NX' || option === 'XX') && condition === undefined) {
      condition = option === 'NX' ? ABSENT : PRESENT;
    } else if (option === 'GET') {
      returnOld = true;
    } else if (option === 'KEEPTTL' && ttlMs === undefined) {
      keepTtl = true;
    } else if (
      (option === 'EX' || option === 'PX' || option === 'EXAT' || option === 'PXAT') &&
      ttlMs === undefined &&
      !keepTtl &&
      i + 1 < argv.length
    ) {
      ttlMs = expiryMs(c, option, argv[++i]!, 'set');
    } else {
      throw syntaxError();
    }
  }
  const p = c.p;
  if (ttlMs !== undefined && ttlMs <= 0) {
    // EXAT/PXAT in the past: Redis stores the key already expired, i.e. deletes it.
    if (returnOld && condition === undefined) {
      c.out.bulk(await c.service.getAndExpire(p, c.cache, key, 'delete'));
      return;
    }
    const old = returnOld ? await c.service.get(p, c.cache, key) : undefined;
    let stored = true;
    if (condition === undefined || (await c.service.keysExist(p, c.cache, [key]))[0] === (condition === PRESENT)) {
      await c.service.delete(p, c.cache, key);
    } else stored = false;
    if (returnOld) c.out.bulk(old);
    else if (stored) c.out.ok();
    else c.out.null();
    return;
  }
  if (returnOld || keepTtl) {
    const ttl = ttlMs ?? (keepTtl ? { keepOr: c.ctx.defaultTtlMs } : c.ctx.defaultTtlMs);
    const existence: ExistenceCondition =
      condition === undefined ? 'always' : condition === ABSENT ? 'absent' : 'present';
    const r = await c.service.setReturning(p, c.cache, key, value, ttl, existence, returnOld);
    if (returnOld) c.out.bulk(r.previous);
    else if (r.stored) c.out.ok();
    else c.out.null();
    return;
  }
  ttlMs ??= c.ctx.defaultTtlMs;
  if (condition === undefined) {
    await c.service.set(p, c.cache, key, value, ttlMs);
    c.out.ok();
  } else if (await c.service.setIf(p, c.cache, key, value, ttlMs, condition)) c.out.ok();
  else c.out.null();
}

async function setWithTtl(c: RespConnection, key: Buffer, ttlMs: number, value: Buffer): Promise<void> {
  await c.service.set(c.p, c.cache, key, value, ttlMs);
  c.out.ok();
}

export function setex(c: RespConnection, argv: Buffer[]): Promise<void> {
  return setWithTtl(c, argv[1]!, expiryMs(c, 'EX', argv[2]!, 'setex'), argv[3]!);
}

export function psetex(c: RespConnection, argv: Buffer[]): Promise<void> {
  return setWithTtl(c, argv[1]!, expiryMs(c, 'PX', argv[2]!, 'psetex'), argv[3]!);
}

export async function setnx(c: RespConnection, argv: Buffer[]): Promise<void> {
  const stored = await c.service.setIf(c.p, c.cache, argv[1]!, argv[2]!, c.ctx.defaultTtlMs, ABSENT);
  c.out.integer(stored ? 1 : 0);
}

export async function getdel(c: RespConnection, argv: Buffer[]): Promise<void> {
  c.out.bulk(await c.service.getAndExpire(c.p, c.cache, argv[1]!, 'delete'));
}

export async function getex(c: RespConnection, argv: Buffer[]): Promise<void> {
  let ttlMs: number | undefined;
  if (argv.length > 2) {
    const option = word(argv[2]!);
    if (option === 'PERSIST' && argv.length === 3) throw persistRefused();
    if (argv.length !== 4 || !(option === 'EX' || option === 'PX' || option === 'EXAT' || option === 'PXAT')) {
      throw syntaxError();
    }
    ttlMs = expiryMs(c, option, argv[3]!, 'getex');
  }
  const key = argv[1]!;
  // No option: a plain GET. EXAT/PXAT in the past: the key expires now, i.e. GETDEL.
  const value =
    ttlMs === undefined
      ? await c.service.get(c.p, c.cache, key)
      : await c.service.getAndExpire(c.p, c.cache, key, ttlMs <= 0 ? 'delete' : ttlMs);
  c.out.bulk(value);
}

export async function mget(c: RespConnection, argv: Buffer[]): Promise<void> {
  const values = await c.service.getBatch(c.p, c.cache, argv.slice(1));
  c.out.array(values.length);
  for (const v of values) c.out.bulk(v);
}

export async function mset(c: RespConnection, argv: Buffer[]): Promise<void> {
  if (argv.length % 2 !== 1) {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, "wrong number of arguments for 'mset' command");
  }
  const ttlMs = c.ctx.defaultTtlMs;
  const items: BatchSetItem[] = [];
  for (let i = 1; i < argv.length; i += 2) items.push({ key: argv[i]!, value: argv[i + 1]!, ttlMs });
  await c.service.setBatch(c.p, c.cache, items);
  c.out.ok();
}

/** INCR and friends keep a live counter's TTL (as Redis does); a new counter gets the default TTL. */
async function incrementBy(c: RespConnection, key: Buffer, amount: bigint): Promise<void> {
  c.out.integer(await c.service.increment(c.p, c.cache, key, amount, { keepOr: c.ctx.defaultTtlMs }));
}

export function incr(c: RespConnection, argv: Buffer[]): Promise<void> {
  return incrementBy(c, argv[1]!, 1n);
}

export function decr(c: RespConnection, argv: Buffer[]): Promise<void> {
  return incrementBy(c, argv[1]!, -1n);
}

export function incrby(c: RespConnection, argv: Buffer[]): Promise<void> {
  return incrementBy(c, argv[1]!, bigintArg(argv[2]!));
}

export function decrby(c: RespConnection, argv: Buffer[]): Promise<void> {
  const amount = bigintArg(argv[2]!);
  if (amount === -(2n ** 63n)) throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'decrement would overflow');
  return incrementBy(c, argv[1]!, -amount);
}

export async function strlen(c: RespConnection, argv: Buffer[]): Promise<void> {
  const value = await c.service.get(c.p, c.cache, argv[1]!);
  c.out.integer(value === undefined ? 0 : value.byteLength);
}
