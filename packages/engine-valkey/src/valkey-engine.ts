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
import type { CacheEngine, EngineStats, ItemType, SetCondition, TtlUpdate, TtlUpdateResult } from '@cachette/engine';
import type { ConnectionOptions, ValkeyClient } from './connect.ts';
import { connectClient } from './connect.ts';
import { closedError, storeNotFound, toCacheError } from './errors.ts';
import type { NamespaceKeys } from './key-layout.ts';
import { KeyLayout } from './key-layout.ts';
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
    now: number,
    ttlMs: number,
    value: Uint8Array,
    cond: string,
    compared: Uint8Array,
  ): Promise<number>;
  cgDelete(meta: Buffer, item: Buffer, now: number): Promise<number>;
  cgIncrementBuffer(meta: Buffer, item: Buffer, now: number, ttlMs: number, amount: string): Promise<Buffer | number>;
  cgGetTtl(meta: Buffer, item: Buffer, now: number): Promise<number | null>;
  cgUpdateTtl(meta: Buffer, item: Buffer, now: number, kind: string, ttlMs: number): Promise<number>;
  cgExist(numKeys: number, ...args: (Buffer | number)[]): Promise<number[] | number>;
}

const SCRIPTS: Record<string, { lua: string; numberOfKeys?: number }> = {
  cgGet: { lua: lua.GET, numberOfKeys: 2 },
  cgSet: { lua: lua.SET, numberOfKeys: 2 },
  cgSetIf: { lua: lua.SET_IF, numberOfKeys: 2 },
  cgDelete: { lua: lua.DELETE, numberOfKeys: 2 },
  cgIncrement: { lua: lua.INCREMENT, numberOfKeys: 2 },
  cgGetTtl: { lua: lua.GET_TTL, numberOfKeys: 2 },
  cgUpdateTtl: { lua: lua.UPDATE_TTL, numberOfKeys: 2 },
  // Variable key count (meta + n items): the caller passes numkeys first.
  cgExist: { lua: lua.EXIST },
};

const CONDITION_CODE: Record<SetCondition['kind'], string> = {
  absent: 'a',
  present: 'p',
  equal: 'e',
  notEqual: 'n',
  presentAndNotEqual: 'd',
  absentOrEqual: 'o',
};

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
    for (const [name, def] of Object.entries(SCRIPTS)) {
      if (!(name in client)) client.defineCommand(name, def);
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
    return status === 1;
  }

  async delete(ns: string, key: Uint8Array): Promise<void> {
    const keys = this.keysOf(ns);
    const b = this.layout.bucketOf(key);
    let status: number;
    try {
      status = await this.scripts.cgDelete(keys.meta[b]!, this.layout.itemKey(keys.itemPrefix[b]!, key), this.now());
    } catch (e) {
      throw toCacheError(e, 'delete');
    }
    if (status === lua.NS_MISSING) throw storeNotFound();
  }

  async increment(ns: string, key: Uint8Array, amount: bigint, ttlMs: number): Promise<bigint> {
    const keys = this.keysOf(ns);
    checkTtl(ttlMs);
    if (!isInt64(amount)) {
      throw invalid(`amount must be a signed 64-bit integer (bigint), got ${String(amount)}`);
    }
    const b = this.layout.bucketOf(key);
    let result: Buffer | number;
    try {
      result = await this.scripts.cgIncrementBuffer(
        keys.meta[b]!,
        this.layout.itemKey(keys.itemPrefix[b]!, key),
        this.now(),
        ttlMs,
        amount.toString(),
      );
    } catch (e) {
      throw toCacheError(e, 'increment');
    }
    if (typeof result !== 'number') return BigInt(result.toString('latin1'));
    if (result === lua.NS_MISSING) throw storeNotFound();
    if (result === lua.NOT_AN_INTEGER) {
      throw new CacheError(
        ErrorCode.FAILED_PRECONDITION,
        'the value stored at this key is not a decimal integer',
        'not_an_integer',
      );
    }
    throw new CacheError(ErrorCode.FAILED_PRECONDITION, 'increment would overflow a signed 64-bit integer', 'overflow');
  }

  async itemGetTtl(ns: string, key: Uint8Array): Promise<number | undefined> {
    const keys = this.keysOf(ns);
    const b = this.layout.bucketOf(key);
    let ttl: number | null;
    try {
      ttl = await this.scripts.cgGetTtl(keys.meta[b]!, this.layout.itemKey(keys.itemPrefix[b]!, key), this.now());
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
      for (const i of indexes) args.push(this.layout.itemKey(nsKeys.itemPrefix[b]!, keys[i]!));
      args.push(now);
      calls.push(this.scripts.cgExist(indexes.length + 1, ...args));
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
    const [exists] = await this.keysExist(ns, [key]);
    return exists ? 'scalar' : undefined;
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
