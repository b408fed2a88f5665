/**
 * @module service/scalar-operations
 * The descriptors of Momento's scalar data plane (get, set, conditional sets, delete, increment, TTLs,
 * batches). Each says what it validates and measures, what it runs on the engine and how it is reported;
 * {@link CacheService} does the rest the same way for all of them.
 */
import { CacheError, ErrorCode, INT64_MAX, INT64_MIN } from '@cachette/core';
import type {
  ExistenceCondition,
  ItemType,
  SetCondition,
  SetReturningResult,
  TtlUpdate,
  TtlUpdateResult,
  WriteTtl,
} from '@cachette/engine';
import type { ServiceLimits } from './limits.ts';
import type { Outcome } from './observer.ts';
import type { DataOperation, Measure } from './operation.ts';
import { validateBatchSize, validateItemSize, validateKey, validateTtlMs } from './validation.ts';

/** One item of a SetBatch call. */
export interface BatchSetItem {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  readonly ttlMs: number;
}

function validateWrite(key: Uint8Array, value: Uint8Array, ttlMs: number, limits: ServiceLimits): void {
  validateKey(key);
  validateTtlMs(ttlMs, limits);
  validateItemSize(key, value, limits);
}

/** Validates every key of a batch and records their bytes. */
function validateKeys(measure: Measure, limits: ServiceLimits, keys: readonly Uint8Array[]): void {
  validateBatchSize(keys.length, limits);
  let bytesIn = 0;
  for (const key of keys) {
    validateKey(key);
    bytesIn += key.byteLength;
  }
  measure.bytesIn = bytesIn;
}

function validateOneKey(measure: Measure, _limits: ServiceLimits, key: Uint8Array): void {
  validateKey(key);
  measure.bytesIn = key.byteLength;
}

const hitOrMiss = (result: unknown): Outcome => (result === undefined ? 'miss' : 'hit');

export const GET: DataOperation<Uint8Array, void, void, void, Uint8Array | undefined> = {
  name: 'get',
  permission: 'read',
  validate: validateOneKey,
  run: (engine, ns, key) => engine.get(ns, key),
  runNow: (engine, ns, key) => engine.getNow(ns, key),
  outcome: hitOrMiss,
  bytesOut: (value) => (value === undefined ? 0 : value.byteLength),
};

export const SET: DataOperation<Uint8Array, Uint8Array, number, void, void> = {
  name: 'set',
  permission: 'write',
  validate(measure, limits, key, value, ttlMs) {
    validateWrite(key, value, ttlMs, limits);
    measure.bytesIn = key.byteLength + value.byteLength;
    measure.largestItemBytes = measure.bytesIn;
    measure.longestTtlMs = ttlMs;
  },
  run: (engine, ns, key, value, ttlMs) => engine.set(ns, key, value, ttlMs),
  runNow: (engine, ns, key, value, ttlMs) => engine.setNow(ns, key, value, ttlMs),
};

export const SET_IF: DataOperation<Uint8Array, Uint8Array, number, SetCondition, boolean> = {
  name: 'setIf',
  // Every condition's answer (stored or not) reveals whether the item exists: a write-only key may not.
  permission: 'readWrite',
  validate(measure, limits, key, value, ttlMs, condition) {
    validateWrite(key, value, ttlMs, limits);
    measure.bytesIn = key.byteLength + value.byteLength + ('value' in condition ? condition.value.byteLength : 0);
    measure.largestItemBytes = key.byteLength + value.byteLength;
    measure.longestTtlMs = ttlMs;
  },
  run: (engine, ns, key, value, ttlMs, condition) => engine.setIf(ns, key, value, ttlMs, condition),
};

export const DELETE: DataOperation<Uint8Array, void, void, void, void> = {
  name: 'delete',
  permission: 'write',
  validate: validateOneKey,
  run: (engine, ns, key) => engine.delete(ns, key),
};

/** The TTL a write asks for, for validation and the plan's longest-TTL check (KeepTtl: its fallback). */
const askedTtl = (ttl: WriteTtl): number => (typeof ttl === 'number' ? ttl : ttl.keepOr);

export const INCREMENT: DataOperation<Uint8Array, bigint, WriteTtl, void, bigint> = {
  name: 'increment',
  // The answer is the new value, so incrementing reads the item too.
  permission: 'readWrite',
  validate(measure, limits, key, amount, ttl) {
    const ttlMs = askedTtl(ttl);
    validateKey(key);
    validateTtlMs(ttlMs, limits);
    if (amount < INT64_MIN || amount > INT64_MAX) {
      throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'increment amount must be a signed 64-bit integer');
    }
    measure.bytesIn = key.byteLength;
    // The stored value is at most an int64 in decimal: 20 characters.
    measure.largestItemBytes = key.byteLength + 20;
    measure.longestTtlMs = ttlMs;
  },
  run: (engine, ns, key, amount, ttl) => engine.increment(ns, key, amount, ttl),
};

/** Redis SET … [NX|XX] [GET] [KEEPTTL] in one engine step: (key, value, ttl, [condition, returnPrevious]). */
export const SET_RETURNING: DataOperation<
  Uint8Array,
  Uint8Array,
  WriteTtl,
  readonly [ExistenceCondition, boolean],
  SetReturningResult
> = {
  name: 'setReturning',
  // The answer (stored or not, the old value) reveals the item.
  permission: 'readWrite',
  validate(measure, limits, key, value, ttl) {
    const ttlMs = askedTtl(ttl);
    validateWrite(key, value, ttlMs, limits);
    measure.bytesIn = key.byteLength + value.byteLength;
    measure.largestItemBytes = measure.bytesIn;
    measure.longestTtlMs = ttlMs;
  },
  run: (engine, ns, key, value, ttl, [condition, returnPrevious]) =>
    engine.setReturning(ns, key, value, ttl, condition, returnPrevious),
  bytesOut: (r) => (r.previous === undefined ? 0 : r.previous.byteLength),
};

/** Redis GETDEL (`'delete'`) and GETEX (a TTL in ms): the value, and its removal or new TTL, in one step. */
export const GET_AND_EXPIRE: DataOperation<Uint8Array, number | 'delete', void, void, Uint8Array | undefined> = {
  name: 'getAndExpire',
  permission: 'readWrite',
  validate(measure, limits, key, expiry) {
    validateKey(key);
    if (expiry !== 'delete') {
      validateTtlMs(expiry, limits);
      measure.longestTtlMs = expiry;
    }
    measure.bytesIn = key.byteLength;
  },
  run: (engine, ns, key, expiry) => engine.getAndExpire(ns, key, expiry),
  outcome: hitOrMiss,
  bytesOut: (value) => (value === undefined ? 0 : value.byteLength),
};

export const ITEM_GET_TTL: DataOperation<Uint8Array, void, void, void, number | undefined> = {
  name: 'itemGetTtl',
  permission: 'read',
  validate: validateOneKey,
  run: (engine, ns, key) => engine.itemGetTtl(ns, key),
  outcome: hitOrMiss,
};

export const UPDATE_TTL: DataOperation<Uint8Array, TtlUpdate, void, void, TtlUpdateResult> = {
  name: 'updateTtl',
  // The answer (set, not set, missing) reveals the item's state: a write-only key may not.
  permission: 'readWrite',
  validate(measure, limits, key, update) {
    validateKey(key);
    validateTtlMs(update.ttlMs, limits);
    measure.bytesIn = key.byteLength;
    measure.longestTtlMs = update.ttlMs;
  },
  run: (engine, ns, key, update) => engine.updateTtl(ns, key, update),
};

export const KEYS_EXIST: DataOperation<readonly Uint8Array[], void, void, void, boolean[]> = {
  name: 'keysExist',
  permission: 'read',
  validate: validateKeys,
  run: (engine, ns, keys) => engine.keysExist(ns, keys),
};

export const ITEM_GET_TYPE: DataOperation<Uint8Array, void, void, void, ItemType | undefined> = {
  name: 'itemGetType',
  permission: 'read',
  validate: validateOneKey,
  run: (engine, ns, key) => engine.itemGetType(ns, key),
  outcome: hitOrMiss,
};

export const GET_BATCH: DataOperation<readonly Uint8Array[], void, void, void, (Uint8Array | undefined)[]> = {
  name: 'getBatch',
  permission: 'read',
  validate: validateKeys,
  run: (engine, ns, keys) => Promise.all(keys.map((key) => engine.get(ns, key))),
  bytesOut(values) {
    let out = 0;
    for (const v of values) if (v !== undefined) out += v.byteLength;
    return out;
  },
};

/** The whole batch is validated and admitted before any item is stored, so a bad item leaves nothing half-applied. */
export const SET_BATCH: DataOperation<readonly BatchSetItem[], void, void, void, void> = {
  name: 'setBatch',
  permission: 'write',
  validate(measure, limits, items) {
    validateBatchSize(items.length, limits);
    let bytesIn = 0;
    let largest = 0;
    let longest = 0;
    for (const item of items) {
      validateWrite(item.key, item.value, item.ttlMs, limits);
      const size = item.key.byteLength + item.value.byteLength;
      bytesIn += size;
      if (size > largest) largest = size;
      if (item.ttlMs > longest) longest = item.ttlMs;
    }
    measure.bytesIn = bytesIn;
    measure.largestItemBytes = largest;
    measure.longestTtlMs = longest;
  },
  run: async (engine, ns, items) => {
    await Promise.all(items.map((item) => engine.set(ns, item.key, item.value, item.ttlMs)));
  },
};
