/**
 * @module bytes
 * UTF-8 and base64 without `Buffer`, so the SDK core runs unchanged in browsers and edge runtimes.
 */

const encoder = new TextEncoder();
// fatal: false keeps valueString() total: invalid UTF-8 becomes U+FFFD rather than an exception.
const decoder = new TextDecoder('utf-8');

/** A key or value as the caller may give it. */
export type BytesLike = string | Uint8Array;

/** UTF-8 bytes of `value` (bytes are returned as they are, not copied). */
export function toBytes(value: BytesLike): Uint8Array {
  return typeof value === 'string' ? encoder.encode(value) : value;
}

/** `bytes` decoded as UTF-8. */
export function utf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

// btoa/atob work on "binary strings"; chunking keeps String.fromCharCode's argument list bounded.
const CHUNK = 0x8000;

/** Node's (and Bun's, Deno's) `Buffer` when there is one: its base64 is native and several times faster. */
const NodeBuffer = (
  globalThis as {
    Buffer?: {
      from(data: ArrayBufferLike, offset: number, length: number): { toString(encoding: 'base64'): string };
      from(data: string, encoding: 'base64'): Uint8Array;
    };
  }
).Buffer;

/** Standard base64 of `bytes`. */
export function toBase64(bytes: Uint8Array): string {
  if (NodeBuffer !== undefined)
    return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(binary);
}

/** Bytes of standard or URL-safe base64 `text`. */
export function fromBase64(text: string): Uint8Array {
  if (NodeBuffer !== undefined) {
    // Buffer reads standard and URL-safe base64 alike; a plain Uint8Array view, so callers see one type.
    const b = NodeBuffer.from(text, 'base64');
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** True when `bytes` round-trips through UTF-8 text (so it can travel as `key=`, not `key_base64=`). */
export function isUtf8Text(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
