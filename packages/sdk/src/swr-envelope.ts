/**
 * @module swr-envelope
 * The stored format of a `getOrSet` value written with a stale-while-revalidate window.
 *
 * ```
 * cachette-swr/1 <freshUntilMs>\n<serialized value>
 * ```
 *
 * An ASCII header line, then the value's bytes as the serializer produced them (JSON by default). The item's
 * server TTL is `ttlSeconds + staleWhileRevalidateSeconds`; `freshUntilMs` (epoch ms from the client's clock)
 * is when the value turns stale. The header keeps the value one item (one round trip, one TTL, atomic with
 * its timestamp) and readable by any tool (`cachette cache get`). JSON text never starts with `c`, so a
 * reader tells an envelope from a plain value by its first bytes; a plain value reads as always fresh.
 */
import { toBytes, utf8 } from './bytes.ts';

const MAGIC = 'cachette-swr/1 ';
const MAGIC_BYTES = toBytes(MAGIC);
const NEWLINE = 0x0a;
// Longest header we look into: magic + 16 digits + '\n' is plenty for any epoch-ms timestamp.
const MAX_HEADER = MAGIC.length + 20;

/** A decoded item: its payload and, for an envelope, when it turns stale. */
export interface Unwrapped {
  readonly payload: Uint8Array;
  /** `undefined` for a plain value (written without SWR, or by another client): treat as fresh. */
  readonly freshUntilMs: number | undefined;
}

/** `payload` wrapped with its soft expiry. */
export function wrap(payload: Uint8Array, freshUntilMs: number): Uint8Array {
  const header = toBytes(`${MAGIC}${Math.floor(freshUntilMs)}\n`);
  const out = new Uint8Array(header.byteLength + payload.byteLength);
  out.set(header, 0);
  out.set(payload, header.byteLength);
  return out;
}

/** Splits an envelope into payload and soft expiry; a non-envelope comes back whole. */
export function unwrap(stored: Uint8Array): Unwrapped {
  if (!startsWithMagic(stored)) return { payload: stored, freshUntilMs: undefined };
  const end = stored.subarray(0, MAX_HEADER).indexOf(NEWLINE);
  const digits = end < 0 ? '' : utf8(stored.subarray(MAGIC_BYTES.byteLength, end));
  if (!/^\d+$/.test(digits)) return { payload: stored, freshUntilMs: undefined };
  return { payload: stored.subarray(end + 1), freshUntilMs: Number(digits) };
}

function startsWithMagic(bytes: Uint8Array): boolean {
  if (bytes.byteLength < MAGIC_BYTES.byteLength) return false;
  for (let i = 0; i < MAGIC_BYTES.byteLength; i++) if (bytes[i] !== MAGIC_BYTES[i]) return false;
  return true;
}
