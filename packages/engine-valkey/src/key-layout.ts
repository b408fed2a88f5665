/**
 * @module key-layout
 * Where a cache's items live in the keyspace.
 *
 * A cache is split into `buckets` slot families: bucket `b` of namespace `ns` has the hash tag
 * `{<byteLength(ns)>:<ns>/<b>}`, its meta key `<prefix>{…}m` (value: the bucket's current generation,
 * 8 random bytes) and its items `<prefix>{…}i<key bytes>`, with `b = fnv1a(key) mod buckets`. A collection
 * item is a native hash/list/set/zset at that same key, plus a header key `<prefix>{…}h<key bytes>`
 * (generation + deadline, see collection-scripts.ts) in the same slot, since a native type has no room
 * for a header inside its value. A leaderboard is a zset at `<prefix>{…}l<name bytes>` with its header at
 * `<prefix>{…}g<name bytes>`: its own markers, so a leaderboard and a cache key of the same name never meet,
 * yet the same buckets and generations, so flush and drop stay O(1) for leaderboards too.
 *
 * Why buckets rather than one hash tag per cache, or none:
 * - One tag per cache puts a whole cache in one slot, hence on one shard: a big or hot cache would be
 *   capped by a single node, which is what a cluster is for avoiding (the spec asks for no per-cache tag).
 * - No tag at all spreads perfectly, but then an item and its cache's generation live in different slots,
 *   so no script can check "namespace exists, generation current" atomically with the item operation;
 *   every op would need a second round trip to one meta key, a hot spot for a hot cache.
 * - With 64 buckets per cache (default) a cache lands on 64 pseudo-random slots, spread across every
 *   shard of any cluster with up to a few dozen masters, and each bucket carries its own copy of the
 *   generation, so each op is one atomic script on one shard. The cost: create/flush/drop touch 64 meta
 *   keys (pipelined per node, still O(1) in the number of items).
 *
 * The length prefix makes keys injective whatever characters `ns` holds; a `}` inside `ns` merely ends the
 * tag early, identically for the meta key and items of that bucket, so they still share a slot.
 */

/** Keys of one namespace, computed once and cached: the engine builds item keys on every op. */
export interface NamespaceKeys {
  /** Meta key of each bucket. */
  readonly meta: readonly Buffer[];
  /** Prefix of the item keys of each bucket (ends with the `i` marker). */
  readonly itemPrefix: readonly Buffer[];
  /** Prefix of the collection header keys of each bucket (ends with the `h` marker). */
  readonly headerPrefix: readonly Buffer[];
  /** Prefix of the leaderboard zset keys of each bucket (ends with the `l` marker). */
  readonly boardPrefix: readonly Buffer[];
  /** Prefix of the leaderboard header keys of each bucket (ends with the `g` marker). */
  readonly boardHeaderPrefix: readonly Buffer[];
}

/** Namespaces whose keys stay cached; beyond it the cache is cleared (caches are few; this only bounds it). */
const MAX_CACHED_NAMESPACES = 10_000;

/** Maps (namespace, key) to Redis keys. See the module comment for the layout and its trade-offs. */
export class KeyLayout {
  private readonly cache = new Map<string, NamespaceKeys>();
  private readonly mask: number;

  /**
   * @param prefix prepended to every key, e.g. `cachette:`; must not contain `{` or `}`
   * @param buckets slot families per namespace, a power of two (default in the engine: 64)
   */
  constructor(
    readonly prefix: string,
    readonly buckets: number,
  ) {
    if (/[{}]/.test(prefix)) throw new RangeError(`keyPrefix must not contain '{' or '}', got ${prefix}`);
    if (!Number.isInteger(buckets) || buckets < 1 || buckets > 16384 || (buckets & (buckets - 1)) !== 0) {
      throw new RangeError(`buckets must be a power of two between 1 and 16384, got ${buckets}`);
    }
    this.mask = buckets - 1;
  }

  /** The (cached) keys of `ns`. */
  of(ns: string): NamespaceKeys {
    let keys = this.cache.get(ns);
    if (keys === undefined) {
      if (this.cache.size >= MAX_CACHED_NAMESPACES) this.cache.clear();
      const meta: Buffer[] = [];
      const itemPrefix: Buffer[] = [];
      const headerPrefix: Buffer[] = [];
      const boardPrefix: Buffer[] = [];
      const boardHeaderPrefix: Buffer[] = [];
      for (let b = 0; b < this.buckets; b++) {
        const tag = `${this.prefix}{${Buffer.byteLength(ns)}:${ns}/${b}}`;
        meta.push(Buffer.from(`${tag}m`));
        itemPrefix.push(Buffer.from(`${tag}i`));
        headerPrefix.push(Buffer.from(`${tag}h`));
        boardPrefix.push(Buffer.from(`${tag}l`));
        boardHeaderPrefix.push(Buffer.from(`${tag}g`));
      }
      keys = { meta, itemPrefix, headerPrefix, boardPrefix, boardHeaderPrefix };
      this.cache.set(ns, keys);
    }
    return keys;
  }

  /** The bucket of an item key: FNV-1a over its bytes (cheap, well mixed in the low bits we keep). */
  bucketOf(key: Uint8Array): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key[i]!, 0x01000193);
    return (h ^ (h >>> 16)) & this.mask;
  }

  /** The Redis key of an item: one allocation (from Node's shared pool for small keys), one copy. */
  itemKey(prefix: Buffer, key: Uint8Array): Buffer {
    const out = Buffer.allocUnsafe(prefix.length + key.length);
    prefix.copy(out, 0);
    out.set(key, prefix.length);
    return out;
  }

  /** Glob matching every key under this prefix (for test cleanup and operators' SCANs). */
  get pattern(): string {
    return `${this.prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  }
}

/** CRC16-CCITT (XMODEM) table, as Redis Cluster uses for key slots. */
const CRC16 = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let j = 0; j < 8; j++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    table[i] = c;
  }
  return table;
})();

/**
 * The Redis Cluster slot of `key`: CRC16 of its hash tag (the bytes between the first `{` and the next
 * `}`, when not empty) or of the whole key, modulo 16384. Used to tell which keys share a node.
 */
export function slotOf(key: Uint8Array): number {
  let from = 0;
  let to = key.length;
  const open = key.indexOf(0x7b);
  if (open !== -1) {
    const close = key.indexOf(0x7d, open + 1);
    if (close > open + 1) {
      from = open + 1;
      to = close;
    }
  }
  let crc = 0;
  for (let i = from; i < to; i++) crc = ((crc << 8) & 0xffff) ^ CRC16[((crc >> 8) ^ key[i]!) & 0xff]!;
  return crc & 0x3fff;
}
