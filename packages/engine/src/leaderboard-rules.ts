/**
 * @module leaderboard-rules
 * What MemoryEngine and ValkeyEngine share about leaderboards, so they cannot drift: how an id becomes a
 * sorted-set member, and the argument checks.
 *
 * An id is stored as 8 bytes, big-endian. Fixed width big-endian makes byte order equal numeric order,
 * so the (score, member bytes) order of a skip list or a Redis zset is exactly Momento's (score, id)
 * order, with no comparator of our own on either side.
 */

import { checkScore, invalidArgument } from './collection-rules.ts';
import type { LeaderboardElement, LeaderboardScoreRange } from './engine.ts';

/** Bytes an id takes as a member. */
export const LEADERBOARD_ID_BYTES = 8;

const TWO_32 = 2 ** 32;

/** Rejects an id that is not an integer in 0..2^53 − 1. */
export function checkLeaderboardId(id: number): void {
  if (!Number.isSafeInteger(id) || id < 0) {
    throw invalidArgument(`leaderboard ids must be non-negative integers, got ${String(id)}`);
  }
}

/** Checks every element (id range, score not NaN) before anything is written. */
export function checkLeaderboardElements(elements: readonly LeaderboardElement[]): void {
  for (const e of elements) {
    checkLeaderboardId(e.id);
    checkScore(e.score);
  }
}

/** Checks a rank range: integers with 0 ≤ start. An empty or inverted range reads as empty. */
export function checkRankRange(start: number, end: number): void {
  if (!Number.isSafeInteger(start) || start < 0 || !Number.isSafeInteger(end) || end < 0) {
    throw invalidArgument(`ranks must be non-negative integers, got ${String(start)}..${String(end)}`);
  }
}

/** Checks a score range: bounds not NaN, offset and count non-negative integers. */
export function checkLeaderboardScoreRange(range: LeaderboardScoreRange): void {
  if (range.min !== undefined) checkScore(range.min);
  if (range.max !== undefined) checkScore(range.max);
  for (const [name, n] of [
    ['offset', range.offset],
    ['count', range.count],
  ] as const) {
    if (!Number.isSafeInteger(n) || n < 0) throw invalidArgument(`${name} must be a non-negative integer, got ${n}`);
  }
}

/** The member of `id` as an 8-char latin1 string (MemoryEngine's skip list compares these with `<`). */
export function idToLatin1(id: number): string {
  const hi = Math.floor(id / TWO_32);
  const lo = id >>> 0;
  return String.fromCharCode(
    hi >>> 24,
    (hi >>> 16) & 0xff,
    (hi >>> 8) & 0xff,
    hi & 0xff,
    lo >>> 24,
    (lo >>> 16) & 0xff,
    (lo >>> 8) & 0xff,
    lo & 0xff,
  );
}

/** The id an 8-char latin1 member encodes. */
export function latin1ToId(m: string): number {
  const hi = ((m.charCodeAt(0) << 24) | (m.charCodeAt(1) << 16) | (m.charCodeAt(2) << 8) | m.charCodeAt(3)) >>> 0;
  const lo = ((m.charCodeAt(4) << 24) | (m.charCodeAt(5) << 16) | (m.charCodeAt(6) << 8) | m.charCodeAt(7)) >>> 0;
  return hi * TWO_32 + lo;
}

/** The member of `id` as 8 bytes (what ValkeyEngine stores in the zset). */
export function idToBytes(id: number): Buffer {
  const out = Buffer.allocUnsafe(LEADERBOARD_ID_BYTES);
  out.writeUInt32BE(Math.floor(id / TWO_32), 0);
  out.writeUInt32BE(id >>> 0, 4);
  return out;
}

/** The id 8 member bytes encode. */
export function bytesToId(b: Uint8Array): number {
  const v = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  return v.readUInt32BE(0) * TWO_32 + v.readUInt32BE(4);
}
