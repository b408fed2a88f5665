/**
 * @module transports/h2/huffman
 * The HPACK Huffman code (RFC 7541 Appendix B) and a table-driven decoder for it.
 *
 * Only the 257 code lengths are written down: Appendix B is a canonical code (codes assigned in order of
 * (length, symbol)), so the codes themselves are derived at load, which leaves nothing to mistype in a
 * 257-row table of bit strings. The decoder is a state machine that consumes a whole byte per step: a
 * state is an internal node of the code tree (there are 256), and one Uint32Array lookup per input byte
 * yields the next state, the zero to two symbols completed, and whether the string may end there. That
 * is one dependent memory read per byte and no branching on tree nodes, which matters because every
 * request header block is decoded with it. The table is 256 KiB, against 16 KiB for a nibble-at-a-time
 * machine (nghttp2's layout), which needs two dependent reads per byte: measured on a 2-core VM, ~3.5 ns
 * per input byte here against ~5.7 there.
 */

/**
 * Code length in bits of each symbol: bytes 0..255, then EOS (256). Frequent ASCII gets 5-8 bits; control
 * bytes and most of 0x80..0xff get 19-30, which is why values full of them are sent raw, not Huffman-coded.
 */
// biome-ignore format: one compact literal, 32 symbols a line
export const HUFFMAN_LENGTHS: Readonly<Uint8Array> = Uint8Array.of(
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
  30,
);

/** The EOS symbol: its code (30 one-bits) may only appear, truncated to at most 7 bits, as padding. */
export const HUFFMAN_EOS = 256;

/** The code of each symbol, right-aligned in HUFFMAN_LENGTHS[symbol] bits. */
export const HUFFMAN_CODES: Readonly<Uint32Array> = canonicalCodes(HUFFMAN_LENGTHS);

function canonicalCodes(lengths: Readonly<Uint8Array>): Uint32Array {
  const order = Array.from(lengths.keys()).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const codes = new Uint32Array(lengths.length);
  let code = 0;
  let length = lengths[order[0]!]!;
  for (const symbol of order) {
    // Multiplication, not <<: the running code needs the full 30 bits without sign trouble.
    code *= 2 ** (lengths[symbol]! - length);
    length = lengths[symbol]!;
    codes[symbol] = code;
    code++;
  }
  // A complete prefix code ends exactly at 2^maxLength; anything else means a wrong length above.
  if (code !== 2 ** length) throw new Error('HPACK Huffman lengths do not form a complete prefix code');
  return codes;
}

// One decoder transition, for a state and a whole input byte: bits 0-7 the next state, 8-15 and 16-23 the
// symbols emitted (a byte holds at most two: no code is shorter than 5 bits), 24-25 how many, then flags.
const COUNT_SHIFT = 24;
const FAIL = 1 << 26;
const ACCEPT = 1 << 27;

/** [state * 256 + byte] → transition: 256 KiB, built once, so decoding is one lookup per input byte. */
const TRANSITIONS: Uint32Array = buildTransitions();

function buildTransitions(): Uint32Array {
  // Code tree: child >= 0 is an internal node id, child < 0 is the leaf of symbol -child - 1.
  const children = new Int32Array(512).fill(0x7fffffff);
  const depth = new Uint8Array(256);
  const allOnes = new Uint8Array(256);
  allOnes[0] = 1;
  let nodes = 1;
  for (let symbol = 0; symbol <= HUFFMAN_EOS; symbol++) {
    const length = HUFFMAN_LENGTHS[symbol]!;
    const code = HUFFMAN_CODES[symbol]!;
    let node = 0;
    for (let i = length - 1; i > 0; i--) {
      const bit = (code >>> i) & 1;
      let next = children[node * 2 + bit]!;
      if (next === 0x7fffffff) {
        next = nodes++;
        children[node * 2 + bit] = next;
        depth[next] = depth[node]! + 1;
        allOnes[next] = allOnes[node]! & bit;
      }
      node = next;
    }
    children[node * 2 + (code & 1)] = -symbol - 1;
  }

  const table = new Uint32Array(256 * 256);
  for (let state = 0; state < 256; state++) {
    for (let byte = 0; byte < 256; byte++) {
      let node = state;
      let entry = 0;
      let count = 0;
      for (let i = 7; i >= 0; i--) {
        const child = children[node * 2 + ((byte >>> i) & 1)]!;
        if (child >= 0) {
          node = child;
          continue;
        }
        const symbol = -child - 1;
        if (symbol === HUFFMAN_EOS) {
          entry = FAIL;
          break;
        }
        entry |= symbol << (8 + 8 * count++);
        node = 0;
      }
      // The string may end here if what follows the last symbol is at most 7 bits of EOS's prefix (§5.2).
      if (node === 0 || (allOnes[node] === 1 && depth[node]! <= 7)) entry |= ACCEPT;
      table[state * 256 + byte] = entry | (count << COUNT_SHIFT) | node;
    }
  }
  return table;
}

/**
 * Decodes the Huffman-coded bytes src[start..end) into `out`, which must hold 2 * (end - start) bytes (at
 * most two symbols per byte). Returns the decoded length, or -1 when the string is malformed: padding
 * longer than 7 bits or not all ones, or an EOS symbol inside it.
 */
export function huffmanDecode(src: Uint8Array, start: number, end: number, out: Uint8Array): number {
  const table = TRANSITIONS;
  let entry = ACCEPT;
  let n = 0;
  for (let i = start; i < end; i++) {
    entry = table[((entry & 0xff) << 8) | src[i]!]!;
    if ((entry & FAIL) !== 0) return -1;
    // Both symbol slots are written whatever the count: no branch on it, and the spare write lands
    // within out's 2 * length bytes.
    out[n] = entry >>> 8;
    out[n + 1] = entry >>> 16;
    n += (entry >>> COUNT_SHIFT) & 3;
  }
  return (entry & ACCEPT) !== 0 ? n : -1;
}
