/**
 * Bad input gets a precise error with the Momento-style code, and the server keeps serving with its data
 * intact. Uses the official SDK where it sends the request, a raw grpc-js client where the SDK would refuse.
 */
import { cache, control } from '@gomomento/generated-types';
import { type CacheClient, CacheGetResponse, MomentoErrorCode } from '@gomomento/sdk';
import { status } from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Booted, boot, uniqueName } from './support/boot.ts';
import { expectSdkError } from './support/expect-error.ts';
import { RawClient } from './support/raw-client.ts';

import pb = cache.cache_client;

const MiB = 1024 * 1024;
let b: Booted;
let client: CacheClient;
let raw: RawClient;
let name: string;
let auth: Record<string, string>;

beforeAll(async () => {
  b = await boot();
  client = await b.client();
  raw = new RawClient(b.server.grpcAddress);
  name = uniqueName();
  await client.createCache(name);
  await client.set(name, 'canary', 'still-here');
  const secret = JSON.parse(Buffer.from(b.server.devApiKey, 'base64').toString()).api_key as string;
  auth = { authorization: secret, cache: name };
});
afterAll(async () => {
  raw.close();
  await b.stop();
});
// After every bad input: the server still answers and stored data is intact.
afterEach(async () => {
  const r = await client.get(name, 'canary');
  expect(r.type === CacheGetResponse.Hit && r.valueString()).toBe('still-here');
});

const setBytes = (key: string, value: Uint8Array, ttl: number) =>
  new pb._SetRequest({ cache_key: Buffer.from(key), cache_body: value, ttl_milliseconds: ttl }).serialize();

describe('limits', () => {
  it('set() of a value over 5 MB returns LIMIT_EXCEEDED with cause item_size_limit_exceeded', async () => {
    const r = await client.set(name, 'big', new Uint8Array(5 * MiB + 1));
    expectSdkError(r, MomentoErrorCode.LIMIT_EXCEEDED_ERROR, 'item size');
    expect(r.type === 'Error' && (r.innerException() as { errCause?: string }).errCause).toBe(
      'item_size_limit_exceeded',
    );
    expect((await client.get(name, 'big')).type).toBe(CacheGetResponse.Miss);
  });

  it('set() of an item exactly at the 5 MB limit is accepted and read back whole', async () => {
    const key = 'max';
    const value = new Uint8Array(5 * MiB - key.length).fill(7);
    expect((await client.set(name, key, value)).type).toBe('Success');
    const r = await client.get(name, key);
    expect(r.type === CacheGetResponse.Hit && r.valueUint8Array().byteLength).toBe(value.byteLength);
  });

  it('a TTL above 24 h returns INVALID_ARGUMENT naming the maximum', async () => {
    const r = await raw.unary('/cache_client.Scs/Set', setBytes('k', Buffer.from('v'), 86_400_001), auth);
    expect(r.code).toBe(status.INVALID_ARGUMENT);
    expect(r.details).toBe('ttl of 86400001 ms exceeds the maximum of 86400 s (24 h)');
  });

  it('a zero TTL returns INVALID_ARGUMENT', async () => {
    const r = await raw.unary('/cache_client.Scs/Set', setBytes('k', Buffer.from('v'), 0), auth);
    expect(r.code).toBe(status.INVALID_ARGUMENT);
    expect(r.details).toContain('positive');
  });

  it('an empty key returns INVALID_ARGUMENT', async () => {
    const r = await raw.unary(
      '/cache_client.Scs/Get',
      new pb._GetRequest({ cache_key: new Uint8Array() }).serialize(),
      auth,
    );
    expect(r.code).toBe(status.INVALID_ARGUMENT);
    expect(r.details).toBe('key must not be empty');
  });

  it('a request too large for the message limit is refused with RESOURCE_EXHAUSTED', async () => {
    const r = await raw.unary('/cache_client.Scs/Set', setBytes('huge', new Uint8Array(7 * MiB), 1000), auth);
    expect(r.code).toBe(status.RESOURCE_EXHAUSTED);
  });
});

describe('malformed requests', () => {
  it('undecodable protobuf bytes return INVALID_ARGUMENT, not INTERNAL', async () => {
    const r = await raw.unary('/cache_client.Scs/Set', Buffer.from([0x0a, 0xff, 0xff, 0xff]), auth);
    expect(r.code).toBe(status.INVALID_ARGUMENT);
    expect(r.details).toContain('malformed Set request');
  });

  // Six bytes that made google-protobuf rewind its cursor and loop forever, stalling every client: a
  // nested message (or unknown field) whose length varint reads as -6 in 32 bits.
  const REWIND = [0xfa, 0xff, 0xff, 0xff, 0x0f];
  it.each([
    ['GetBatch', '/cache_client.Scs/GetBatch', [0x0a, ...REWIND]],
    ['SetIf', '/cache_client.Scs/SetIf', [0x3a, ...REWIND]],
    ['Get', '/cache_client.Scs/Get', [0x12, ...REWIND]],
    ['CreateCache', '/control_client.ScsControl/CreateCache', [0x12, ...REWIND]],
  ])('a %s request with a length that points backwards returns INVALID_ARGUMENT', async (method, path, bytes) => {
    const r = await raw.unary(path, Buffer.from(bytes), auth);
    expect(r.code).toBe(status.INVALID_ARGUMENT);
    expect(r.details).toContain(`malformed ${method} request`);
    expect(r.details).toContain('exceeds');
  });

  it('a nested length past the end of the request returns INVALID_ARGUMENT naming the field', async () => {
    const r = await raw.unary('/cache_client.Scs/SetBatch', Buffer.from([0x0a, 0x80, 0x80, 0x80, 0x40]), auth);
    expect(r.code).toBe(status.INVALID_ARGUMENT);
    expect(r.details).toContain('field 1 of _SetBatchRequest: length 134217728 exceeds the 0 bytes left');
  });

  it('a cache name of invalid UTF-8 (a lone surrogate once decoded) returns INVALID_ARGUMENT, no crash', async () => {
    // Found by the fuzzer: the name, quoted in the error, made grpc-js's encodeURI(grpc-message) throw.
    const r = await raw.unary(
      '/control_client.ScsControl/CreateCache',
      Buffer.from([0x0a, 0x04, 0x61, 0xed, 0xa0, 0x80]),
      auth,
    );
    expect(r.code).toBe(status.INVALID_ARGUMENT);
  });

  it('undecodable control-plane bytes return INVALID_ARGUMENT', async () => {
    const r = await raw.unary('/control_client.ScsControl/CreateCache', Buffer.from([0x0a, 0x05, 0x61]), auth);
    expect(r.code).toBe(status.INVALID_ARGUMENT);
  });

  it('a data-plane call without the cache header returns INVALID_ARGUMENT', async () => {
    const r = await raw.unary(
      '/cache_client.Scs/Get',
      new pb._GetRequest({ cache_key: Buffer.from('k') }).serialize(),
      {
        authorization: auth.authorization ?? '',
      },
    );
    expect(r.code).toBe(status.INVALID_ARGUMENT);
    expect(r.details).toContain("'cache' metadata header");
  });

  it('an unknown method returns UNIMPLEMENTED', async () => {
    const r = await raw.unary('/cache_client.Scs/NoSuchMethod', Buffer.alloc(0), auth);
    expect(r.code).toBe(status.UNIMPLEMENTED);
  });

  it('a collection method with an empty body returns INVALID_ARGUMENT (empty collection name)', async () => {
    const r = await raw.unary('/cache_client.Scs/DictionarySet', Buffer.alloc(0), auth);
    expect(r.code).toBe(status.INVALID_ARGUMENT);
  });

  it('SetIf without a condition returns INVALID_ARGUMENT', async () => {
    const body = new pb._SetIfRequest({
      cache_key: Buffer.from('k'),
      cache_body: Buffer.from('v'),
      ttl_milliseconds: 1000,
    });
    const r = await raw.unary('/cache_client.Scs/SetIf', body.serialize(), auth);
    expect(r.code).toBe(status.INVALID_ARGUMENT);
  });

  it('a topic publish without a value returns INVALID_ARGUMENT', async () => {
    const r = await raw.unary('/cache_client.pubsub.Pubsub/Publish', Buffer.alloc(0), auth);
    expect(r.code).toBe(status.INVALID_ARGUMENT);
    expect(r.details).toContain('text or binary value');
  });

  it('the standard gRPC health check answers SERVING without a key', async () => {
    const r = await raw.unary('/grpc.health.v1.Health/Check', Buffer.alloc(0), {});
    expect(r.code).toBe(status.OK);
    expect([...(r.response ?? [])]).toEqual([0x08, 0x01]); // HealthCheckResponse { status: SERVING }
  });

  it('Ping answers without a key', async () => {
    const r = await raw.unary('/cache_client.Ping/Ping', Buffer.alloc(0), {});
    expect(r.code).toBe(status.OK);
  });

  it('a control-plane call with a wrong key returns UNAUTHENTICATED', async () => {
    const body = new control.control_client._ListCachesRequest().serialize();
    const r = await raw.unary('/control_client.ScsControl/ListCaches', body, { authorization: 'nope' });
    expect(r.code).toBe(status.UNAUTHENTICATED);
  });
});
