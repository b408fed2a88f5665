/**
 * @module transports/h2/hpack
 * HPACK (RFC 7541), the header compression of HTTP/2: {@link HpackDecoder}, one per connection, turns the
 * peer's header blocks into flat `[name, value, …]` string lists, and {@link encodeHeaderBlock} writes ours.
 *
 * The decoder is the hot half: it runs for every request. A field taken from a table comes back as the
 * very string instance stored there (static table constants, or the dynamic table's entries), so a
 * client that repeats its headers, as every gRPC client does, costs one integer read and two array reads
 * per field and allocates nothing but the result array. Literal strings become latin1 strings (one char
 * per byte), read straight from the block or from a per-decoder scratch buffer after Huffman decoding.
 *
 * Everything the peer controls is bounded: integers (at most 2^31 - 1, at most 5 continuation bytes),
 * string lengths (within the block), indexes (within the tables), table size updates (at most what we
 * advertised, only at the start of a block), and the decoded list (see {@link HEADER_LIST_TOO_LARGE}).
 * Any violation throws {@link HpackError}, after which the connection must end with
 * GOAWAY(COMPRESSION_ERROR): the dynamic table is then out of step with the peer's and cannot be trusted.
 *
 * The encoder is stateless on purpose: never inserting into the peer's decoder table means we keep no
 * per-connection encoder state and never have to track the peer's SETTINGS_HEADER_TABLE_SIZE. Our
 * responses are a handful of short fields, most of them static-table hits, so indexing would save little.
 */

import { huffmanDecode } from './huffman.ts';

/** A malformed header block: the connection answers with GOAWAY(COMPRESSION_ERROR). */
export class HpackError extends Error {
  override readonly name = 'HpackError';
}

/**
 * What {@link HpackDecoder.decode} returns instead of the fields when the decoded header list exceeds
 * `maxHeaderListBytes`: the block was still decoded to its end (so the dynamic table matches the peer's
 * encoder and the connection stays usable), and the request should be refused on its stream (431 / RST).
 */
export const HEADER_LIST_TOO_LARGE: unique symbol = Symbol('HEADER_LIST_TOO_LARGE');

/** Per-field overhead in both the dynamic table's size accounting (§4.1) and the header list size (RFC 7540 §6.5.2). */
const ENTRY_OVERHEAD = 32;

// RFC 7541 Appendix A; index 0 is unused so that the wire index is the array index.
// biome-ignore format: one entry a pair
const STATIC_TABLE: readonly (readonly [string, string])[] = [
  ['', ''],
  [':authority', ''], [':method', 'GET'], [':method', 'POST'], [':path', '/'], [':path', '/index.html'],
  [':scheme', 'http'], [':scheme', 'https'], [':status', '200'], [':status', '204'], [':status', '206'],
  [':status', '304'], [':status', '400'], [':status', '404'], [':status', '500'], ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'], ['accept-language', ''], ['accept-ranges', ''], ['accept', ''],
  ['access-control-allow-origin', ''], ['age', ''], ['allow', ''], ['authorization', ''], ['cache-control', ''],
  ['content-disposition', ''], ['content-encoding', ''], ['content-language', ''], ['content-length', ''],
  ['content-location', ''], ['content-range', ''], ['content-type', ''], ['cookie', ''], ['date', ''], ['etag', ''],
  ['expect', ''], ['expires', ''], ['from', ''], ['host', ''], ['if-match', ''], ['if-modified-since', ''],
  ['if-none-match', ''], ['if-range', ''], ['if-unmodified-since', ''], ['last-modified', ''], ['link', ''],
  ['location', ''], ['max-forwards', ''], ['proxy-authenticate', ''], ['proxy-authorization', ''], ['range', ''],
  ['referer', ''], ['refresh', ''], ['retry-after', ''], ['server', ''], ['set-cookie', ''],
  ['strict-transport-security', ''], ['transfer-encoding', ''], ['user-agent', ''], ['vary', ''], ['via', ''],
  ['www-authenticate', ''],
];
const STATIC_COUNT = STATIC_TABLE.length - 1;
// Split into two flat arrays so the indexed fast path reads no tuple.
const STATIC_NAMES: readonly string[] = STATIC_TABLE.map((e) => e[0]);
const STATIC_VALUES: readonly string[] = STATIC_TABLE.map((e) => e[1]);

type Latin1Slice = (this: Uint8Array, start: number, end: number) => string;
/**
 * Node's native latin1 decoder behind `Buffer#toString('latin1')`, called on the block directly: no Buffer
 * view to wrap it in and no encoding dispatch (see packages/engine/src/latin1.ts for the measurement).
 * Undocumented, hence the feature test and the documented fallback.
 */
const nativeLatin1Slice = (Buffer.prototype as unknown as { latin1Slice?: Latin1Slice }).latin1Slice;
const latin1: (bytes: Uint8Array, start: number, end: number) => string =
  typeof nativeLatin1Slice === 'function'
    ? (bytes, start, end) => nativeLatin1Slice.call(bytes, start, end)
    : (bytes, start, end) =>
        Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1', start, end);

/** Memo slots per decoder, a power of two: :path (4) and authorization (23) land in different ones. */
const MEMO_SLOTS = 8;
/** Longer literals are not memoised, which bounds the memo to MEMO_SLOTS * (1 KiB + its strings) per connection. */
const MEMO_MAX_BYTES = 1024;
/** Below this, a JS loop beats the native compare's call overhead. */
const NATIVE_COMPARE_BYTES = 48;

/** Whether block[start..start + memo.length) equals memo (the caller has checked the bounds). */
function sameBytes(memo: Buffer, block: Uint8Array, start: number): boolean {
  const length = memo.length;
  if (length >= NATIVE_COMPARE_BYTES) return memo.compare(block, start, start + length) === 0;
  for (let i = 0; i < length; i++) if (memo[i] !== block[start + i]) return false;
  return true;
}

/** The largest Huffman output buffer a decoder keeps between strings. */
const MAX_SCRATCH_BYTES = 16 * 1024;

/** Integers longer than this many continuation bytes are refused: 5 × 7 bits already exceed 2^31. */
const MAX_CONTINUATION_BYTES = 5;
const MAX_INTEGER = 0x7fffffff;

export interface HpackDecoderOptions {
  /**
   * The SETTINGS_HEADER_TABLE_SIZE we advertise (default 4096, the protocol's initial value): the peer's
   * encoder may use a dynamic table this large and may only shrink it below this with size updates.
   */
  readonly maxTableSize?: number;
  /** The SETTINGS_MAX_HEADER_LIST_SIZE we enforce: decoded name + value + 32 bytes per field, summed. */
  readonly maxHeaderListBytes: number;
}

/** The decoding side of one HTTP/2 connection: holds the dynamic table the peer's encoder fills. */
export class HpackDecoder {
  private readonly maxTableSize: number;
  private readonly maxHeaderListBytes: number;
  /** The table's current maximum size: the peer's last size update, at most maxTableSize. */
  private limit: number;
  /** Sum of the entries' sizes (§4.1). */
  private size = 0;
  /**
   * The dynamic table as a ring of parallel name/value arrays: inserting is two stores and an index bump,
   * evicting the oldest is a subtraction, and no array is ever shifted. The ring has room for every entry
   * the largest table can hold (each entry is at least 32 bytes), so it never grows.
   */
  private readonly names: string[];
  private readonly values: string[];
  private readonly capacity: number;
  private count = 0;
  /** Ring slot of the newest entry (dynamic index 62). */
  private newest = 0;
  /**
   * The last value of a literal that names a static entry but is not indexed, per slot (static index mod
   * MEMO_SLOTS). nghttp2, and so grpc-js and Node's client, never indexes :path, nor authorization (Node
   * marks it sensitive), so a gRPC client resends both as the same Huffman literal on every request: the
   * token alone is ~200 bytes to decode. Comparing the encoded bytes with the last ones is several times
   * cheaper than decoding them, and hands back the same string instance, as an indexed field does.
   */
  private readonly memoBytes: (Buffer | undefined)[] = new Array<Buffer | undefined>(MEMO_SLOTS);
  private readonly memoHuffman: boolean[] = new Array<boolean>(MEMO_SLOTS).fill(false);
  private readonly memoStrings: string[] = new Array<string>(MEMO_SLOTS).fill('');
  /** Holds one Huffman-decoded string before it becomes a JS string; grows to the longest seen. */
  private scratch = new Uint8Array(256);

  // The cursor of the block being decoded: fields rather than locals so the helpers can advance it.
  private block: Uint8Array = this.scratch;
  private pos = 0;
  private end = 0;

  constructor(options: HpackDecoderOptions) {
    const maxTableSize = options.maxTableSize ?? 4096;
    if (!Number.isSafeInteger(maxTableSize) || maxTableSize < 0 || maxTableSize > MAX_INTEGER) {
      throw new RangeError(`maxTableSize must be an integer in [0, 2^31): ${maxTableSize}`);
    }
    this.maxTableSize = maxTableSize;
    this.limit = maxTableSize;
    this.maxHeaderListBytes = options.maxHeaderListBytes;
    this.capacity = Math.max(1, Math.floor(maxTableSize / ENTRY_OVERHEAD));
    this.names = new Array<string>(this.capacity).fill('');
    this.values = new Array<string>(this.capacity).fill('');
  }

  /** Bytes the dynamic table currently accounts for (§4.1): for tests and diagnostics. */
  get dynamicTableSize(): number {
    return this.size;
  }

  /** Entries in the dynamic table. */
  get dynamicTableLength(): number {
    return this.count;
  }

  /**
   * Decodes one complete header block (HEADERS + CONTINUATION payloads already joined), block[start..end).
   * Returns the fields flat: [name0, value0, name1, value1, …] in order. When the list's size exceeds
   * maxHeaderListBytes, decoding still runs to the end so the dynamic table stays in sync with the peer's
   * encoder, fields stop being collected (memory stays bounded by the limit) and HEADER_LIST_TOO_LARGE is
   * returned instead. Throws HpackError on malformed input; the decoder must not be used after that.
   */
  decode(block: Uint8Array, start = 0, end: number = block.length): string[] | typeof HEADER_LIST_TOO_LARGE {
    if (start < 0 || end > block.length || start > end) throw new RangeError('block range out of bounds');
    this.block = block;
    this.pos = start;
    this.end = end;
    const names = this.names;
    const values = this.values;
    let fields: string[] = [];
    let listBytes = 0;
    let tooLarge = false;
    // §4.2: size updates may only come before the block's first field.
    let sizeUpdateAllowed = true;

    while (this.pos < end) {
      const first = block[this.pos++]!;
      let name: string;
      let value: string;
      if (first >= 0x80) {
        // §6.1 indexed field: the common case once a client has sent its headers once.
        let index = first & 0x7f;
        if (index === 0x7f) index = this.integer(0x7f);
        if (index <= STATIC_COUNT) {
          if (index === 0) throw new HpackError('indexed field with index 0');
          name = STATIC_NAMES[index]!;
          value = STATIC_VALUES[index]!;
        } else {
          const slot = this.slot(index);
          name = names[slot]!;
          value = values[slot]!;
        }
      } else if (first >= 0x40) {
        // §6.2.1 literal with incremental indexing: decoded in full even past the list limit, since the
        // table must hold exactly what the peer's encoder thinks it holds.
        const index = first & 0x3f;
        name = index === 0 ? this.string(true, -1) : this.nameAt(index === 0x3f ? this.integer(0x3f) : index);
        value = this.string(true, -1);
        this.insert(name, value);
      } else if (first >= 0x20) {
        // §6.3 dynamic table size update.
        if (!sizeUpdateAllowed) throw new HpackError('dynamic table size update after the first field');
        let size = first & 0x1f;
        if (size === 0x1f) size = this.integer(0x1f);
        if (size > this.maxTableSize)
          throw new HpackError(`dynamic table size update to ${size} > ${this.maxTableSize}`);
        this.limit = size;
        this.evictTo(size);
        continue;
      } else {
        // §6.2.2 / §6.2.3 literal without indexing / never indexed: nothing to keep once over the limit.
        let index = first & 0x0f;
        if (index === 0x0f) index = this.integer(0x0f);
        const keep = !tooLarge;
        if (index === 0) {
          name = this.string(keep, -1);
          value = this.string(keep, -1);
        } else {
          name = this.nameAt(index);
          value = this.string(keep, index <= STATIC_COUNT ? index & (MEMO_SLOTS - 1) : -1);
        }
      }
      sizeUpdateAllowed = false;
      if (tooLarge) continue;
      listBytes += name.length + value.length + ENTRY_OVERHEAD;
      if (listBytes > this.maxHeaderListBytes) {
        tooLarge = true;
        fields = [];
      } else {
        fields.push(name, value);
      }
    }
    // Don't keep the peer's buffer alive through this long-lived object.
    this.block = this.scratch;
    return tooLarge ? HEADER_LIST_TOO_LARGE : fields;
  }

  /**
   * Reads the continuation bytes of a §5.1 integer whose prefix, just consumed, was all ones (`max`);
   * callers handle the common prefix-only case inline.
   */
  private integer(max: number): number {
    const block = this.block;
    let value = max;
    let scale = 1;
    for (let i = 0; i < MAX_CONTINUATION_BYTES; i++) {
      if (this.pos >= this.end) throw new HpackError('truncated integer');
      const b = block[this.pos++]!;
      value += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (value > MAX_INTEGER) throw new HpackError('integer overflow');
        return value;
      }
      scale *= 128;
    }
    throw new HpackError('integer too long');
  }

  /**
   * Reads a §5.2 string literal; with keep false it is validated but not materialised (returns ''). With a
   * memo slot (>= 0), a literal whose encoded bytes equal the slot's last one returns the same string
   * without decoding it again.
   */
  private string(keep: boolean, memoSlot: number): string {
    if (this.pos >= this.end) throw new HpackError('truncated string');
    const block = this.block;
    const first = block[this.pos++]!;
    let length = first & 0x7f;
    if (length === 0x7f) length = this.integer(0x7f);
    const start = this.pos;
    if (length > this.end - start) throw new HpackError('string runs past the end of the block');
    this.pos = start + length;
    const huffman = first >= 0x80;
    if (memoSlot >= 0 && keep) {
      const memo = this.memoBytes[memoSlot];
      if (memo !== undefined && memo.length === length && this.memoHuffman[memoSlot] === huffman) {
        if (sameBytes(memo, block, start)) return this.memoStrings[memoSlot]!;
      }
    }
    let value: string;
    if (!huffman) {
      value = keep && length > 0 ? latin1(block, start, start + length) : '';
    } else {
      let out = this.scratch;
      if (out.length < 2 * length) {
        out = new Uint8Array(2 * length);
        // Kept for the next strings unless huge: one odd header must not pin megabytes per connection.
        if (out.length <= MAX_SCRATCH_BYTES) this.scratch = out;
      }
      const n = huffmanDecode(block, start, start + length, out);
      if (n < 0) throw new HpackError('malformed Huffman string');
      value = keep && n > 0 ? latin1(out, 0, n) : '';
    }
    if (memoSlot >= 0 && keep && length <= MEMO_MAX_BYTES) {
      // A copy in its own ArrayBuffer: a view would pin the peer's block (or an 8 KiB pool slab).
      const copy = new Uint8Array(length);
      copy.set(block.subarray(start, start + length));
      this.memoBytes[memoSlot] = Buffer.from(copy.buffer, 0, length);
      this.memoHuffman[memoSlot] = huffman;
      this.memoStrings[memoSlot] = value;
    }
    return value;
  }

  /** The name at a table index of a literal field (index 0, a new name, is handled by the caller). */
  private nameAt(index: number): string {
    return index <= STATIC_COUNT ? STATIC_NAMES[index]! : this.names[this.slot(index)]!;
  }

  /** The ring slot of dynamic table index `index` (62 = newest); throws if there is no such entry. */
  private slot(index: number): number {
    const age = index - STATIC_COUNT - 1;
    if (age >= this.count) throw new HpackError(`index ${index} beyond the tables`);
    const slot = this.newest - age;
    return slot < 0 ? slot + this.capacity : slot;
  }

  /** §4.4: evicts the oldest entries to make room, then adds; an entry larger than the table empties it. */
  private insert(name: string, value: string): void {
    const size = name.length + value.length + ENTRY_OVERHEAD;
    if (size > this.limit) {
      this.evictTo(0);
      return;
    }
    this.evictTo(this.limit - size);
    const slot = this.newest + 1 === this.capacity ? 0 : this.newest + 1;
    this.names[slot] = name;
    this.values[slot] = value;
    this.newest = slot;
    this.count++;
    this.size += size;
  }

  /** Evicts oldest entries until the table's size is at most `target`. */
  private evictTo(target: number): void {
    while (this.size > target) {
      let oldest = this.newest - (this.count - 1);
      if (oldest < 0) oldest += this.capacity;
      this.size -= this.names[oldest]!.length + this.values[oldest]!.length + ENTRY_OVERHEAD;
      // Drop the references: a table of long-lived connections should not pin evicted strings.
      this.names[oldest] = '';
      this.values[oldest] = '';
      this.count--;
    }
  }
}

/** For the encoder: a static name's first index, and the index of each of its full (name, value) entries. */
const STATIC_LOOKUP = new Map<string, { readonly nameIndex: number; readonly full: Map<string, number> }>();
for (let i = 1; i <= STATIC_COUNT; i++) {
  const [name, value] = STATIC_TABLE[i]!;
  let entry = STATIC_LOOKUP.get(name);
  if (entry === undefined) {
    entry = { nameIndex: i, full: new Map() };
    STATIC_LOOKUP.set(name, entry);
  }
  entry.full.set(value, i);
}

/**
 * Encodes fields (flat [name, value, …], names lowercase as HTTP/2 requires) as one header block: a
 * static-table full match as an indexed field, a static name match as "literal without indexing, indexed
 * name", otherwise "literal without indexing, new name". Nothing enters the peer's dynamic table (see the
 * module comment) and strings are sent raw: Huffman would save a few bytes on short response headers at a
 * per-byte cost on every response. Strings are written as latin1: a char above U+00FF is the caller's bug
 * and is sent as its low byte.
 */
export function encodeHeaderBlock(fields: readonly string[]): Buffer {
  if (fields.length % 2 !== 0) throw new RangeError('fields must be name/value pairs');
  // Per field at most: 2 bytes of name index or 1 + 6 bytes of name length, 6 bytes of value length.
  let bound = 0;
  for (let i = 0; i < fields.length; i++) bound += fields[i]!.length + 7;
  const out = Buffer.allocUnsafe(bound);
  let pos = 0;
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i]!;
    const value = fields[i + 1]!;
    const entry = STATIC_LOOKUP.get(name);
    if (entry !== undefined) {
      const full = entry.full.get(value);
      if (full !== undefined) {
        out[pos++] = 0x80 | full; // every static index is below 127: one byte
        continue;
      }
      pos = writeInteger(out, pos, entry.nameIndex, 0x0f, 0x00);
    } else {
      out[pos++] = 0x00;
      pos = writeString(out, pos, name);
    }
    pos = writeString(out, pos, value);
  }
  return out.subarray(0, pos);
}

/** Writes a §5.1 integer whose prefix is the low bits `max` (all ones) of a byte starting with `high`. */
function writeInteger(out: Buffer, pos: number, value: number, max: number, high: number): number {
  if (value < max) {
    out[pos++] = high | value;
    return pos;
  }
  out[pos++] = high | max;
  let rest = value - max;
  while (rest >= 0x80) {
    out[pos++] = 0x80 | (rest & 0x7f);
    rest = Math.floor(rest / 0x80);
  }
  out[pos++] = rest;
  return pos;
}

/** Writes a raw (not Huffman-coded) §5.2 string literal. */
function writeString(out: Buffer, pos: number, s: string): number {
  pos = writeInteger(out, pos, s.length, 0x7f, 0x00);
  return pos + out.write(s, pos, 'latin1');
}
