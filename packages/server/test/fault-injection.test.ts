/**
 * `--enable-fault-injection`: request metadata asks for an error or a delay, with momento-local's names, so
 * the official SDK's own test middleware (`ExperimentalMomentoLocalTestConfigMiddleware`) drives it and its
 * retry strategy is seen reacting to the injected errors. Without the flag the metadata is ignored.
 */
import { randomUUID } from 'node:crypto';
import {
  CacheClient,
  CacheGetResponse,
  CacheIncrementResponse,
  CacheSetResponse,
  Configurations,
  DefaultMomentoLoggerFactory,
  DefaultMomentoLoggerLevel,
  type Middleware,
  MomentoErrorCode,
} from '@gomomento/sdk';
import {
  type ExperimentalMomentoLocalTestConfigMetadata,
  ExperimentalMomentoLocalTestConfigMiddleware,
} from '@gomomento/sdk/dist/src/config/middleware/experimental-momento-local-test-config-middleware.js';
import type {
  MiddlewareMessage,
  MiddlewareMetadata,
  MiddlewareStatus,
} from '@gomomento/sdk/dist/src/config/middleware/middleware.js';
import { MomentoRPCMethod } from '@gomomento/sdk/dist/src/config/retry/momento-rpc-method.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rpcNamesOf } from '../src/fault-injection.ts';
import { type Booted, boot, keyCredentials, uniqueName } from './support/boot.ts';
import { expectSdkError } from './support/expect-error.ts';

let on: Booted;
let off: Booted;
let cache: string;

beforeAll(async () => {
  [on, off] = await Promise.all([boot({ enableFaultInjection: true }), boot()]);
  cache = uniqueName('faults');
  for (const b of [on, off]) await (await b.client()).createCache(cache);
});
afterAll(async () => {
  await Promise.all([on?.stop(), off?.stop()]);
});

/** Counts the attempts (first call and retries) of each request type, as the SDK's retry tests do. */
class AttemptCounter implements Middleware {
  readonly shouldLoadLate = true; // after the retry interceptor: sees every attempt
  readonly attempts = new Map<string, number>();
  onNewRequest() {
    return {
      onRequestMetadata: (m: MiddlewareMetadata) => Promise.resolve(m),
      onRequestBody: (r: MiddlewareMessage) => {
        this.attempts.set(r.constructorName(), (this.attempts.get(r.constructorName()) ?? 0) + 1);
        return Promise.resolve(r);
      },
      onResponseMetadata: (m: MiddlewareMetadata) => Promise.resolve(m),
      onResponseBody: (r: MiddlewareMessage | null) => Promise.resolve(r),
      onResponseStatus: (s: MiddlewareStatus) => Promise.resolve(s),
    };
  }
}

/** An official SDK client with the default (Laptop) retry strategy and the momento-local test middleware. */
async function faultyClient(
  b: Booted,
  faults: Omit<ExperimentalMomentoLocalTestConfigMetadata, 'requestId'>,
  clientTimeoutMillis?: number,
): Promise<{ client: CacheClient; counter: AttemptCounter }> {
  const counter = new AttemptCounter();
  let configuration = Configurations.Laptop.v1(
    new DefaultMomentoLoggerFactory(DefaultMomentoLoggerLevel.ERROR),
  ).withMiddlewares([
    new ExperimentalMomentoLocalTestConfigMiddleware({ requestId: randomUUID(), ...faults }),
    counter,
  ]);
  if (clientTimeoutMillis !== undefined) configuration = configuration.withClientTimeoutMillis(clientTimeoutMillis);
  const client = await CacheClient.create({
    configuration,
    credentialProvider: keyCredentials(b.server.grpcAddress, b.server.devApiKey),
    defaultTtlSeconds: 60,
  });
  return { client, counter };
}

describe('rpcNamesOf()', () => {
  it('names methods as the SDKs do in error-rpcs, aliases included', () => {
    expect(rpcNamesOf('GetBatch')).toEqual(['get-batch']);
    expect(rpcNamesOf('ItemGetTtl')).toEqual(['item-get-ttl']);
    expect(rpcNamesOf('SortedSetLengthByScore')).toEqual(['sorted-set-length-by-score']);
    expect(rpcNamesOf('SetIfNotExists')).toEqual(['set-if-not-exists', 'set-if']);
    expect(rpcNamesOf('ListErase')).toEqual(['list-erase', 'list-remove']);
  });
});

describe('fault injection over gRPC, driven by the official SDK', () => {
  it('is ignored by a server started without --enable-fault-injection', async () => {
    const { client, counter } = await faultyClient(off, {
      returnError: MomentoErrorCode.SERVER_UNAVAILABLE,
      errorRpcs: [MomentoRPCMethod.Get],
    });
    try {
      expect((await client.get(cache, 'k')).type).toBe(CacheGetResponse.Miss);
      expect(counter.attempts.get('_GetRequest')).toBe(1);
    } finally {
      client.close();
    }
  });

  it('a full outage: every attempt of a get fails UNAVAILABLE; the SDK retries 3 times, then reports it', async () => {
    const { client, counter } = await faultyClient(on, {
      returnError: MomentoErrorCode.SERVER_UNAVAILABLE,
      errorRpcs: [MomentoRPCMethod.Get],
    });
    try {
      expectSdkError(await client.get(cache, 'k'), MomentoErrorCode.SERVER_UNAVAILABLE, 'fault injected');
      expect(counter.attempts.get('_GetRequest')).toBe(4); // the first attempt and 3 retries
      // Calls the rule does not name are served as usual.
      expect((await client.set(cache, 'k', 'v')).type).toBe(CacheSetResponse.Success);
    } finally {
      client.close();
    }
  });

  it('a temporary outage (error-count 2): the third attempt is served, so the get succeeds', async () => {
    const { client, counter } = await faultyClient(on, {
      returnError: MomentoErrorCode.SERVER_UNAVAILABLE,
      errorRpcs: [MomentoRPCMethod.Get],
      errorCount: 2,
    });
    try {
      expect((await client.get(cache, 'never-set')).type).toBe(CacheGetResponse.Miss);
      expect(counter.attempts.get('_GetRequest')).toBe(3);
    } finally {
      client.close();
    }
  });

  it('a non-idempotent call (increment) is not retried by the SDK: one attempt, the injected error', async () => {
    const { client, counter } = await faultyClient(on, {
      returnError: MomentoErrorCode.SERVER_UNAVAILABLE,
      errorRpcs: [MomentoRPCMethod.Increment],
    });
    try {
      const r = await client.increment(cache, 'counter', 1);
      expect(r.type).toBe(CacheIncrementResponse.Error);
      expectSdkError(r, MomentoErrorCode.SERVER_UNAVAILABLE, 'fault injected');
      expect(counter.attempts.get('_IncrementRequest')).toBe(1);
    } finally {
      client.close();
    }
  });

  it('other statuses map to the SDK error they stand for (internal, resource-exhausted)', async () => {
    for (const [code, expected] of [
      [MomentoErrorCode.INTERNAL_SERVER_ERROR, MomentoErrorCode.INTERNAL_SERVER_ERROR],
      [MomentoErrorCode.LIMIT_EXCEEDED_ERROR, MomentoErrorCode.LIMIT_EXCEEDED_ERROR],
    ] as const) {
      const { client } = await faultyClient(on, { returnError: code, errorRpcs: [MomentoRPCMethod.Set] });
      try {
        expectSdkError(await client.set(cache, 'k', 'v'), expected, 'fault injected');
      } finally {
        client.close();
      }
    }
  });

  it('a delay longer than the client timeout makes the call time out; delay-count 1 lets the next one through', async () => {
    // 60 s against a 2 s client timeout: the outcome does not depend on how fast this machine is.
    const { client } = await faultyClient(
      on,
      { delayMs: 60_000, delayRpcs: [MomentoRPCMethod.Get], delayCount: 1 },
      2_000,
    );
    try {
      expectSdkError(await client.get(cache, 'k'), MomentoErrorCode.TIMEOUT_ERROR);
      // Same request-id: the one delay is spent, so this call is served (a Hit: 'k' was set above).
      const r = await client.get(cache, 'k');
      expect(r.type === CacheGetResponse.Hit && r.valueString()).toBe('v');
    } finally {
      client.close();
    }
  });
});

describe('fault injection over HTTP', () => {
  beforeAll(async () => {
    expect((await (await on.client()).set(cache, 'k', 'v')).type).toBe(CacheSetResponse.Success);
  });
  const get = (b: Booted, headers: Record<string, string>) =>
    fetch(`${b.server.httpUrl}/cache/${cache}?key=k`, {
      headers: { authorization: b.server.devApiKey, ...headers },
    });

  it('answers a matching route with the requested status and a JSON error body', async () => {
    const res = await get(on, { 'return-error': 'unavailable', 'error-rpcs': 'get' });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      error: { code: 'UNAVAILABLE', message: expect.stringContaining('fault injected') },
    });
    // error-rpcs not naming the route: served as usual.
    expect((await get(on, { 'return-error': 'unavailable', 'error-rpcs': 'set' })).status).toBe(200);
  });

  it('counts per request-id (error-count), and rejects an unknown status name loudly', async () => {
    const headers = { 'return-error': 'internal', 'error-count': '1', 'request-id': randomUUID() };
    expect((await get(on, headers)).status).toBe(500);
    expect((await get(on, headers)).status).toBe(200);
    const bad = await get(on, { 'return-error': 'exploded' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain(
      "unknown return-error 'exploded'",
    );
  });

  it('is ignored without --enable-fault-injection', async () => {
    // 'k' was never set on this server: a miss (404), not the injected 503.
    expect((await get(off, { 'return-error': 'unavailable' })).status).toBe(404);
  });
});
