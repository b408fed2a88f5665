/**
 * The hand-written Get/Set codecs against google-protobuf's generated classes: whatever the generated
 * classes write, ours read the same way, and what ours write, theirs read back; every other shape is
 * left to the generic path (`undefined`).
 */
import { cache } from '@gomomento/generated-types';
import { describe, expect, it } from 'vitest';
import {
  decodeGetRequest,
  decodeSetRequest,
  FRAMED,
  type FramedSerializer,
  hitResponse,
  withHotCodecs,
} from '../src/transports/grpc/hot-codecs.ts';

import pb = cache.cache_client;

// A small deterministic generator: the cases are the same on every run.
let seed = 12345;
function next(): number {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed;
}
const bytes = (max: number) => Uint8Array.from({ length: next() % (max + 1) }, () => next() % 256);

describe('hot codecs', () => {
  it('decodeGetRequest reads what _GetRequest writes', () => {
    for (let i = 0; i < 500; i++) {
      const key = bytes(i < 250 ? 40 : 400);
      const decoded = decodeGetRequest(new pb._GetRequest({ cache_key: key }).serialize());
      expect(decoded && Buffer.from(decoded.cache_key).equals(Buffer.from(key))).toBe(true);
    }
  });

  it('decodeSetRequest reads what _SetRequest writes, TTLs up to 2^53', () => {
    for (let i = 0; i < 500; i++) {
      const key = bytes(40);
      const body = bytes(i < 250 ? 200 : 70_000);
      const ttl = i === 0 ? Number.MAX_SAFE_INTEGER : i % 3 === 0 ? 0 : next() * (i % 7);
      const decoded = decodeSetRequest(
        new pb._SetRequest({ cache_key: key, cache_body: body, ttl_milliseconds: ttl }).serialize(),
      );
      expect(decoded).toBeDefined();
      expect(Buffer.from(decoded?.cache_key ?? []).equals(Buffer.from(key))).toBe(true);
      expect(Buffer.from(decoded?.cache_body ?? []).equals(Buffer.from(body))).toBe(true);
      expect(decoded?.ttl_milliseconds).toBe(ttl);
    }
  });

  it('fields in another order and repeated fields decode as protobuf says (last one wins)', () => {
    // ttl=5, body="b", key="x", key="k"
    const wire = Uint8Array.from([0x18, 5, 0x12, 1, 98, 0x0a, 1, 120, 0x0a, 1, 107]);
    const decoded = decodeSetRequest(wire);
    expect(Buffer.from(decoded?.cache_key ?? []).toString()).toBe('k');
    expect(Buffer.from(decoded?.cache_body ?? []).toString()).toBe('b');
    expect(decoded?.ttl_milliseconds).toBe(5);
  });

  it('anything but the plain shape is left to the generic path', () => {
    expect(decodeGetRequest(Uint8Array.from([0x0a, 5, 1, 2]))).toBeUndefined(); // overrun
    expect(decodeGetRequest(Uint8Array.from([0x10, 1]))).toBeUndefined(); // unknown field
    expect(decodeGetRequest(Uint8Array.from([0x0a]))).toBeUndefined(); // truncated length
    expect(decodeSetRequest(Uint8Array.from([0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]))).toBe(
      undefined,
    ); // past 2^53
    expect(decodeSetRequest(Uint8Array.from([0x1a, 0]))).toBeUndefined(); // field 3 with the wrong wire type
  });

  it('an empty message decodes to the defaults', () => {
    expect(decodeGetRequest(new Uint8Array(0))?.cache_key.length).toBe(0);
    expect(decodeSetRequest(new Uint8Array(0))?.ttl_milliseconds).toBe(0);
  });

  it('the framed Get and Set answers decode with the generated classes', () => {
    const scs = withHotCodecs(pb.UnimplementedScsService.definition as never);
    type Framed = { [FRAMED]: FramedSerializer };
    const getFramed = (scs.Get as unknown as { responseSerialize: Framed }).responseSerialize[FRAMED];
    const setFramed = (scs.Set as unknown as { responseSerialize: Framed }).responseSerialize[FRAMED];
    for (let i = 0; i < 200; i++) {
      const value = bytes(i < 100 ? 300 : 20_000);
      const framed = getFramed(hitResponse(value));
      expect(framed.readUInt32BE(1)).toBe(framed.length - 5);
      const decoded = pb._GetResponse.deserialize(framed.subarray(5));
      expect(decoded.result).toBe(pb.ECacheResult.Hit);
      expect(Buffer.from(decoded.cache_body).equals(Buffer.from(value))).toBe(true);
    }
    const miss = getFramed(new pb._GetResponse({ result: pb.ECacheResult.Miss }));
    expect(pb._GetResponse.deserialize(miss.subarray(5)).result).toBe(pb.ECacheResult.Miss);
    const ok = setFramed(new pb._SetResponse({ result: pb.ECacheResult.Ok }));
    expect(pb._SetResponse.deserialize(ok.subarray(5)).result).toBe(pb.ECacheResult.Ok);
    const withMessage = setFramed(new pb._SetResponse({ result: pb.ECacheResult.Ok, message: 'note' }));
    expect(pb._SetResponse.deserialize(withMessage.subarray(5)).message).toBe('note');
  });
});
