/**
 * @module transports/grpc/hot-codecs
 * Hand-written protobuf for the hottest messages: `_GetRequest`/`_SetRequest` in, `_GetResponse`/
 * `_SetResponse` out. The generated classes build a message object with getters over an internal array, a
 * BinaryReader/Writer, and then `Buffer.from(serialize())` copies the result once more; for a 100-byte Get
 * that is most of the (de)serialization cost. Here a request is read straight off the wire into a plain
 * object with the same field names (bytes are views of the request, as google-protobuf's are), and an
 * answer is written straight into its gRPC frame.
 *
 * Only the plain shapes are taken: known fields with their wire types, in any order, the last occurrence
 * winning (as protobuf says). Anything else — unknown fields, groups, varints past 2^53 — returns
 * `undefined`, and the caller falls back to the generic path (the protobuf guard, then google-protobuf),
 * so behaviour on odd input is exactly what it was.
 */
import { cache } from '@gomomento/generated-types';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { dataFrame } from '../grpc-web/frames.ts';

import pb = cache.cache_client;

/**
 * A response serializer may carry a framed twin: the same bytes with the 5-byte gRPC prefix already in
 * place, so the transport sends them without another copy.
 */
export const FRAMED = Symbol('cachette.framedSerialize');
export type FramedSerializer = (value: unknown) => Buffer;
type WithFramed = ((value: unknown) => Buffer) & { [FRAMED]?: FramedSerializer };

const EMPTY = new Uint8Array(0);

/** What `_GetRequest` decodes to here: the one field handlers read. */
export interface PlainGetRequest {
  readonly cache_key: Uint8Array;
}

/** What `_SetRequest` decodes to here. */
export interface PlainSetRequest {
  readonly cache_key: Uint8Array;
  readonly cache_body: Uint8Array;
  readonly ttl_milliseconds: number;
}

// Decoding state kept in module variables rather than a result object per field: the hot path allocates
// only the request object itself.
let pos = 0;

/** Reads a varint at `pos`; -1 when it is malformed or beyond 2^53 (left to the generic path). */
function varint(bytes: Uint8Array): number {
  let result = 0;
  let scale = 1;
  for (let i = 0; i < 8; i++) {
    if (pos >= bytes.length) return -1;
    const b = bytes[pos++] as number;
    result += (b & 0x7f) * scale;
    if (b < 0x80) return result <= Number.MAX_SAFE_INTEGER ? result : -1;
    scale *= 128;
  }
  return -1;
}

/** The bytes field whose length varint starts at `pos`, or `undefined` when it overruns. */
function lengthDelimited(bytes: Uint8Array): Uint8Array | undefined {
  const length = varint(bytes);
  if (length < 0 || pos + length > bytes.length) return undefined;
  const start = pos;
  pos += length;
  return bytes.subarray(start, pos);
}

/** `_GetRequest` (field 1: bytes cache_key), or `undefined` for anything but that plain shape. */
export function decodeGetRequest(bytes: Uint8Array): PlainGetRequest | undefined {
  pos = 0;
  let key: Uint8Array = EMPTY;
  while (pos < bytes.length) {
    if (bytes[pos++] !== 0x0a) return undefined; // field 1, wire type 2
    const v = lengthDelimited(bytes);
    if (v === undefined) return undefined;
    key = v;
  }
  return { cache_key: key };
}

/** `_SetRequest` (1: bytes cache_key, 2: bytes cache_body, 3: uint64 ttl_milliseconds), or `undefined`. */
export function decodeSetRequest(bytes: Uint8Array): PlainSetRequest | undefined {
  pos = 0;
  let key: Uint8Array = EMPTY;
  let body: Uint8Array = EMPTY;
  let ttl = 0;
  while (pos < bytes.length) {
    const tag = bytes[pos++];
    if (tag === 0x0a || tag === 0x12) {
      const v = lengthDelimited(bytes);
      if (v === undefined) return undefined;
      if (tag === 0x0a) key = v;
      else body = v;
    } else if (tag === 0x18) {
      ttl = varint(bytes);
      if (ttl < 0) return undefined;
    } else {
      return undefined;
    }
  }
  return { cache_key: key, cache_body: body, ttl_milliseconds: ttl };
}

function varintLength(n: number): number {
  let length = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    length++;
  }
  return length;
}

function writeVarint(out: Buffer, at: number, n: number): number {
  while (n >= 128) {
    out[at++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  out[at++] = n;
  return at;
}

/** The fields of `_GetResponse`/`_SetResponse` these encoders write (a generated message or a plain object). */
interface ResultMessage {
  readonly result: number;
  readonly cache_body?: Uint8Array;
  readonly message?: string;
}

/**
 * `message` as a framed `_GetResponse` (1: enum result, 2: bytes cache_body, 3: string message; proto3
 * leaves defaults out). A non-empty `message` (never set by our handlers) goes to the generated class.
 */
function framedResultMessage(value: ResultMessage, fallback: (v: unknown) => Buffer): Buffer {
  if (value.message !== undefined && value.message.length > 0) {
    return dataFrame(fallback(value));
  }
  const body = value.cache_body ?? EMPTY;
  const resultBytes = value.result === 0 ? 0 : 1 + varintLength(value.result);
  const bodyBytes = body.length === 0 ? 0 : 1 + varintLength(body.length) + body.length;
  const length = resultBytes + bodyBytes;
  const out = Buffer.allocUnsafe(5 + length);
  out[0] = 0;
  out.writeUInt32BE(length, 1);
  let at = 5;
  if (resultBytes > 0) {
    out[at++] = 0x08;
    at = writeVarint(out, at, value.result);
  }
  if (bodyBytes > 0) {
    out[at++] = 0x12;
    at = writeVarint(out, at, body.length);
    out.set(body, at);
  }
  return out;
}

/** A plain `_GetResponse` for a hit: what the Get handler returns instead of building a generated message. */
export function hitResponse(value: Uint8Array): pb._GetResponse {
  return { result: pb.ECacheResult.Hit, cache_body: value } as unknown as pb._GetResponse;
}

/**
 * `definition` with Get and Set using the hand-written codecs, each falling back to the definition's own
 * (guarded) decoder for anything but the plain shape.
 */
export function withHotCodecs(definition: ServiceDefinition): ServiceDefinition {
  const out: Record<string, ServiceDefinition[string]> = { ...definition };
  const hot: Record<string, (bytes: Uint8Array) => object | undefined> = {
    Get: decodeGetRequest,
    Set: decodeSetRequest,
  };
  for (const [method, decode] of Object.entries(hot)) {
    const attrs = definition[method];
    if (attrs === undefined) continue;
    const generic = attrs.requestDeserialize;
    const genericSerialize = attrs.responseSerialize as (value: unknown) => Buffer;
    const framed: FramedSerializer = (value) => framedResultMessage(value as ResultMessage, genericSerialize);
    const serialize: WithFramed = (value) => framed(value).subarray(5);
    serialize[FRAMED] = framed;
    out[method] = {
      ...attrs,
      requestDeserialize: (bytes: Buffer) => decode(bytes) ?? generic(bytes),
      responseSerialize: serialize,
    };
  }
  return out;
}
