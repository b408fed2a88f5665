/**
 * @module service/collection-service
 * Dictionaries, lists, sets, sorted sets and hash-conditioned scalar writes for any transport. Each method
 * validates its arguments and sizes the request in a `prepare` step, then runs through
 * {@link CacheService.operate}: authorize (read, write, or both when a write reveals state) → admit (rate,
 * throughput, plan limits) → engine op on the cache's namespace → charge and observe (metrics, metering)
 * → map failures. Metered bytes in: the collection name plus every field, value, element and 8 bytes per
 * score sent; bytes out: every field, value and element returned (8 per score).
 */
import { CacheError, ErrorCode } from '@cachette/core';
import type {
  CacheEngine,
  CollectionTtl,
  HashCondition,
  IndexRange,
  ListEnd,
  ScoreBound,
  ScoreRange,
  SortedSetAggregate,
  SortedSetElement,
  SortedSetSource,
  SortOrder,
  ValueWithHash,
} from '@cachette/engine';
import type { Admission, CacheService } from './cache-service.ts';
import type { ServiceLimits } from './limits.ts';
import type { Principal } from './principal.ts';
import { validateKey, validateTtlMs } from './validation.ts';

/** Bytes a score counts for in metering (a double on the wire). */
const SCORE_BYTES = 8;

function sum(list: readonly Uint8Array[]): number {
  let n = 0;
  for (const b of list) n += b.byteLength;
  return n;
}

function maybe(list: readonly (Uint8Array | undefined)[]): number {
  let n = 0;
  for (const b of list) if (b !== undefined) n += b.byteLength;
  return n;
}

/** -1 (miss) for `undefined`, else `bytes(result)`. */
function outOf<T>(bytes: (r: T) => number): (r: T | undefined) => number {
  return (r) => (r === undefined ? -1 : bytes(r));
}

const NOTHING_OUT = (): number => 0;
const COUNT_OUT = outOf<unknown>(() => 0);

/** The collection half of the data plane; created by and sharing the admission path of {@link CacheService}. */
export class CollectionService {
  constructor(
    private readonly service: CacheService,
    private readonly engine: CacheEngine,
    private readonly limits: ServiceLimits,
  ) {}

  // ── hash-conditioned scalars ─────────────────────────────────────────────────────────────────

  getWithHash(p: Principal, cache: string, key: Uint8Array): Promise<ValueWithHash | undefined> {
    return this.service.operate(
      'getWithHash',
      p,
      cache,
      () => this.read(key, 0),
      (ns) => this.engine.getWithHash(ns, key),
      outOf((r) => r.value.byteLength + r.hash.byteLength),
    );
  }

  setIfHash(
    p: Principal,
    cache: string,
    key: Uint8Array,
    value: Uint8Array,
    ttlMs: number,
    condition: HashCondition,
  ): Promise<Uint8Array | undefined> {
    const hashBytes = 'hash' in condition ? condition.hash.byteLength : 0;
    return this.service.operate(
      'setIfHash',
      p,
      cache,
      // A conditional write reveals the item's state: it needs read permission too.
      () => this.write(key, value.byteLength + hashBytes, ttlMs, condition.kind !== 'unconditional', value.byteLength),
      (ns) => this.engine.setIfHash(ns, key, value, ttlMs, condition),
      (r) => r?.byteLength ?? 0,
    );
  }

  // ── dictionaries ─────────────────────────────────────────────────────────────────────────────

  dictionarySet(
    p: Principal,
    cache: string,
    name: Uint8Array,
    items: readonly (readonly [Uint8Array, Uint8Array])[],
    ttl: CollectionTtl,
  ): Promise<void> {
    return this.service.operate(
      'dictionarySet',
      p,
      cache,
      () => {
        let bytes = 0;
        for (const [f, v] of items) bytes += f.byteLength + v.byteLength;
        return this.write(name, bytes, ttl.ttlMs);
      },
      (ns) => this.engine.dictionarySet(ns, name, items, ttl),
      NOTHING_OUT,
    );
  }

  dictionaryGet(
    p: Principal,
    cache: string,
    name: Uint8Array,
    fields: readonly Uint8Array[],
  ): Promise<(Uint8Array | undefined)[] | undefined> {
    return this.service.operate(
      'dictionaryGet',
      p,
      cache,
      () => this.read(name, sum(fields)),
      (ns) => this.engine.dictionaryGet(ns, name, fields),
      outOf(maybe),
    );
  }

  dictionaryFetch(p: Principal, cache: string, name: Uint8Array): Promise<[Uint8Array, Uint8Array][] | undefined> {
    return this.service.operate(
      'dictionaryFetch',
      p,
      cache,
      () => this.read(name, 0),
      (ns) => this.engine.dictionaryFetch(ns, name),
      outOf((pairs) => {
        let n = 0;
        for (const [f, v] of pairs) n += f.byteLength + v.byteLength;
        return n;
      }),
    );
  }

  dictionaryIncrement(
    p: Principal,
    cache: string,
    name: Uint8Array,
    field: Uint8Array,
    amount: bigint,
    ttl: CollectionTtl,
  ): Promise<bigint> {
    return this.service.operate(
      'dictionaryIncrement',
      p,
      cache,
      () => this.write(name, field.byteLength, ttl.ttlMs, true),
      (ns) => this.engine.dictionaryIncrement(ns, name, field, amount, ttl),
      NOTHING_OUT,
    );
  }

  dictionaryDelete(
    p: Principal,
    cache: string,
    name: Uint8Array,
    fields: readonly Uint8Array[] | 'all',
  ): Promise<void> {
    return this.service.operate(
      'dictionaryDelete',
      p,
      cache,
      () => this.remove(name, fields === 'all' ? 0 : sum(fields)),
      (ns) => this.engine.dictionaryDelete(ns, name, fields),
      NOTHING_OUT,
    );
  }

  dictionaryLength(p: Principal, cache: string, name: Uint8Array): Promise<number | undefined> {
    return this.length('dictionaryLength', p, cache, name, (ns) => this.engine.dictionaryLength(ns, name));
  }

  // ── lists ────────────────────────────────────────────────────────────────────────────────────

  listConcatenate(
    p: Principal,
    cache: string,
    name: Uint8Array,
    end: ListEnd,
    values: readonly Uint8Array[],
    ttl: CollectionTtl,
    truncateToSize?: number,
  ): Promise<number> {
    return this.service.operate(
      'listConcatenate',
      p,
      cache,
      () => this.write(name, sum(values), ttl.ttlMs),
      (ns) => this.engine.listConcatenate(ns, name, end, values, ttl, truncateToSize),
      NOTHING_OUT,
    );
  }

  listPop(
    p: Principal,
    cache: string,
    name: Uint8Array,
    end: ListEnd,
  ): Promise<{ value: Uint8Array; length: number } | undefined> {
    return this.service.operate(
      'listPop',
      p,
      cache,
      () => ({ ...this.remove(name, 0), alsoRead: true, hitOrMiss: true }),
      (ns) => this.engine.listPop(ns, name, end),
      outOf((r) => r.value.byteLength),
    );
  }

  listFetch(p: Principal, cache: string, name: Uint8Array, range: IndexRange): Promise<Uint8Array[] | undefined> {
    return this.service.operate(
      'listFetch',
      p,
      cache,
      () => this.read(name, 0),
      (ns) => this.engine.listFetch(ns, name, range),
      outOf(sum),
    );
  }

  listLength(p: Principal, cache: string, name: Uint8Array): Promise<number | undefined> {
    return this.length('listLength', p, cache, name, (ns) => this.engine.listLength(ns, name));
  }

  /** Removes every element equal to `value`, or the first `count` from the front / back (Redis LREM). */
  listRemoveValue(
    p: Principal,
    cache: string,
    name: Uint8Array,
    value: Uint8Array,
    count = 0,
  ): Promise<number | undefined> {
    return this.service.operate(
      'listRemove',
      p,
      cache,
      () => this.remove(name, value.byteLength),
      (ns) => this.engine.listRemoveValue(ns, name, value, count),
      NOTHING_OUT,
    );
  }

  listRetain(
    p: Principal,
    cache: string,
    name: Uint8Array,
    range: IndexRange,
    ttl: CollectionTtl,
  ): Promise<number | undefined> {
    return this.service.operate(
      'listRetain',
      p,
      cache,
      () => this.write(name, 0, ttl.ttlMs),
      (ns) => this.engine.listRetain(ns, name, range, ttl),
      NOTHING_OUT,
    );
  }

  listErase(
    p: Principal,
    cache: string,
    name: Uint8Array,
    ranges: readonly { readonly start: number; readonly count: number }[] | 'all',
  ): Promise<number | undefined> {
    return this.service.operate(
      'listErase',
      p,
      cache,
      () => this.remove(name, 0),
      (ns) => this.engine.listErase(ns, name, ranges),
      NOTHING_OUT,
    );
  }

  // ── sets ─────────────────────────────────────────────────────────────────────────────────────

  setAdd(
    p: Principal,
    cache: string,
    name: Uint8Array,
    elements: readonly Uint8Array[],
    ttl: CollectionTtl,
  ): Promise<void> {
    return this.service.operate(
      'setAdd',
      p,
      cache,
      () => this.write(name, sum(elements), ttl.ttlMs),
      (ns) => this.engine.setAdd(ns, name, elements, ttl),
      NOTHING_OUT,
    );
  }

  setRemove(p: Principal, cache: string, name: Uint8Array, elements: readonly Uint8Array[] | 'all'): Promise<boolean> {
    return this.service.operate(
      'setRemove',
      p,
      cache,
      () => this.remove(name, elements === 'all' ? 0 : sum(elements)),
      (ns) => this.engine.setRemove(ns, name, elements),
      NOTHING_OUT,
    );
  }

  setFetch(p: Principal, cache: string, name: Uint8Array): Promise<Uint8Array[] | undefined> {
    return this.service.operate(
      'setFetch',
      p,
      cache,
      () => this.read(name, 0),
      (ns) => this.engine.setFetch(ns, name),
      outOf(sum),
    );
  }

  setContains(
    p: Principal,
    cache: string,
    name: Uint8Array,
    elements: readonly Uint8Array[],
  ): Promise<boolean[] | undefined> {
    return this.service.operate(
      'setContains',
      p,
      cache,
      () => this.read(name, sum(elements)),
      (ns) => this.engine.setContains(ns, name, elements),
      COUNT_OUT,
    );
  }

  setLength(p: Principal, cache: string, name: Uint8Array): Promise<number | undefined> {
    return this.length('setLength', p, cache, name, (ns) => this.engine.setLength(ns, name));
  }

  setSample(p: Principal, cache: string, name: Uint8Array, limit: number): Promise<Uint8Array[] | undefined> {
    return this.service.operate(
      'setSample',
      p,
      cache,
      () => this.read(name, 0),
      (ns) => this.engine.setSample(ns, name, limit),
      outOf(sum),
    );
  }

  setPop(p: Principal, cache: string, name: Uint8Array, count: number): Promise<Uint8Array[] | undefined> {
    return this.service.operate(
      'setPop',
      p,
      cache,
      () => ({ ...this.remove(name, 0), alsoRead: true, hitOrMiss: true }),
      (ns) => this.engine.setPop(ns, name, count),
      outOf(sum),
    );
  }

  // ── sorted sets ──────────────────────────────────────────────────────────────────────────────

  sortedSetPut(
    p: Principal,
    cache: string,
    name: Uint8Array,
    elements: readonly SortedSetElement[],
    ttl: CollectionTtl,
  ): Promise<void> {
    return this.service.operate(
      'sortedSetPut',
      p,
      cache,
      () => this.write(name, elementBytes(elements), ttl.ttlMs),
      (ns) => this.engine.sortedSetPut(ns, name, elements, ttl),
      NOTHING_OUT,
    );
  }

  sortedSetFetchByRank(
    p: Principal,
    cache: string,
    name: Uint8Array,
    range: IndexRange,
    order: SortOrder,
  ): Promise<SortedSetElement[] | undefined> {
    return this.service.operate(
      'sortedSetFetch',
      p,
      cache,
      () => this.read(name, 0),
      (ns) => this.engine.sortedSetFetchByRank(ns, name, range, order),
      outOf(elementBytes),
    );
  }

  sortedSetFetchByScore(
    p: Principal,
    cache: string,
    name: Uint8Array,
    range: ScoreRange,
    order: SortOrder,
  ): Promise<SortedSetElement[] | undefined> {
    return this.service.operate(
      'sortedSetFetch',
      p,
      cache,
      () => this.read(name, 2 * SCORE_BYTES),
      (ns) => this.engine.sortedSetFetchByScore(ns, name, range, order),
      outOf(elementBytes),
    );
  }

  sortedSetGetScores(
    p: Principal,
    cache: string,
    name: Uint8Array,
    values: readonly Uint8Array[],
  ): Promise<(number | undefined)[] | undefined> {
    return this.service.operate(
      'sortedSetGetScores',
      p,
      cache,
      () => this.read(name, sum(values)),
      (ns) => this.engine.sortedSetGetScores(ns, name, values),
      outOf((scores) => scores.length * SCORE_BYTES),
    );
  }

  sortedSetGetRank(
    p: Principal,
    cache: string,
    name: Uint8Array,
    value: Uint8Array,
    order: SortOrder,
  ): Promise<number | undefined> {
    return this.service.operate(
      'sortedSetGetRank',
      p,
      cache,
      () => this.read(name, value.byteLength),
      (ns) => this.engine.sortedSetGetRank(ns, name, value, order),
      COUNT_OUT,
    );
  }

  sortedSetIncrement(
    p: Principal,
    cache: string,
    name: Uint8Array,
    value: Uint8Array,
    amount: number,
    ttl: CollectionTtl,
  ): Promise<number> {
    return this.service.operate(
      'sortedSetIncrement',
      p,
      cache,
      () => this.write(name, value.byteLength + SCORE_BYTES, ttl.ttlMs, true),
      (ns) => this.engine.sortedSetIncrement(ns, name, value, amount, ttl),
      () => SCORE_BYTES,
    );
  }

  sortedSetRemove(p: Principal, cache: string, name: Uint8Array, values: readonly Uint8Array[] | 'all'): Promise<void> {
    return this.service.operate(
      'sortedSetRemove',
      p,
      cache,
      () => this.remove(name, values === 'all' ? 0 : sum(values)),
      (ns) => this.engine.sortedSetRemove(ns, name, values),
      NOTHING_OUT,
    );
  }

  sortedSetLength(p: Principal, cache: string, name: Uint8Array): Promise<number | undefined> {
    return this.length('sortedSetLength', p, cache, name, (ns) => this.engine.sortedSetLength(ns, name));
  }

  sortedSetLengthByScore(
    p: Principal,
    cache: string,
    name: Uint8Array,
    min?: ScoreBound,
    max?: ScoreBound,
  ): Promise<number | undefined> {
    return this.length('sortedSetLengthByScore', p, cache, name, (ns) =>
      this.engine.sortedSetLengthByScore(ns, name, min, max),
    );
  }

  sortedSetUnionStore(
    p: Principal,
    cache: string,
    name: Uint8Array,
    sources: readonly SortedSetSource[],
    aggregate: SortedSetAggregate,
    ttlMs: number,
  ): Promise<number> {
    return this.service.operate(
      'sortedSetUnionStore',
      p,
      cache,
      () => {
        let bytes = 0;
        for (const src of sources) {
          validateKey(src.key);
          bytes += src.key.byteLength + SCORE_BYTES;
        }
        // Reads its sources, so it needs read permission as well as write.
        return this.write(name, bytes, ttlMs, true);
      },
      (ns) => this.engine.sortedSetUnionStore(ns, name, sources, aggregate, ttlMs),
      NOTHING_OUT,
    );
  }

  // ── helpers ──────────────────────────────────────────────────────────────────────────────────

  private length(
    op: 'dictionaryLength' | 'listLength' | 'setLength' | 'sortedSetLength' | 'sortedSetLengthByScore',
    p: Principal,
    cache: string,
    name: Uint8Array,
    run: (ns: string) => Promise<number | undefined>,
  ): Promise<number | undefined> {
    return this.service.operate(op, p, cache, () => this.read(name, 0), run, COUNT_OUT);
  }

  private read(name: Uint8Array, argBytes: number): Admission {
    validateKey(name);
    return { permission: 'read', hitOrMiss: true, bytesIn: name.byteLength + argBytes };
  }

  private remove(name: Uint8Array, argBytes: number): Admission {
    validateKey(name);
    this.checkSize(name, argBytes);
    return { permission: 'write', bytesIn: name.byteLength + argBytes };
  }

  /**
   * A write of `argBytes` (fields, values, elements…) with `ttlMs`. The request must fit the item-size
   * limit, like a scalar value; the collection's total is the engine's to check (only it sees the whole
   * collection: `maxItemBytes`, set from the same limit by the preset).
   */
  private write(name: Uint8Array, argBytes: number, ttlMs: number, alsoRead = false, itemBytes = argBytes): Admission {
    validateKey(name);
    validateTtlMs(ttlMs, this.limits);
    this.checkSize(name, argBytes);
    return {
      permission: 'write',
      alsoRead,
      bytesIn: name.byteLength + argBytes,
      largestItemBytes: name.byteLength + itemBytes,
      ttlMs,
    };
  }

  private checkSize(name: Uint8Array, argBytes: number): void {
    const size = name.byteLength + argBytes;
    if (size > this.limits.maxItemSizeBytes) {
      throw new CacheError(
        ErrorCode.LIMIT_EXCEEDED,
        `request of ${size} bytes exceeds the item size limit of ${this.limits.maxItemSizeBytes} bytes`,
        'item_size_limit_exceeded',
      );
    }
  }
}

function elementBytes(elements: readonly SortedSetElement[]): number {
  let n = 0;
  for (const e of elements) n += e.value.byteLength + SCORE_BYTES;
  return n;
}
