/**
 * @module collection-support
 * Helpers shared by the collection capability files.
 */

import type { CollectionTtl } from '@cachette/engine';
import type { ExpectStatic } from 'vitest';
import { utf8 } from './bytes.ts';

/** The TTL most collection tests write with. */
export const TTL_MS = 10_000;
/** A refreshing CollectionTtl of `ttlMs`. */
export const refresh = (ttlMs = TTL_MS): CollectionTtl => ({ ttlMs, refreshTtl: true });
/** A non-refreshing CollectionTtl of `ttlMs`. */
export const keep = (ttlMs = TTL_MS): CollectionTtl => ({ ttlMs, refreshTtl: false });

/** UTF-8 text of bytes (for readable assertions). */
export function text(b: Uint8Array | undefined): string | undefined {
  return b === undefined ? undefined : Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
}

/** Texts of a list of byte strings; `undefined` stays `undefined` (a Miss). */
export function texts(list: readonly (Uint8Array | undefined)[] | undefined): (string | undefined)[] | undefined {
  return list?.map(text);
}

/** UTF-8 bytes of each text. */
export function many(...items: string[]): Uint8Array[] {
  return items.map(utf8);
}

/** Asserts a promise rejects with the wrong-type error. */
export async function expectWrongType(expect: ExpectStatic, p: Promise<unknown>): Promise<void> {
  await expect(p).rejects.toMatchObject({ code: 'FAILED_PRECONDITION', reason: 'wrong_type' });
}
