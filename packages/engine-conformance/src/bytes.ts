/**
 * @module bytes
 * Byte helpers shared by the capability files.
 */

import type { ExpectStatic } from 'vitest';

/** UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** `n` bytes of a repeating 0x00…0xff pattern, so truncation or re-encoding shows. */
export function patterned(n: number, seed = 0): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i + seed) & 0xff;
  return out;
}

function view(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * Asserts `got` holds exactly `want`'s bytes. Small values compare as hex (readable diffs); large ones
 * by length then content (a 5 MB diff helps nobody).
 */
export function expectBytes(expect: ExpectStatic, got: Uint8Array | undefined, want: Uint8Array): void {
  expect(got).toBeInstanceOf(Uint8Array);
  const g = view(got as Uint8Array);
  const w = view(want);
  if (w.byteLength <= 4096) {
    expect(g.toString('hex')).toBe(w.toString('hex'));
  } else {
    expect(g.byteLength).toBe(w.byteLength);
    expect(g.equals(w)).toBe(true);
  }
}
