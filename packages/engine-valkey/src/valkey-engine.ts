/**
 * @module valkey-engine
 * A {@link CacheEngine} over a Valkey/Redis Cluster or a single node.
 *
 * Layout and generations: see key-layout.ts (64 slot families per cache, each with its own generation
 * key) and scripts.ts (item header = generation + deadline; every op is one Lua script on one shard).
 *
 * Time: deadlines are computed and judged on the engine's injected clock (default: the system clock),
 * exactly like MemoryEngine, and each item also carries the same TTL as a Redis PX expiry so the
 * server reclaims its memory. In production both clocks are the real one, so they agree up to the clock
 * skew between gateway and server hosts (NTP: milliseconds); the item is a miss as soon as either says it
 * expired. With a fake clock in tests, expiry is deterministic and no test sleeps.
 *
 * Memory: delegated to the cluster. Configure every node with `maxmemory` and
 * `maxmemory-policy allkeys-lru` (or `allkeys-lfu`); the engine never evicts, `stats().maxBytes` is
 * Infinity. Flushed or dropped caches leave their items in place, invisible, until their TTL reclaims
 * them or LRU evicts them first, which is what makes flush and drop O(1).
 *
 * Failures: every command has a deadline (`commandTimeoutMs`); a timeout, a refused connection, a shard
 * down or CLUSTERDOWN rejects with `CacheError(UNAVAILABLE)`. Nothing is answered from a guess.
 */

import { randomBytes } from 'node:crypto';
import type { Clock } from '@cachette/core';
import { CacheError, ErrorCode, isInt64, systemClock } from '@cachette/core';
import type {
  CacheEngine,
  CollectionTtl,
  EngineStats,
  ExistenceCondition,
  HashCondition,
  IndexRange,
  ItemType,
  LeaderboardElement,
  LeaderboardScoreRange,
  ListEnd,
  RankedElement,
  ScoreBound,
  ScoreRange,
  SetCondition,
  SetReturningResult,
  SortedSetAggregate,
  SortedSetElement,
  SortedSetSource,
  SortOrder,
  TtlUpdate,
  TtlUpdateResult,
  ValueWithHash,
  WriteTtl,
} from '@cachette/engine';
import {
  bytesToId,
  checkLeaderboardElements,
  checkLeaderboardId,
  checkLeaderboardScoreRange,
  checkRankRange,
  checkWriteTtl,
  idToBytes,
  valueHash,
  wrongTypeError,
} from '@cachette/engine';
import * as cs from './collection-scripts.ts';
import type { ConnectionOptions, ValkeyClient } from './connect.ts';
import { connectClient } from './connect.ts';
import { closedError, storeNotFound, toCacheError } from './errors.ts';
import type { NamespaceKeys } from './key-layout.ts';
import { KeyLayout, slotOf } from './key-layout.ts';
import * as lua from './scripts.ts';

/** Options of {@link ValkeyEngine}. */
export interface ValkeyEngineOptions {
  /** Prepended to every key; lets several deployments (or test runs) share a cluster. Default `cachette:`. */
  readonly keyPrefix?: string;
  /**
   * Slot families per cache, a power of two. Must be the same on every gateway of a deployment: changing
   * it makes existing items unreachable (they age out). Default 64.
   */
  readonly bucketsPerNamespace?: number;
  /** Source of time for deadlines. Default the system clock. */
  readonly clock?: Clock;
  /** How often `stats()` is refreshed from INFO in the background; 0 disables. Default 10 000 ms. */
  readonly statsIntervalMs?: number;
  /**
   * The item-size limit a collection's total must respect: its key plus every field and value, element,
   * or member and 8 bytes per score (kept in each collection's header). A write that would pass it is
   * refused with LIMIT_EXCEEDED (`item_size_limit_exceeded`) and changes nothing. Fixed per client: it is
   * written into the scripts the engine registers. Default: no limit.
   */
  readonly maxItemBytes?: number;
}

/** Options of {@link ValkeyEngine.connect}: where the cluster is, plus the engine options. */
export interface ValkeyConnectOptions extends ConnectionOptions, ValkeyEngineOptions {}

/** Script commands registered with `defineCommand`; the `…Buffer` variants return Buffers for bulk replies. */
interface ScriptClient {
  cgGetBuffer(meta: Buffer, item: Buffer, now: number): Promise<Buffer | number | null>;
  cgSet(meta: Buffer, item: Buffer, now: number, ttlMs: number, value: Uint8Array): Promise<number>;
  cgSetIf(
    meta: Buffer,
    item: Buffer,
    head: Buffer,
    now: number,
    ttlMs: number,
    value: Uint8Array,
    cond: string,
    compared: Uint8Array,
  ): Promise<number>;
  cgDelete(meta: Buffer, item: Buffer, head: Buffer, now: number): Promise<number>;
  cgIncrementBuffer(
    meta: Buffer,
    item: Buffer,
    head: Buffer,
    now: number,
    ttlMs: number,
    amount: string,
    keep: string,
  ): Promise<Buffer | number>;
  cgSetReturningBuffer(
    meta: Buffer,
    item: Buffer,
    head: Buffer,
    now: number,
    ttlMs: number,
    value: Buffer,
    cond: string,
    returnPrevious: string,
    keep: string,
  ): Promise<[number, Buffer | null] | number>;
  cgGetAndExpireBuffer(
    meta: Buffer,
    item: Buffer,
    head: Buffer,
    now: number,
    expiry: number | string,
  ): Promise<Buffer | number | null>;
  cgGetTtl(meta: Buffer, item: Buffer, head: Buffer, now: number): Promise<number | null>;
  cgUpdateTtl(meta: Buffer, item: Buffer, head: Buffer, now: number, kind: string, ttlMs: number): Promise<number>;
  cgExist(numKeys: number, ...args: (Buffer | number)[]): Promise<number[] | number>;
  cgSortedSetUnionStore(...args: (Buffer | string | number)[]): Promise<number>;
}

/** A script registered with `defineCommand`, called as `(meta, item, header, now, ...args)`. */
type CollectionScript = (...args: (Buffer | string | number)[]) => Promise<unknown>;

const SCRIPTS: Record<string, { lua: string; numberOfKeys?: number }> = {
  cgGet: { lua: lua.GET, numberOfKeys: 2 },
  cgSet: { lua: lua.SET, numberOfKeys: 2 },
  cgSetIf: { lua: lua.SET_IF, numberOfKeys: 3 },
  cgDelete: { lua: lua.DELETE, numberOfKeys: 3 },
  cgIncrement: { lua: lua.INCREMENT, numberOfKeys: 3 },
  cgSetReturning: { lua: lua.SET_RETURNING, numberOfKeys: 3 },
  cgGetAndExpire: { lua: lua.GET_AND_EXPIRE, numberOfKeys: 3 },
  cgGetTtl: { lua: lua.GET_TTL, numberOfKeys: 3 },
  cgUpdateTtl: { lua: lua.UPDATE_TTL, numberOfKeys: 3 },
  cgTypeOf: { lua: lua.TYPE_OF, numberOfKeys: 3 },
  cgSetIfHash: { lua: lua.SET_IF_HASH, numberOfKeys: 3 },
  // Variable key count (meta + item/header pairs): the caller passes numkeys first.
  cgExist: { lua: lua.EXIST },
  cgDictionarySet: { lua: cs.DICTIONARY_SET, numberOfKeys: 3 },
  cgDictionaryGet: { lua: cs.DICTIONARY_GET, numberOfKeys: 3 },
  cgDictionaryFetch: { lua: cs.DICTIONARY_FETCH, numberOfKeys: 3 },
  cgDictionaryLength: { lua: cs.DICTIONARY_LENGTH, numberOfKeys: 3 },
  cgDictionaryDelete: { lua: cs.DICTIONARY_DELETE, numberOfKeys: 3 },
  cgDictionaryIncrement: { lua: cs.DICTIONARY_INCREMENT, numberOfKeys: 3 },
  cgListPush: { lua: cs.LIST_PUSH, numberOfKeys: 3 },
  cgListPop: { lua: cs.LIST_POP, numberOfKeys: 3 },
  cgListFetch: { lua: cs.LIST_FETCH, numberOfKeys: 3 },
  cgListLength: { lua: cs.LIST_LENGTH, numberOfKeys: 3 },
  cgListRemove: { lua: cs.LIST_REMOVE, numberOfKeys: 3 },
  cgListRetain: { lua: cs.LIST_RETAIN, numberOfKeys: 3 },
  cgListErase: { lua: cs.LIST_ERASE, numberOfKeys: 3 },
  cgSetAdd: { lua: cs.SET_ADD, numberOfKeys: 3 },
  cgSetRemove: { lua: cs.SET_REMOVE, numberOfKeys: 3 },
  cgSetFetch: { lua: cs.SET_FETCH, numberOfKeys: 3 },
  cgSetContains: { lua: cs.SET_CONTAINS, numberOfKeys: 3 },
  cgSetLength: { lua: cs.SET_LENGTH, numberOfKeys: 3 },
  cgSetSample: { lua: cs.SET_SAMPLE, numberOfKeys: 3 },
  cgSetPop: { lua: cs.SET_POP, numberOfKeys: 3 },
  cgSortedSetPut: { lua: cs.SORTED_SET_PUT, numberOfKeys: 3 },
  cgSortedSetByRank: { lua: cs.SORTED_SET_BY_RANK, numberOfKeys: 3 },
  cgSortedSetByScore: { lua: cs.SORTED_SET_BY_SCORE, numberOfKeys: 3 },
  cgSortedSetScores: { lua: cs.SORTED_SET_SCORES, numberOfKeys: 3 },
  cgSortedSetRank: { lua: cs.SORTED_SET_RANK, numberOfKeys: 3 },
  cgSortedSetIncrement: { lua: cs.SORTED_SET_INCREMENT, numberOfKeys: 3 },
  cgSortedSetRemove: { lua: cs.SORTED_SET_REMOVE, numberOfKeys: 3 },
  cgSortedSetLength: { lua: cs.SORTED_SET_LENGTH, numberOfKeys: 3 },
  cgSortedSetCount: { lua: cs.SORTED_SET_COUNT, numberOfKeys: 3 },
  // Its sources' keys travel as arguments (see the script).
  cgSortedSetUnionStore: { lua: cs.SORTED_SET_UNION_STORE, numberOfKeys: 3 },
  cgLeaderboardPut: { lua: cs.LEADERBOARD_PUT, numberOfKeys: 3 },
  cgLeaderboardByScore: { lua: cs.LEADERBOARD_BY_SCORE, numberOfKeys: 3 },
  cgLeaderboardRanks: { lua: cs.LEADERBOARD_RANKS, numberOfKeys: 3 },
};

const HASH_CONDITION_CODE: Record<HashCondition['kind'], string> = {
  unconditional: 'u',
  presentAndHashEqual: 'e',
  presentAndHashNotEqual: 'n',
  absentOrHashEqual: 'o',
  absentOrHashNotEqual: 'x',
};

const ITEM_TYPE: Record<string, ItemType> = {
  string: 'scalar',
  hash: 'dictionary',
  list: 'list',
  set: 'set',
  zset: 'sortedSet',
};

const CONDITION_CODE: Record<SetCondition['kind'], string> = {
  absent: 'a',
  present: 'p',
  equal: 'e',
  notEqual: 'n',
  presentAndNotEqual: 'd',
  absentOrEqual: 'o',
};

const EXISTENCE_CODE: Record<ExistenceCondition, string> = { always: 'u', absent: 'a', present: 'p' };

const TTL_KIND_CODE: Record<TtlUpdate['kind'], string> = { overwrite: 'o', increaseTo: 'i', decreaseTo: 'd' };
const TTL_RESULT: readonly TtlUpdateResult[] = ['missing', 'set', 'notSet'];
const EMPTY = Buffer.alloc(0);

/**
 * The cluster-backed {@link CacheEngine}. Stateless apart from its connection: any number of engines
 * (gateways) can share one cluster and see the same caches.
 *
 * @example
 * const engine = await ValkeyEngine.connect({ url: 'redis://10.0.0.1:6379,10.0.0.2:6379' });
 */
export class ValkeyEngine implements CacheEngine {
  /** The key layout, exposed for tests and tooling (e.g. to find which slot a namespace bucket uses). */
  readonly layout: KeyLayout;
  private readonly scripts: ScriptClient;
  private readonly clock: Clock;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private lastStats: EngineStats = { items: 0, bytesUsed: 0, maxBytes: Infinity, evictions: 0, expirations: 0 };

  /**
   * Connects to `options.url` (cluster or single node, detected) and returns a ready engine.
   *
   * @param options.url default `redis://127.0.0.1:6379`
   * @param options.commandTimeoutMs per-command deadline, default 1000
   * @param options.connectTimeoutMs default 2000
   * @param options.keyPrefix default `cachette:`
   * @param options.bucketsPerNamespace default 64
   * @param options.clock default the system clock
   * @param options.statsIntervalMs default 10 000; 0 disables background INFO polling
   * @throws CacheError(UNAVAILABLE) when nothing answers
   */
  static async connect(options: ValkeyConnectOptions = {}): Promise<ValkeyEngine> {
    let client: ValkeyClient;
    try {
      client = await connectClient(options);
    } catch (e) {
      throw new CacheError(
        ErrorCode.UNAVAILABLE,
        `cannot connect to Valkey at ${options.url ?? 'redis://127.0.0.1:6379'}: ${(e as Error).message}`,
      );
    }
    return new ValkeyEngine(client, options);
  }

  /**
   * Wraps an already connected client (the engine takes ownership and closes it in `close()`). Prefer
   * {@link ValkeyEngine.connect}, which sets the timeouts that make failures bounded.
   */
  constructor(
    readonly client: ValkeyClient,
    options: ValkeyEngineOptions = {},
  ) {
    this.layout = new KeyLayout(options.keyPrefix ?? 'cachette:', options.bucketsPerNamespace ?? 64);
    this.clock = options.clock ?? systemClock;
    const maxItemBytes = options.maxItemBytes ?? Number.POSITIVE_INFINITY;
    if (!(maxItemBytes > 0)) throw invalid(`maxItemBytes must be a positive number, got ${maxItemBytes}`);
    for (const [name, def] of Object.entries(SCRIPTS)) {
      if (!(name in client)) client.defineCommand(name, { ...def, lua: cs.withItemLimit(def.lua, maxItemBytes) });
    }
    this.scripts = client as unknown as ScriptClient;
    const statsIntervalMs = options.statsIntervalMs ?? 10_000;
    if (statsIntervalMs > 0) {
      // unref: stats polling must never keep a process alive.
      this.timer = setInterval(this.statsTick, statsIntervalMs).unref();
      // A first reading now, so stats() is meaningful before the first period has passed.
      this.statsTick();
    }
  }

  // ---- namespaces ----------------------------------------------------------------------------------

  async createNamespace(ns: string): Promise<void> {
    const { meta } = this.keysOf(ns);
    const gen = randomBytes(8);
    try {
      // Bucket 0 last: hasNamespace reads it, so it turns true only once every bucket exists. SET NX keeps
      // an existing generation (create is idempotent and must keep items); re-running repairs a partial
      // create.
      await Promise.all(meta.slice(1).map((key) => this.client.set(key, gen, 'NX')));
      await this.client.set(meta[0]!, gen, 'NX');
    } catch (e) {
      throw toCacheError(e, 'createNamespace');
    }
  }

  async dropNamespace(ns: string): Promise<void> {
    const { meta } = this.keysOf(ns);
    try {
      // Bucket 0 first, so hasNamespace turns false before any bucket disappears. Items stay until their
      // TTL; a re-created namespace gets new random generations, so they can never reappear.
      await this.client.del(meta[0]!);
      await Promise.all(meta.slice(1).map((key) => this.client.del(key)));
    } catch (e) {
      throw toCacheError(e, 'dropNamespace');
    }
  }

  async flushNamespace(ns: string): Promise<void> {
    const { meta } = this.keysOf(ns);
    const gen = randomBytes(8);
    try {
      // SET XX: a new generation only where the namespace exists; bucket 0 answers whether it does.
      if ((await this.client.set(meta[0]!, gen, 'XX')) === null) throw storeNotFound();
      await Promise.all(meta.slice(1).map((key) => this.client.set(key, gen, 'XX')));
    } catch (e) {
      throw toCacheError(e, 'flushNamespace');
    }
  }

  async hasNamespace(ns: string): Promise<boolean> {
    const { meta } = this.keysOf(ns);
    try {
      return (await this.client.exists(meta[0]!)) === 1;
    } catch (e) {
      throw toCacheError(e, 'hasNamespace');
    }
  }

  // ---- items ---------------------------------------------------------------------------------------

  async get(ns: string, key: Uint8Array): Promise<Uint8Array | undefined> {
    const keys = this.keysOf(ns);
    const b = this.layout.bucketOf(key);
    let raw: Buffer | number | null;
    try {
      raw = await this.scripts.cgGetBuffer(keys.meta[b]!, this.layout.itemKey(keys.itemPrefix[b]!, key), this.now());
    } catch (e) {
      throw toCacheError(e, 'get');
    }
    if (raw === null) return undefined;
    if (raw === lua.RESOLVE_TYPE) {
      // A native collection sits at the key: live → wrong type, dead (flushed/expired) → a miss.
      if ((await this.itemGetType(ns, key)) === undefined) return undefined;
      throw wrongTypeError();
    }
    if (typeof raw === 'number') throw storeNotFound();
    // A view past the header: no copy of the value.
    return raw.subarray(lua.HEADER_BYTES);
  }

  async set(ns: string, key: Uint8Array, value: Uint8Array, ttlMs: number): Promise<void> {
    const keys = this.keysOf(ns);
    checkTtl(ttlMs);
    const b = this.layout.bucketOf(key);
    let status: number;
    try {
      status = await this.scripts.cgSet(
        keys.meta[b]!,
        this.layout.itemKey(keys.itemPrefix[b]!, key),
        this.now(),
        ttlMs,
        asBuffer(value),
      );
    } catch (e) {
      throw toCacheError(e, 'set');
    }
    if (status === lua.NS_MISSING) throw storeNotFound();
  }

  async setIf(
    ns: string,
    key: Uint8Array,
    value: Uint8Array,
    ttlMs: number,
    condition: SetCondition,
  ): Promise<boolean> {
    const keys = this.keysOf(ns);
    checkTtl(ttlMs);
    const code = CONDITION_CODE[condition.kind];
    if (code === undefined) throw invalid(`unknown set condition ${JSON.stringify(condition.kind)}`);
    const compared = 'value' in condition ? asBuffer(condition.value) : EMPTY;
    const b = this.layout.bucketOf(key);
    let status: number;
    try {
      status = await this.scripts.cgSetIf(
        keys.meta[b]!,
        this.layout.itemKey(keys.itemPrefix[b]!, key),
        this.layout.itemKey(keys.headerPrefix[b]!, key),
        this.now(),
        ttlMs,
        asBuffer(value),
        code,
        compared,
      );
    } catch (e) {
      throw toCacheError(e, 'setIf');
    }
    if (status === lua.NS_MISSING) throw storeNotFound();
    if (status === lua.WRONG_TYPE) throw wrongTypeError();
    return status === 1;
  }

  async delete(ns: string, key: Uint8Array): Promise<void> {
    const keys = this.keysOf(ns);
    const b = this.layout.bucketOf(key);
    let status: number;
    try {
      status = await this.scripts.cgDelete(
        keys.meta[b]!,
        this.layout.itemKey(keys.itemPrefix[b]!, key),
        this.layout.itemKey(keys.headerPrefix[b]!, key),
        this.now(),
      );
    } catch (e) {
      throw toCacheError(e, 'delete');
    }
    if (status === lua.NS_MISSING) throw storeNotFound();
  }

  async increment(ns: string, key: Uint8Array, amount: bigint, ttl: WriteTtl): Promise<bigint> {
    const keys = this.keysOf(ns);
    checkWriteTtl(ttl);
    if (!isInt64(amount)) {
      throw invalid(`amount must be a signed 64-bit integer (bigint), got ${String(amount)}`);
    }
    const b = this.layout.bucketOf(key);
    let result: Buffer | number;
    try {
      result = await this.scripts.cgIncrementBuffer(
        keys.meta[b]!,
        this.layout.itemKey(keys.itemPrefix[b]!, key),
        this.layout.itemKey(keys.headerPrefix[b]!, key),
        this.now(),
        typeof ttl === 'number' ? ttl : ttl.keepOr,
        amount.toString(),
        typeof ttl === 'number' ? '' : 'k',
      );
    } catch (e) {
      throw toCacheError(e, 'increment');
    }
    if (typeof result !== 'number') return BigInt(result.toString('latin1'));
    if (result === lua.NS_MISSING) throw storeNotFound();
    if (result === lua.WRONG_TYPE) throw wrongTypeError();
    if (result === lua.NOT_AN_INTEGER) {
      throw new CacheError(
        ErrorCode.FAILED_PRECONDITION,
        'the value stored at this key is not a decimal integer',
        'not_an_integer',
      );
    }
    throw new CacheError(ErrorCode.FAILED_PRECONDITION, 'increment would overflow a signed 64-bit integer', 'overflow');
  }

  async setReturning(
    ns: string,
    key: Uint8Array,
    value: Uint8Array,
    ttl: WriteTtl,
    condition: ExistenceCondition,
    returnPrevious: boolean,
  ): Promise<SetReturningResult> {
    const keys = this.keysOf(ns);
    checkWriteTtl(ttl);
    const code = EXISTENCE_CODE[condition];
    if (code === undefined) throw invalid(`unknown existence condition ${JSON.stringify(condition)}`);
    const b = this.layout.bucketOf(key);
    let result: [number, Buffer | null] | number;
    try {
      result = await this.scripts.cgSetReturningBuffer(
        keys.meta[b]!,
        this.layout.itemKey(keys.itemPrefix[b]!, key),
        this.layout.itemKey(keys.headerPrefix[b]!, key),
        this.now(),
        typeof ttl === 'number' ? ttl : ttl.keepOr,
        asBuffer(value),
        code,
        returnPrevious ? 'g' : '',
        typeof ttl === 'number' ? '' : 'k',
      );
    } catch (e) {
      throw toCacheError(e, 'setReturning');
    }
    if (result === lua.NS_MISSING) throw storeNotFound();
    if (result === lua.WRONG_TYPE) throw wrongTypeError();
    if (typeof result === 'number') throw invalid(`unexpected setReturning status ${result}`);
    const raw = result[1];
    return { stored: result[0] === 1, previous: raw === null ? undefined : raw.subarray(lua.HEADER_BYTES) };
  }

  async getAndExpire(ns: string, key: Uint8Array, expiry: number | 'delete'): Promise<Uint8Array | undefined> {
    const keys = this.keysOf(ns);
    if (expiry !== 'delete') checkTtl(expiry);
    const b = this.layout.bucketOf(key);
    let raw: Buffer | number | null;
    try {
      raw = await this.scripts.cgGetAndExpireBuffer(
        keys.meta[b]!,
        this.layout.itemKey(keys.itemPrefix[b]!, key),
        this.layout.itemKey(keys.headerPrefix[b]!, key),
        this.now(),
        expiry === 'delete' ? 'd' : expiry,
      );
    } catch (e) {
      throw toCacheError(e, 'getAndExpire');
    }
    if (raw === null) return undefined;
    if (raw === lua.WRONG_TYPE) throw wrongTypeError();
    if (typeof raw === 'number') throw storeNotFound();
    return raw.subarray(lua.HEADER_BYTES);
  }

  async itemGetTtl(ns: string, key: Uint8Array): Promise<number | undefined> {
    const keys = this.keysOf(ns);
    const b = this.layout.bucketOf(key);
    let ttl: number | null;
    try {
      ttl = await this.scripts.cgGetTtl(
        keys.meta[b]!,
        this.layout.itemKey(keys.itemPrefix[b]!, key),
        this.layout.itemKey(keys.headerPrefix[b]!, key),
        this.now(),
      );
    } catch (e) {
      throw toCacheError(e, 'itemGetTtl');
    }
    if (ttl === lua.NS_MISSING) throw storeNotFound();
    return ttl === null ? undefined : ttl;
  }

  async updateTtl(ns: string, key: Uint8Array, update: TtlUpdate): Promise<TtlUpdateResult> {
    const keys = this.keysOf(ns);
    checkTtl(update.ttlMs);
    const kind = TTL_KIND_CODE[update.kind];
    if (kind === undefined) throw invalid(`unknown TTL update kind ${JSON.stringify(update.kind)}`);
    const b = this.layout.bucketOf(key);
    let status: number;
    try {
      status = await this.scripts.cgUpdateTtl(
        keys.meta[b]!,
        this.layout.itemKey(keys.itemPrefix[b]!, key),
        this.layout.itemKey(keys.headerPrefix[b]!, key),
        this.now(),
        kind,
        update.ttlMs,
      );
    } catch (e) {
      throw toCacheError(e, 'updateTtl');
    }
    if (status === lua.NS_MISSING) throw storeNotFound();
    return TTL_RESULT[status]!;
  }

  async keysExist(ns: string, keys: readonly Uint8Array[]): Promise<boolean[]> {
    const nsKeys = this.keysOf(ns);
    if (keys.length === 0) {
      // Still answer NOT_FOUND for a missing namespace, as every other item operation does.
      if (!(await this.hasNamespace(ns))) throw storeNotFound();
      return [];
    }
    // One script per bucket (= per slot), all issued in the same tick so auto-pipelining sends one batch
    // per node; results are scattered back into request order.
    const groups = new Map<number, number[]>();
    for (let i = 0; i < keys.length; i++) {
      const b = this.layout.bucketOf(keys[i]!);
      const group = groups.get(b);
      if (group === undefined) groups.set(b, [i]);
      else group.push(i);
    }
    const now = this.now();
    const calls: Promise<number[] | number>[] = [];
    for (const [b, indexes] of groups) {
      const args: (Buffer | number)[] = [nsKeys.meta[b]!];
      for (const i of indexes) {
        args.push(this.layout.itemKey(nsKeys.itemPrefix[b]!, keys[i]!));
        args.push(this.layout.itemKey(nsKeys.headerPrefix[b]!, keys[i]!));
      }
      args.push(now);
      calls.push(this.scripts.cgExist(2 * indexes.length + 1, ...args));
    }
    let replies: (number[] | number)[];
    try {
      replies = await Promise.all(calls);
    } catch (e) {
      throw toCacheError(e, 'keysExist');
    }
    const result = new Array<boolean>(keys.length);
    let g = 0;
    for (const indexes of groups.values()) {
      const reply = replies[g++]!;
      if (typeof reply === 'number') throw storeNotFound();
      for (let j = 0; j < indexes.length; j++) result[indexes[j]!] = reply[j] === 1;
    }
    return result;
  }

  async itemGetType(ns: string, key: Uint8Array): Promise<ItemType | undefined> {
    const t = (await this.call('cgTypeOf', ns, key, 'itemGetType', [])) as string;
    return ITEM_TYPE[t];
  }

  // ---- hash-conditioned scalars --------------------------------------------------------------------

  async getWithHash(ns: string, key: Uint8Array): Promise<ValueWithHash | undefined> {
    const value = await this.get(ns, key);
    return value === undefined ? undefined : { value, hash: valueHash(value) };
  }

  async setIfHash(
    ns: string,
    key: Uint8Array,
    value: Uint8Array,
    ttlMs: number,
    condition: HashCondition,
  ): Promise<Uint8Array | undefined> {
    checkTtl(ttlMs);
    const code = HASH_CONDITION_CODE[condition.kind];
    if (code === undefined) throw invalid(`unknown hash condition ${JSON.stringify(condition.kind)}`);
    const hash = 'hash' in condition ? asBuffer(condition.hash) : EMPTY;
    const stored = await this.call('cgSetIfHash', ns, key, 'setIfHash', [ttlMs, asBuffer(value), code, hash]);
    return stored === 1 ? valueHash(value) : undefined;
  }

  // ---- dictionaries --------------------------------------------------------------------------------

  async dictionarySet(
    ns: string,
    key: Uint8Array,
    items: readonly (readonly [field: Uint8Array, value: Uint8Array])[],
    ttl: CollectionTtl,
  ): Promise<void> {
    const args = ttlArgs(ttl);
    for (const [f, v] of items) args.push(asBuffer(f), asBuffer(v));
    await this.call('cgDictionarySet', ns, key, 'dictionarySet', args);
  }

  async dictionaryGet(
    ns: string,
    key: Uint8Array,
    fields: readonly Uint8Array[],
  ): Promise<(Uint8Array | undefined)[] | undefined> {
    if (fields.length === 0) return (await this.dictionaryLength(ns, key)) === undefined ? undefined : [];
    const reply = (await this.call('cgDictionaryGetBuffer', ns, key, 'dictionaryGet', fields.map(asBuffer))) as
      | (Buffer | null)[]
      | null;
    return reply?.map((v) => v ?? undefined) ?? undefined;
  }

  async dictionaryFetch(ns: string, key: Uint8Array): Promise<[field: Uint8Array, value: Uint8Array][] | undefined> {
    const flat = (await this.call('cgDictionaryFetchBuffer', ns, key, 'dictionaryFetch', [])) as Buffer[] | null;
    if (flat === null) return undefined;
    const out: [Uint8Array, Uint8Array][] = [];
    for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
    return out;
  }

  async dictionaryIncrement(
    ns: string,
    key: Uint8Array,
    field: Uint8Array,
    amount: bigint,
    ttl: CollectionTtl,
  ): Promise<bigint> {
    if (!isInt64(amount)) {
      throw invalid(`amount must be a signed 64-bit integer (bigint), got ${String(amount)}`);
    }
    const args = ttlArgs(ttl);
    args.push(asBuffer(field), amount.toString());
    const result = (await this.call('cgDictionaryIncrement', ns, key, 'dictionaryIncrement', args)) as string;
    return BigInt(result);
  }

  async dictionaryDelete(ns: string, key: Uint8Array, fields: readonly Uint8Array[] | 'all'): Promise<void> {
    if (fields !== 'all' && fields.length === 0) return void (await this.dictionaryLength(ns, key));
    const args = fields === 'all' ? ['a'] : ['s', ...fields.map(asBuffer)];
    await this.call('cgDictionaryDelete', ns, key, 'dictionaryDelete', args);
  }

  async dictionaryLength(ns: string, key: Uint8Array): Promise<number | undefined> {
    return orUndefined(await this.call('cgDictionaryLength', ns, key, 'dictionaryLength', []));
  }

  // ---- lists ---------------------------------------------------------------------------------------

  async listConcatenate(
    ns: string,
    key: Uint8Array,
    end: ListEnd,
    values: readonly Uint8Array[],
    ttl: CollectionTtl,
    truncateToSize?: number,
  ): Promise<number> {
    if (truncateToSize !== undefined) checkCount('truncateToSize', truncateToSize);
    const args = ttlArgs(ttl);
    args.push(endCode(end), truncateToSize === undefined ? '' : truncateToSize);
    for (const v of values) args.push(asBuffer(v));
    return (await this.call('cgListPush', ns, key, 'listConcatenate', args)) as number;
  }

  async listPop(ns: string, key: Uint8Array, end: ListEnd): Promise<{ value: Uint8Array; length: number } | undefined> {
    const reply = (await this.call('cgListPopBuffer', ns, key, 'listPop', [endCode(end)])) as [Buffer, number] | null;
    return reply === null ? undefined : { value: reply[0], length: reply[1] };
  }

  async listFetch(ns: string, key: Uint8Array, range: IndexRange): Promise<Uint8Array[] | undefined> {
    const reply = await this.call('cgListFetchBuffer', ns, key, 'listFetch', rangeArgs(range));
    return (reply as Buffer[] | null) ?? undefined;
  }

  async listLength(ns: string, key: Uint8Array): Promise<number | undefined> {
    return orUndefined(await this.call('cgListLength', ns, key, 'listLength', []));
  }

  async listRemoveValue(ns: string, key: Uint8Array, value: Uint8Array, count = 0): Promise<number | undefined> {
    if (!Number.isSafeInteger(count)) throw invalid(`count must be an integer, got ${String(count)}`);
    return orUndefined(await this.call('cgListRemove', ns, key, 'listRemoveValue', [asBuffer(value), count]));
  }

  async listRetain(ns: string, key: Uint8Array, range: IndexRange, ttl: CollectionTtl): Promise<number | undefined> {
    const args = ttlArgs(ttl);
    args.push(...rangeArgs(range));
    return orUndefined(await this.call('cgListRetain', ns, key, 'listRetain', args));
  }

  async listErase(
    ns: string,
    key: Uint8Array,
    ranges: readonly { readonly start: number; readonly count: number }[] | 'all',
  ): Promise<number | undefined> {
    const args: (string | number)[] = ranges === 'all' ? ['a'] : ['s'];
    if (ranges !== 'all') {
      for (const r of ranges) {
        checkCount('start', r.start);
        checkCount('count', r.count);
        args.push(r.start, r.count);
      }
    }
    return orUndefined(await this.call('cgListErase', ns, key, 'listErase', args));
  }

  // ---- sets ----------------------------------------------------------------------------------------

  async setAdd(ns: string, key: Uint8Array, elements: readonly Uint8Array[], ttl: CollectionTtl): Promise<void> {
    const args = ttlArgs(ttl);
    for (const e of elements) args.push(asBuffer(e));
    await this.call('cgSetAdd', ns, key, 'setAdd', args);
  }

  async setRemove(ns: string, key: Uint8Array, elements: readonly Uint8Array[] | 'all'): Promise<boolean> {
    if (elements !== 'all' && elements.length === 0) return (await this.setLength(ns, key)) !== undefined;
    const args = elements === 'all' ? ['a'] : ['s', ...elements.map(asBuffer)];
    return (await this.call('cgSetRemove', ns, key, 'setRemove', args)) !== null;
  }

  async setFetch(ns: string, key: Uint8Array): Promise<Uint8Array[] | undefined> {
    return ((await this.call('cgSetFetchBuffer', ns, key, 'setFetch', [])) as Buffer[] | null) ?? undefined;
  }

  async setContains(ns: string, key: Uint8Array, elements: readonly Uint8Array[]): Promise<boolean[] | undefined> {
    if (elements.length === 0) return (await this.setLength(ns, key)) === undefined ? undefined : [];
    const reply = (await this.call('cgSetContains', ns, key, 'setContains', elements.map(asBuffer))) as number[] | null;
    return reply?.map((x) => x === 1) ?? undefined;
  }

  async setLength(ns: string, key: Uint8Array): Promise<number | undefined> {
    return orUndefined(await this.call('cgSetLength', ns, key, 'setLength', []));
  }

  async setSample(ns: string, key: Uint8Array, limit: number): Promise<Uint8Array[] | undefined> {
    checkCount('limit', limit);
    return ((await this.call('cgSetSampleBuffer', ns, key, 'setSample', [limit])) as Buffer[] | null) ?? undefined;
  }

  async setPop(ns: string, key: Uint8Array, count: number): Promise<Uint8Array[] | undefined> {
    checkCount('count', count);
    return ((await this.call('cgSetPopBuffer', ns, key, 'setPop', [count])) as Buffer[] | null) ?? undefined;
  }

  // ---- sorted sets ---------------------------------------------------------------------------------

  async sortedSetPut(
    ns: string,
    key: Uint8Array,
    elements: readonly SortedSetElement[],
    ttl: CollectionTtl,
  ): Promise<void> {
    const args = ttlArgs(ttl);
    for (const e of elements) args.push(scoreText(e.score), asBuffer(e.value));
    await this.call('cgSortedSetPut', ns, key, 'sortedSetPut', args);
  }

  async sortedSetFetchByRank(
    ns: string,
    key: Uint8Array,
    range: IndexRange,
    order: SortOrder,
  ): Promise<SortedSetElement[] | undefined> {
    const args = [...rangeArgs(range), orderCode(order)];
    return withScores(await this.call('cgSortedSetByRankBuffer', ns, key, 'sortedSetFetchByRank', args));
  }

  async sortedSetFetchByScore(
    ns: string,
    key: Uint8Array,
    range: ScoreRange,
    order: SortOrder,
  ): Promise<SortedSetElement[] | undefined> {
    const offset = range.offset ?? 0;
    checkCount('offset', offset);
    if (range.count !== undefined) checkCount('count', range.count);
    if (range.count === 0) return (await this.sortedSetLength(ns, key)) === undefined ? undefined : [];
    const args = [minText(range.min), maxText(range.max), orderCode(order), offset, range.count ?? -1];
    return withScores(await this.call('cgSortedSetByScoreBuffer', ns, key, 'sortedSetFetchByScore', args));
  }

  async sortedSetGetScores(
    ns: string,
    key: Uint8Array,
    values: readonly Uint8Array[],
  ): Promise<(number | undefined)[] | undefined> {
    if (values.length === 0) return (await this.sortedSetLength(ns, key)) === undefined ? undefined : [];
    const reply = (await this.call('cgSortedSetScores', ns, key, 'sortedSetGetScores', values.map(asBuffer))) as
      | (string | null)[]
      | null;
    return reply?.map((s) => (s === null ? undefined : parseScore(s))) ?? undefined;
  }

  async sortedSetGetRank(
    ns: string,
    key: Uint8Array,
    value: Uint8Array,
    order: SortOrder,
  ): Promise<number | undefined> {
    const reply = await this.call('cgSortedSetRank', ns, key, 'sortedSetGetRank', [asBuffer(value), orderCode(order)]);
    return orUndefined(reply);
  }

  async sortedSetIncrement(
    ns: string,
    key: Uint8Array,
    value: Uint8Array,
    amount: number,
    ttl: CollectionTtl,
  ): Promise<number> {
    checkScore(amount);
    const args = ttlArgs(ttl);
    args.push(asBuffer(value), scoreText(amount));
    return parseScore((await this.call('cgSortedSetIncrement', ns, key, 'sortedSetIncrement', args)) as string);
  }

  async sortedSetRemove(ns: string, key: Uint8Array, values: readonly Uint8Array[] | 'all'): Promise<void> {
    if (values !== 'all' && values.length === 0) return void (await this.sortedSetLength(ns, key));
    const args = values === 'all' ? ['a'] : ['s', ...values.map(asBuffer)];
    await this.call('cgSortedSetRemove', ns, key, 'sortedSetRemove', args);
  }

  async sortedSetLength(ns: string, key: Uint8Array): Promise<number | undefined> {
    return orUndefined(await this.call('cgSortedSetLength', ns, key, 'sortedSetLength', []));
  }

  async sortedSetLengthByScore(
    ns: string,
    key: Uint8Array,
    min?: ScoreBound,
    max?: ScoreBound,
  ): Promise<number | undefined> {
    return orUndefined(
      await this.call('cgSortedSetCount', ns, key, 'sortedSetLengthByScore', [minText(min), maxText(max)]),
    );
  }

  /**
   * One script reads the sources, combines them and replaces the destination, atomically, as Redis
   * ZUNIONSTORE does: every source on the destination's node (all of them on a single node) is read at
   * the same instant as the write. Sources hash to other buckets, so on a cluster some may sit on other
   * shards, where no script can reach them: those are each read atomically just before, and their
   * combined members passed in. So a write to the destination (or to any source on its node) made
   * concurrently is never lost, and only sources on other shards may be read a moment earlier.
   */
  async sortedSetUnionStore(
    ns: string,
    key: Uint8Array,
    sources: readonly SortedSetSource[],
    aggregate: SortedSetAggregate,
    ttlMs: number,
  ): Promise<number> {
    checkTtl(ttlMs);
    if (aggregate !== 'sum' && aggregate !== 'min' && aggregate !== 'max') {
      throw invalid(`unknown aggregate ${JSON.stringify(aggregate)}`);
    }
    for (const src of sources) checkScore(src.weight);
    const keys = this.keysOf(ns);
    const bucket = this.layout.bucketOf(key);
    const node = this.nodeOf(keys.meta[bucket]!);
    const local: SortedSetSource[] = [];
    const remote = new Map<string, number>();
    for (const src of sources) {
      if (this.nodeOf(keys.meta[this.layout.bucketOf(src.key)]!) === node) {
        local.push(src);
        continue;
      }
      const members = await this.sortedSetFetchByRank(ns, src.key, {}, 'ascending');
      for (const { value, score } of members ?? []) combine(remote, latin1(value), score * src.weight, aggregate);
    }
    const args: (Buffer | string | number)[] = [
      keys.meta[bucket]!,
      this.layout.itemKey(keys.itemPrefix[bucket]!, key),
      this.layout.itemKey(keys.headerPrefix[bucket]!, key),
      this.now(),
      ttlMs,
      aggregate,
      local.length,
    ];
    for (const src of local) {
      const b = this.layout.bucketOf(src.key);
      args.push(keys.meta[b]!, this.layout.itemKey(keys.itemPrefix[b]!, src.key));
      args.push(this.layout.itemKey(keys.headerPrefix[b]!, src.key), scoreText(src.weight));
    }
    for (const [m, score] of remote) args.push(scoreText(score), Buffer.from(m, 'latin1'));
    let reply: unknown;
    try {
      reply = await this.scripts.cgSortedSetUnionStore(...args);
    } catch (e) {
      throw toCacheError(e, 'sortedSetUnionStore');
    }
    if (typeof reply === 'number' && reply < 0) throw statusError(reply);
    return reply as number;
  }

  /**
   * The master serving `key`'s slot on a cluster (`single` for one node, and while the slot map is not
   * known yet: the script then reaches every key or fails with the server's cross-slot error).
   */
  private nodeOf(key: Buffer): string {
    if (!('slots' in this.client)) return 'single';
    return this.client.slots[slotOf(key)]?.[0] ?? 'single';
  }

  // ---- leaderboards --------------------------------------------------------------------------------
  // A zset of 8-byte big-endian ids (byte order = numeric order, so Redis's tie order is by id) at the
  // leaderboard's own keys; the sorted-set scripts serve upsert, by-rank, remove, length and delete.

  async leaderboardUpsert(
    ns: string,
    name: Uint8Array,
    elements: readonly LeaderboardElement[],
    ttlMs: number,
  ): Promise<void> {
    checkLeaderboardElements(elements);
    const args = ttlArgs({ ttlMs, refreshTtl: true });
    if (elements.length === 0) return void (await this.leaderboardLength(ns, name));
    // -0 and 0 are one score, as in MemoryEngine (Redis would keep "-0").
    for (const e of elements) args.push(scoreText(e.score === 0 ? 0 : e.score), idToBytes(e.id));
    await this.callBoard('cgLeaderboardPut', ns, name, 'leaderboardUpsert', args);
  }

  async leaderboardFetchByRank(
    ns: string,
    name: Uint8Array,
    start: number,
    end: number,
    order: SortOrder,
  ): Promise<RankedElement[]> {
    checkRankRange(start, end);
    const reply = await this.callBoard('cgSortedSetByRankBuffer', ns, name, 'leaderboardFetchByRank', [
      start,
      end,
      orderCode(order),
    ]);
    return ranked(reply === null ? [] : (reply as Buffer[]), 0, start);
  }

  async leaderboardFetchByScore(
    ns: string,
    name: Uint8Array,
    range: LeaderboardScoreRange,
    order: SortOrder,
  ): Promise<RankedElement[]> {
    checkLeaderboardScoreRange(range);
    const { min, max } = range;
    // skip = ZCOUNT of the elements ahead of the range in `order`, limit = ZCOUNT of those up to its end
    // (see the script); '' stands for "none ahead" / "all". Ascending: scores < min, then scores < max.
    // Descending: scores >= max (max is exclusive), then scores >= min.
    const lo = min === undefined ? undefined : scoreText(min);
    const hi = max === undefined ? undefined : scoreText(max);
    const args =
      order === 'descending'
        ? ['d', hi ?? '', '+inf', lo ?? '', '+inf']
        : ['a', lo === undefined ? '' : '-inf', `(${lo}`, hi === undefined ? '' : '-inf', `(${hi}`];
    const reply = await this.callBoard('cgLeaderboardByScoreBuffer', ns, name, 'leaderboardFetchByScore', [
      ...args,
      range.offset,
      range.count,
    ]);
    if (reply === null) return [];
    const flat = reply as [number, ...Buffer[]];
    return ranked(flat, 1, flat[0]);
  }

  async leaderboardGetRank(
    ns: string,
    name: Uint8Array,
    ids: readonly number[],
    order: SortOrder,
  ): Promise<RankedElement[]> {
    return this.ranks(ns, name, ids, order, 'o', 'leaderboardGetRank');
  }

  async leaderboardGetCompetitionRank(
    ns: string,
    name: Uint8Array,
    ids: readonly number[],
    order: SortOrder,
  ): Promise<RankedElement[]> {
    return this.ranks(ns, name, ids, order, 'c', 'leaderboardGetCompetitionRank');
  }

  async leaderboardLength(ns: string, name: Uint8Array): Promise<number> {
    return orUndefined(await this.callBoard('cgSortedSetLength', ns, name, 'leaderboardLength', [])) ?? 0;
  }

  async leaderboardRemove(ns: string, name: Uint8Array, ids: readonly number[]): Promise<void> {
    for (const id of ids) checkLeaderboardId(id);
    if (ids.length === 0) return void (await this.leaderboardLength(ns, name));
    await this.callBoard('cgSortedSetRemove', ns, name, 'leaderboardRemove', ['s', ...ids.map(idToBytes)]);
  }

  async leaderboardDelete(ns: string, name: Uint8Array): Promise<void> {
    await this.callBoard('cgSortedSetRemove', ns, name, 'leaderboardDelete', ['a']);
  }

  private async ranks(
    ns: string,
    name: Uint8Array,
    ids: readonly number[],
    order: SortOrder,
    kind: 'o' | 'c',
    what: string,
  ): Promise<RankedElement[]> {
    for (const id of ids) checkLeaderboardId(id);
    if (ids.length === 0) {
      await this.leaderboardLength(ns, name); // still reports a missing namespace
      return [];
    }
    const reply = (await this.callBoard('cgLeaderboardRanks', ns, name, what, [
      kind,
      orderCode(order),
      ...ids.map(idToBytes),
    ])) as (number | string | null)[] | null;
    const out: RankedElement[] = [];
    if (reply === null) return out;
    for (let i = 0; i < ids.length; i++) {
      const rank = reply[2 * i];
      if (rank === null || rank === undefined) continue;
      out.push({ id: ids[i]!, score: parseScore(reply[2 * i + 1] as string), rank: rank as number });
    }
    return out;
  }

  // ---- housekeeping --------------------------------------------------------------------------------

  /**
   * The last figures read from the servers' INFO (see {@link ValkeyEngine.refreshStats}): items and
   * bytes are the whole cluster's (every cache and anything else stored there), `maxBytes` is Infinity
   * because memory is the cluster's `maxmemory`, evictions and expirations are the servers' counters.
   */
  stats(): EngineStats {
    return this.lastStats;
  }

  /** Re-reads INFO from every master (keys, used_memory, evicted_keys, expired_keys) into `stats()`. */
  async refreshStats(): Promise<EngineStats> {
    const nodes = 'nodes' in this.client ? this.client.nodes('master') : [this.client];
    let items = 0;
    let bytesUsed = 0;
    let evictions = 0;
    let expirations = 0;
    try {
      const infos = await Promise.all(nodes.map((node) => node.info()));
      for (const info of infos) {
        bytesUsed += infoNumber(info, 'used_memory');
        evictions += infoNumber(info, 'evicted_keys');
        expirations += infoNumber(info, 'expired_keys');
        for (const m of info.matchAll(/^db\d+:keys=(\d+)/gm)) items += Number(m[1]);
      }
    } catch (e) {
      throw toCacheError(e, 'stats');
    }
    this.lastStats = { items, bytesUsed, maxBytes: Infinity, evictions, expirations };
    return this.lastStats;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    try {
      await this.client.quit();
    } catch {
      // Already disconnected (e.g. the cluster is down): nothing left to release but the sockets.
      this.client.disconnect();
    }
  }

  // ---- internals -----------------------------------------------------------------------------------

  /** Timer callback as an arrow property: no closure per tick; failures just keep the previous figures. */
  private readonly statsTick = (): void => {
    this.refreshStats().catch(() => {});
  };

  /**
   * Runs a three-key script (meta, item, header) for `key` with `now` and `args`, mapping status codes
   * (namespace missing, wrong type, arithmetic) to errors. Every collection method goes through here.
   */
  private call(
    name: string,
    ns: string,
    key: Uint8Array,
    what: string,
    args: readonly (Buffer | string | number)[],
  ): Promise<unknown> {
    return this.callAt(name, ns, key, what, args, false);
  }

  /** {@link call} on a leaderboard: the same scripts, at the leaderboard's own keys (see key-layout.ts). */
  private callBoard(
    name: string,
    ns: string,
    board: Uint8Array,
    what: string,
    args: readonly (Buffer | string | number)[],
  ): Promise<unknown> {
    return this.callAt(name, ns, board, what, args, true);
  }

  private async callAt(
    name: string,
    ns: string,
    key: Uint8Array,
    what: string,
    args: readonly (Buffer | string | number)[],
    board: boolean,
  ): Promise<unknown> {
    const keys = this.keysOf(ns);
    const b = this.layout.bucketOf(key);
    const script = (this.client as unknown as Record<string, CollectionScript>)[name]!;
    let reply: unknown;
    try {
      reply = await script.call(
        this.client,
        keys.meta[b]!,
        this.layout.itemKey((board ? keys.boardPrefix : keys.itemPrefix)[b]!, key),
        this.layout.itemKey((board ? keys.boardHeaderPrefix : keys.headerPrefix)[b]!, key),
        this.now(),
        ...args,
      );
    } catch (e) {
      throw toCacheError(e, what);
    }
    if (typeof reply === 'number' && reply < 0) throw statusError(reply);
    return reply;
  }

  private keysOf(ns: string): NamespaceKeys {
    if (this.closed) throw closedError();
    return this.layout.of(ns);
  }

  private now(): number {
    return this.clock.nowMs();
  }
}

function infoNumber(info: string, field: string): number {
  const m = new RegExp(`^${field}:(\\d+)`, 'm').exec(info);
  return m === null ? 0 : Number(m[1]);
}

/** A Buffer view of `bytes` without copying (iovalkey writes Buffers as-is, other views would be stringified). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function checkTtl(ttlMs: number): void {
  // NaN, Infinity, fractions and non-numbers all fail isSafeInteger, like MemoryEngine.
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw invalid(`ttlMs must be a positive integer number of milliseconds, got ${String(ttlMs)}`);
  }
}

function invalid(message: string): CacheError {
  return new CacheError(ErrorCode.INVALID_ARGUMENT, message);
}

/** The error for a negative status code of a script (see scripts.ts). */
function statusError(status: number): CacheError {
  switch (status) {
    case lua.NS_MISSING:
      return storeNotFound();
    case lua.WRONG_TYPE:
      return wrongTypeError();
    case lua.NOT_AN_INTEGER:
      return new CacheError(
        ErrorCode.FAILED_PRECONDITION,
        'the value stored at this field is not a decimal integer',
        'not_an_integer',
      );
    case lua.OVERFLOW:
      return new CacheError(
        ErrorCode.FAILED_PRECONDITION,
        'increment would overflow a signed 64-bit integer',
        'overflow',
      );
    case lua.NOT_A_NUMBER:
      return invalid('increment would make the score NaN');
    case lua.TOO_BIG:
      return new CacheError(
        ErrorCode.LIMIT_EXCEEDED,
        'the collection would pass the item size limit (its name plus every field, value, element and score)',
        'item_size_limit_exceeded',
      );
    default:
      return new CacheError(ErrorCode.INTERNAL, `unexpected script status ${status}`);
  }
}

/** now is prepended by call(); these are ttl and refresh flag, validated. */
function ttlArgs(ttl: CollectionTtl): (Buffer | string | number)[] {
  checkTtl(ttl?.ttlMs);
  return [ttl.ttlMs, ttl.refreshTtl ? '1' : '0'];
}

function rangeArgs(range: IndexRange): (string | number)[] {
  for (const bound of [range.start, range.end]) {
    if (bound !== undefined && !Number.isSafeInteger(bound))
      throw invalid(`range bounds must be integers, got ${bound}`);
  }
  return [range.start ?? '', range.end ?? ''];
}

function endCode(end: ListEnd): string {
  if (end !== 'front' && end !== 'back') throw invalid(`list end must be 'front' or 'back', got ${String(end)}`);
  return end === 'front' ? 'f' : 'b';
}

function orderCode(order: SortOrder): string {
  return order === 'descending' ? 'd' : 'a';
}

function orUndefined(reply: unknown): number | undefined {
  return reply === null ? undefined : (reply as number);
}

function checkCount(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw invalid(`${name} must be a non-negative integer, got ${String(n)}`);
}

function checkScore(score: number): void {
  if (typeof score !== 'number' || Number.isNaN(score)) throw invalid(`score must be a number, got ${String(score)}`);
}

/** A double in the syntax ZADD and ZRANGE accept (strtod, plus Redis's 'inf'). */
/** `union[m]` combined with `score` as Redis ZUNIONSTORE does (NaN, from 0 × inf or +inf + -inf, is 0). */
function combine(union: Map<string, number>, m: string, score: number, aggregate: SortedSetAggregate): void {
  const w = Number.isNaN(score) ? 0 : score;
  const prev = union.get(m);
  let next = w;
  if (prev !== undefined)
    next = aggregate === 'sum' ? prev + w : aggregate === 'min' ? Math.min(prev, w) : Math.max(prev, w);
  union.set(m, Number.isNaN(next) ? 0 : next);
}

function latin1(bytes: Uint8Array): string {
  return asBuffer(bytes).toString('latin1');
}

function scoreText(score: number): string {
  checkScore(score);
  if (score === Number.POSITIVE_INFINITY) return '+inf';
  if (score === Number.NEGATIVE_INFINITY) return '-inf';
  return String(score);
}

function parseScore(text: string | Buffer): number {
  const s = text.toString();
  if (s === 'inf' || s === '+inf') return Number.POSITIVE_INFINITY;
  if (s === '-inf') return Number.NEGATIVE_INFINITY;
  return Number(s);
}

function minText(min: ScoreBound | undefined): string {
  if (min === undefined) return '-inf';
  return min.exclusive ? `(${scoreText(min.score)}` : scoreText(min.score);
}

function maxText(max: ScoreBound | undefined): string {
  if (max === undefined) return '+inf';
  return max.exclusive ? `(${scoreText(max.score)}` : scoreText(max.score);
}

/** Member, score, member, score… (WITHSCORES) → elements; nil → undefined (a miss). */
function withScores(reply: unknown): SortedSetElement[] | undefined {
  if (reply === null) return undefined;
  const flat = reply as Buffer[];
  const out: SortedSetElement[] = [];
  for (let i = 0; i < flat.length; i += 2) out.push({ value: flat[i]!, score: parseScore(flat[i + 1]!) });
  return out;
}

/** Member, score, … from `from` on (WITHSCORES), ranked from `firstRank` in reply order. */
function ranked(flat: readonly unknown[], from: number, firstRank: number): RankedElement[] {
  const out: RankedElement[] = [];
  for (let i = from, rank = firstRank; i + 1 < flat.length; i += 2, rank++) {
    out.push({ id: bytesToId(flat[i] as Buffer), score: parseScore(flat[i + 1] as Buffer), rank });
  }
  return out;
}
