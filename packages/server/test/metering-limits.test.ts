/**
 * Pay per use: exact byte metering through both transports, usage reports, flushes across restarts and
 * crashes, several servers on one PostgreSQL, plan limits, and /metrics.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { encodeApiKey, ManualClock } from '@cachette/core';
import { type CacheClient, CacheGetResponse, MomentoErrorCode } from '@gomomento/sdk';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { type Booted, boot, sdkClient, uniqueName } from './support/boot.ts';
import { expectSdkError } from './support/expect-error.ts';

interface Report {
  month: string;
  totals: { bytesIn: number; bytesOut: number; bytes: number; requests: number };
  byCache: Array<{ cache: string; bytesIn: number; bytesOut: number }>;
  byDay: Array<{ day: string; bytes: number }>;
  freeTier: { gb: number; usedGb: number; leftGb: number };
  costUsd: number;
  projection: { gb: number; costUsd: number };
}

async function usage(b: Booted, apiKey: string, month?: string): Promise<Report> {
  const res = await fetch(`${b.server.httpUrl}/v1/usage${month ? `?month=${month}` : ''}`, {
    headers: { authorization: apiKey },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Report;
}

/** A fresh account on `plan` with a managing key, and its cache. */
async function account(b: Booted, plan = 'free'): Promise<{ apiKey: string; cache: string; client: CacheClient }> {
  const acc = await b.server.metadata.createAccount({
    email: `${uniqueName('m')}@example.com`,
    provider: 'local',
    region: 'local',
    plan,
  });
  const { secret } = await b.server.metadata.createApiKey({ accountId: acc.id });
  const apiKey = encodeApiKey(b.server.grpcAddress, secret, b.server.httpUrl);
  const client = await b.client(apiKey);
  const cache = uniqueName();
  expect((await client.createCache(cache)).type).toBe('Success');
  return { apiKey, cache, client };
}

/** The known sequence: 29 bytes in, 15 bytes out, 6 requests, through gRPC and HTTP. */
async function knownSequence(b: Booted, apiKey: string, client: CacheClient, cache: string): Promise<void> {
  await client.set(cache, 'k1', 'hello'); // in 2 + 5
  await client.get(cache, 'k1'); // in 2, out 5
  await client.get(cache, 'nope'); // in 4 (miss)
  const base = `${b.server.httpUrl}/cache/${cache}`;
  const auth = { authorization: apiKey };
  expect(
    (await fetch(`${base}?key=k2&ttl_seconds=60`, { method: 'PUT', headers: auth, body: 'abcdefghij' })).status,
  ).toBe(204); // in 2 + 10
  expect(await (await fetch(`${base}?key=k2`, { headers: auth })).text()).toBe('abcdefghij'); // in 2, out 10
  expect((await fetch(`${base}?key=k2`, { method: 'DELETE', headers: auth })).status).toBe(204); // in 2
  // Failed calls are not billed.
  await client.get('no-such-cache', 'k1');
  await client.set(cache, 'big', new Uint8Array(5 * 1024 * 1024 + 1));
}

describe('metering', () => {
  it('counts exactly the bytes of a known sequence through gRPC and HTTP', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 15, 12));
    const b = await boot({ clock });
    try {
      const { apiKey, cache, client } = await account(b);
      await knownSequence(b, apiKey, client, cache);
      const r = await usage(b, apiKey, '2026-11');
      expect(r.totals).toEqual({ bytesIn: 29, bytesOut: 15, bytes: 44, gb: 44e-9, requests: 6 });
      expect(r.byCache).toEqual([{ cache, bytesIn: 29, bytesOut: 15, bytes: 44, gb: 44e-9, requests: 6 }]);
      expect(r.byDay.map((d) => [d.day, d.bytes])).toEqual([['2026-11-15', 44]]);
      expect(r.freeTier).toEqual({ gb: 50, usedGb: 44e-9, leftGb: 50 - 44e-9 });
      expect(r.costUsd).toBe(0);
      expect((await usage(b, apiKey, '2026-10')).totals.bytes).toBe(0);
    } finally {
      await b.stop();
    }
  });

  it('counts collection bytes: fields, values, elements and 8 per score in; everything returned out', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 15, 12));
    const b = await boot({ clock });
    try {
      const { apiKey, cache, client } = await account(b);
      await client.dictionarySetField(cache, 'd', 'f', 'vv'); // in 1 + 1 + 2
      await client.dictionaryGetField(cache, 'd', 'f'); // in 1 + 1, out 2
      await client.listConcatenateBack(cache, 'l', ['ab', 'c']); // in 1 + 3
      await client.listFetch(cache, 'l'); // in 1, out 3
      await client.sortedSetPutElement(cache, 'z', 'm', 1); // in 1 + 1 + 8
      await client.sortedSetFetchByRank(cache, 'z'); // in 1, out 1 + 8
      await client.setFetch(cache, 'nope'); // in 4 (miss)
      // Failed calls are not billed: the wrong type.
      await client.listFetch(cache, 'd');
      const r = await usage(b, apiKey, '2026-11');
      expect(r.totals).toMatchObject({ bytesIn: 4 + 2 + 4 + 1 + 10 + 1 + 4, bytesOut: 2 + 3 + 9, requests: 7 });
    } finally {
      await b.stop();
    }
  });

  it('prices usage beyond the free tier and projects the month', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 16)); // half of November elapsed
    const b = await boot({ clock, freeGbPerMonth: 0.000_000_02, pricePerGbUsd: 1_000_000 }); // 20 B free, $0.001/byte
    try {
      const { apiKey, cache, client } = await account(b);
      await knownSequence(b, apiKey, client, cache);
      const r = await usage(b, apiKey, '2026-11');
      expect(r.costUsd).toBeCloseTo(24 * 0.001, 9); // 44 B - 20 B free
      expect(r.projection.gb).toBeCloseTo(88e-9, 15);
      expect(r.projection.costUsd).toBeCloseTo(68 * 0.001, 9);
    } finally {
      await b.stop();
    }
  });

  it('usage survives a graceful restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cachette-meter-'));
    try {
      const first = await boot({ dataDir });
      const { apiKey, cache, client } = await account(first);
      await knownSequence(first, apiKey, client, cache);
      await first.stop(); // flushes on close
      const second = await boot({ dataDir });
      try {
        expect(
          (
            await usage(
              second,
              apiKey.replace(/./g, (c) => c),
              undefined,
            )
          ).totals.bytes,
        ).toBeGreaterThanOrEqual(0);
        const r = await usage(second, encodeApiKey(second.server.grpcAddress, secretOf(apiKey)));
        expect(r.totals).toMatchObject({ bytesIn: 29, bytesOut: 15, requests: 6 });
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('kill -9 loses at most the last flush interval', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cachette-kill-'));
    const child = spawn(process.execPath, [BIN, 'server', 'start', '--port', '0', '--data-dir', dataDir], {
      env: { ...process.env, CACHETTE_METERING_FLUSH_MS: '200' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const port = await new Promise<number>((ok, fail) => {
        createInterface({ input: child.stdout! }).on('line', (line) => {
          const m = /cachette ready on [^:]+:(\d+)/.exec(line);
          if (m) ok(Number(m[1]));
        });
        child.on('exit', (code) => fail(new Error(`server exited with ${code}`)));
      });
      const db = new Database(join(dataDir, 'metadata.db'), { readonly: true });
      const devKey = (await import('node:fs')).readFileSync(join(dataDir, 'dev-api-key'), 'utf8').trim();
      const client = await sdkClient(`127.0.0.1:${port}`, devKey);
      const cache = uniqueName();
      await client.createCache(cache);
      await client.set(cache, 'a', '12345'); // A: 6 bytes in
      const flushed = () =>
        (db.prepare('select coalesce(sum(bytes_in), 0) as b from usage').get() as { b: number | bigint }).b;
      // Wait for the periodic flush to write A (bounded: 50 × the 200 ms interval).
      for (let i = 0; i < 100 && Number(flushed()) < 6; i++) await new Promise((r) => setTimeout(r, 100));
      expect(Number(flushed())).toBe(6);
      await client.set(cache, 'b', '1234567890'); // B: 11 bytes in, maybe unflushed
      client.close();
      child.kill('SIGKILL');
      await new Promise((r) => child.on('exit', r));
      const after = Number(flushed());
      db.close();
      expect(after).toBeGreaterThanOrEqual(6);
      expect(after).toBeLessThanOrEqual(17);
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('two servers on one PostgreSQL database meter into the same totals', async () => {
    const url = process.env.CACHETTE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
    const schema = `cachette_test_meter_${randomBytes(4).toString('hex')}`;
    const shared = { databaseUrl: url, databaseSchema: schema };
    const [a, b] = await Promise.all([boot(shared), boot(shared)]);
    try {
      const { apiKey, cache, client } = await account(a);
      const viaB = await b.client(encodeApiKey(b.server.grpcAddress, secretOf(apiKey)));
      await knownSequence(a, apiKey, client, cache);
      await viaB.set(cache, 'x', '1234'); // 5 in
      await viaB.get(cache, 'x'); // 1 in, 4 out
      await Promise.all([a.server.meter.flush(), b.server.meter.flush()]);
      const r = await usage(a, apiKey);
      expect(r.totals).toMatchObject({ bytesIn: 35, bytesOut: 19, requests: 8 });
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`drop schema if exists "${schema}" cascade`);
      await admin.end();
    }
  });
});

describe('plan limits', () => {
  it('a burst above 100 requests/s gets RESOURCE_EXHAUSTED (gRPC) and 429 (HTTP); nothing beyond the limit is stored', async () => {
    const clock = new ManualClock();
    const b = await boot({ clock });
    try {
      const { apiKey, cache, client } = await account(b, 'free');
      for (let i = 0; i < 100; i++) expect((await client.set(cache, `k${i}`, 'v')).type).toBe('Success');
      const over = await client.set(cache, 'k100', 'v');
      expectSdkError(over, MomentoErrorCode.LIMIT_EXCEEDED_ERROR, '100 requests per second');
      expect(over.type === 'Error' && (over.innerException() as { errCause?: string }).errCause).toBe(
        'operations_rate_limit_exceeded',
      );
      const http = await fetch(`${b.server.httpUrl}/cache/${cache}?key=h&ttl_seconds=60`, {
        method: 'PUT',
        headers: { authorization: apiKey },
        body: 'v',
      });
      expect(http.status).toBe(429);
      expect(http.headers.get('retry-after')).toBe('1');
      clock.advance(1_000); // the bucket refills
      expect((await client.get(cache, 'k100')).type).toBe(CacheGetResponse.Miss);
      expect((await client.get(cache, 'k99')).type).toBe(CacheGetResponse.Hit);
      expect(
        (await fetch(`${b.server.httpUrl}/cache/${cache}?key=h`, { headers: { authorization: apiKey } })).status,
      ).toBe(404);
    } finally {
      await b.stop();
    }
  });

  it('throughput: an item larger than the per-second budget passes, the next call waits for the debt', async () => {
    const clock = new ManualClock();
    const b = await boot({ clock });
    try {
      await b.server.metadata.putPlan({
        name: 'tiny',
        maxRequestsPerSecond: null,
        maxThroughputBytesPerSecond: 1000,
        maxItemSizeBytes: 5 * 1024 * 1024,
        maxTtlMs: 86_400_000,
        maxCaches: 2,
      });
      const { cache, client } = await account(b, 'tiny');
      expect((await client.set(cache, 'a', new Uint8Array(1499))).type).toBe('Success'); // 1500 B: debt of 500
      const r = await client.set(cache, 'b', 'x');
      expectSdkError(r, MomentoErrorCode.LIMIT_EXCEEDED_ERROR, 'throughput');
      clock.advance(1_000); // +1000 B: back to 500
      expect((await client.set(cache, 'b', 'x')).type).toBe('Success');
      // The plan's cache cap (2) applies too.
      expect((await client.createCache(uniqueName())).type).toBe('Success');
      expectSdkError(await client.createCache(uniqueName()), MomentoErrorCode.LIMIT_EXCEEDED_ERROR, 'maximum');
    } finally {
      await b.stop();
    }
  });

  it('the unlimited plan (the local account) is not throttled', async () => {
    const clock = new ManualClock();
    const b = await boot({ clock });
    try {
      const client = await b.client();
      const cache = uniqueName();
      await client.createCache(cache);
      for (let i = 0; i < 300; i++) expect((await client.set(cache, `k${i}`, 'v')).type).toBe('Success');
    } finally {
      await b.stop();
    }
  });
});

describe('/metrics', () => {
  let b: Booted;
  afterAll(async () => {
    await b?.stop();
  });
  it('exposes requests, hits, misses, bytes, items and latency in Prometheus format', async () => {
    b = await boot();
    const client = await b.client();
    const cache = uniqueName();
    await client.createCache(cache);
    await client.set(cache, 'k', 'value');
    await client.get(cache, 'k');
    await client.get(cache, 'missing');
    const res = await fetch(`${b.server.httpUrl}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('cachette_requests_total{operation="get",outcome="hit"} 1');
    expect(text).toContain('cachette_requests_total{operation="get",outcome="miss"} 1');
    expect(text).toContain('cachette_cache_hits_total 1');
    expect(text).toContain('cachette_cache_misses_total 1');
    expect(text).toContain('cachette_bytes_in_total 14');
    expect(text).toContain('cachette_bytes_out_total 5');
    expect(text).toContain('cachette_items 1');
    expect(text).toMatch(/cachette_request_duration_seconds_count\{operation="set"\} 1/);
    expect(text).toContain('cachette_metering_flush_lag_seconds');
    expect(text).not.toContain(b.server.devApiKey);
  });
});

const BIN = resolve(import.meta.dirname, '../../cli/bin/cachette.js');

function secretOf(key: string): string {
  return JSON.parse(Buffer.from(key, 'base64').toString()).api_key as string;
}
