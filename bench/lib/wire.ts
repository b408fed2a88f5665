/**
 * @module bench/lib/wire
 * The workload's shape (16-byte keys, 100-byte values, one TTL) and Momento's gRPC messages, encoded once
 * with `@gomomento/generated-types` and framed with gRPC's 5-byte length prefix, so h2load can replay them.
 */
import { cache, control } from '@gomomento/generated-types';

/** Every key is exactly this long, e.g. `key:000000000042`. */
export const KEY_BYTES = 16;
/** Every value is exactly this long. */
export const VALUE_BYTES = 100;
/** TTL of every item written by the bench (Momento items always carry one; Redis gets the same `PX`). */
export const TTL_MS = 3_600_000;
/** The cache (Momento) every bench call names. */
export const CACHE_NAME = 'bench';

const pb = cache.cache_client;

/** The 16-byte key of item `i` of the keyspace: `key:` and 12 zero-padded digits. */
export function keyOf(i: number): Buffer {
  return Buffer.from(`key:${i.toString().padStart(KEY_BYTES - 4, '0')}`, 'latin1');
}

/** A 16-byte key that is never written: `mis:` and 12 digits. */
export function missKeyOf(i: number): Buffer {
  return Buffer.from(`mis:${i.toString().padStart(KEY_BYTES - 4, '0')}`, 'latin1');
}

/** The value every item gets: 100 bytes of `a`. One shared buffer, never mutated. */
export const VALUE: Buffer = Buffer.alloc(VALUE_BYTES, 0x61);

/** Prefixes a serialized protobuf message with gRPC's frame header (uncompressed flag + 32-bit BE length). */
export function grpcFrame(message: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(5 + message.length);
  frame[0] = 0;
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
}

/** Splits a gRPC response body into its messages. */
export function grpcMessages(body: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at + 5 <= body.length) {
    const length = body.readUInt32BE(at + 1);
    out.push(body.subarray(at + 5, at + 5 + length));
    at += 5 + length;
  }
  return out;
}

export const paths = {
  get: '/cache_client.Scs/Get',
  set: '/cache_client.Scs/Set',
  setBatch: '/cache_client.Scs/SetBatch',
  createCache: '/control_client.ScsControl/CreateCache',
} as const;

export const encode = {
  get: (key: Uint8Array): Buffer => grpcFrame(new pb._GetRequest({ cache_key: key }).serialize()),
  set: (key: Uint8Array, value: Uint8Array = VALUE, ttlMs = TTL_MS): Buffer =>
    grpcFrame(new pb._SetRequest({ cache_key: key, cache_body: value, ttl_milliseconds: ttlMs }).serialize()),
  setBatch: (keys: readonly Uint8Array[], value: Uint8Array = VALUE, ttlMs = TTL_MS): Buffer =>
    grpcFrame(
      new pb._SetBatchRequest({
        items: keys.map((key) => new pb._SetRequest({ cache_key: key, cache_body: value, ttl_milliseconds: ttlMs })),
      }).serialize(),
    ),
  createCache: (name: string): Buffer =>
    grpcFrame(new control.control_client._CreateCacheRequest({ cache_name: name }).serialize()),
};

export const decode = {
  getResult(message: Uint8Array): 'hit' | 'miss' | 'other' {
    const r = pb._GetResponse.deserialize(message).result;
    return r === pb.ECacheResult.Hit ? 'hit' : r === pb.ECacheResult.Miss ? 'miss' : 'other';
  },
  setOk(message: Uint8Array): boolean {
    return pb._SetResponse.deserialize(message).result === pb.ECacheResult.Ok;
  },
};

/** The secret the `authorization` header carries: the `api_key` field of a base64 v1 API key. */
export function secretOf(apiKey: string): string {
  const parsed = JSON.parse(Buffer.from(apiKey, 'base64').toString('utf8')) as { api_key?: unknown };
  if (typeof parsed.api_key !== 'string') throw new Error('API key has no api_key field');
  return parsed.api_key;
}
