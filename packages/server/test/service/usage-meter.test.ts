/**
 * UsageMeter on its own, with an in-memory SQLite store and a manual clock: what is counted, how hours
 * split, and that a failed flush loses nothing.
 */
import { ManualClock } from '@cachette/core';
import { type MetadataStore, openSqliteMetadata, USAGE_HOUR_MS, type UsageDelta } from '@cachette/metadata';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageMeter } from '../../src/service/usage-meter.ts';

const HOUR = USAGE_HOUR_MS;

describe('UsageMeter', () => {
  let clock: ManualClock;
  let metadata: MetadataStore;
  let accountId: string;
  let hourStart: number;

  beforeEach(async () => {
    // Ten minutes into an hour, so advancing a little stays in it.
    clock = new ManualClock(Math.floor(1_700_000_000_000 / HOUR) * HOUR + 600_000);
    hourStart = Math.floor(clock.nowMs() / HOUR) * HOUR;
    metadata = await openSqliteMetadata({ path: ':memory:', clock });
    accountId = (await metadata.createAccount({ provider: 'aws', region: 'us-west-2' })).id;
  });
  afterEach(() => metadata.close());

  const usage = () => metadata.listUsage(accountId, 0, Number.MAX_SAFE_INTEGER);

  it('successful data-plane calls are counted per cache and hour and written by flush()', async () => {
    const meter = new UsageMeter({ metadata, clock, flushIntervalMs: 0 });
    meter.observe('set', accountId, 'a', 'ok', 1, 100, 0);
    meter.observe('get', accountId, 'a', 'hit', 1, 10, 90);
    meter.observe('get', accountId, 'a', 'miss', 1, 10, 0);
    meter.observe('getBatch', accountId, 'b', 'ok', 1, 30, 300);
    await meter.flush();
    expect(await usage()).toEqual<UsageDelta[]>([
      { accountId, cacheName: 'a', hourStartMs: hourStart, bytesIn: 120, bytesOut: 90, requests: 3 },
      { accountId, cacheName: 'b', hourStartMs: hourStart, bytesIn: 30, bytesOut: 300, requests: 1 },
    ]);
  });

  it('failed calls, control-plane calls and unauthenticated calls are not billed', async () => {
    const meter = new UsageMeter({ metadata, clock, flushIntervalMs: 0 });
    meter.observe('set', accountId, 'a', 'LIMIT_EXCEEDED', 1, 100, 0);
    meter.observe('createCache', accountId, 'a', 'ok', 1, 0, 0);
    meter.observe('listCaches', accountId, '', 'ok', 1, 0, 0);
    meter.observe('get', '', 'a', 'hit', 1, 10, 10);
    await meter.flush();
    expect(await usage()).toEqual([]);
  });

  it('a call in the next hour starts a new row; the earlier hour is still written', async () => {
    const meter = new UsageMeter({ metadata, clock, flushIntervalMs: 0 });
    meter.observe('set', accountId, 'a', 'ok', 1, 100, 0);
    clock.advance(HOUR);
    meter.observe('set', accountId, 'a', 'ok', 1, 7, 0);
    await meter.flush();
    expect((await usage()).map((u) => [u.hourStartMs - hourStart, u.bytesIn])).toEqual([
      [0, 100],
      [HOUR, 7],
    ]);
  });

  it('flushes add up: counters are cleared after a write and the store sums the next one', async () => {
    const meter = new UsageMeter({ metadata, clock, flushIntervalMs: 0 });
    meter.observe('set', accountId, 'a', 'ok', 1, 100, 0);
    await meter.flush();
    meter.observe('set', accountId, 'a', 'ok', 1, 5, 0);
    await meter.flush();
    await meter.flush(); // nothing pending: writes nothing
    expect(await usage()).toMatchObject([{ bytesIn: 105, requests: 2 }]);
    expect(meter.lastFlushedAtMs).toBe(clock.nowMs());
  });

  it('a failed flush reports the error, keeps the counters and the next flush writes them merged', async () => {
    let failures = 1;
    const flaky: MetadataStore = Object.create(metadata, {
      addUsage: {
        value: (deltas: readonly UsageDelta[]) => {
          if (failures-- > 0) return Promise.reject(new Error('database unreachable'));
          return metadata.addUsage(deltas);
        },
      },
    });
    const errors: unknown[] = [];
    const meter = new UsageMeter({ metadata: flaky, clock, flushIntervalMs: 0, onFlushError: (e) => errors.push(e) });
    meter.observe('set', accountId, 'a', 'ok', 1, 100, 0);
    const flushedBefore = meter.lastFlushedAtMs;
    clock.advance(1000);
    await expect(meter.flush()).rejects.toThrow('database unreachable');
    expect(errors).toHaveLength(1);
    expect(meter.lastFlushedAtMs).toBe(flushedBefore);
    meter.observe('set', accountId, 'a', 'ok', 1, 1, 0);
    await meter.flush();
    expect(await usage()).toMatchObject([{ cacheName: 'a', bytesIn: 101, requests: 2 }]);
  });

  it('a flush() called while an earlier write is in flight also writes what was counted after that write began', async () => {
    // The store holds the first write until released, as a slow database would; the periodic flush and a
    // `GET /v1/usage` race exactly like this.
    let release: () => void = () => undefined;
    let held = 0;
    const slow: MetadataStore = Object.create(metadata, {
      addUsage: {
        value: async (deltas: readonly UsageDelta[]) => {
          if (held++ === 0) await new Promise<void>((resolve) => (release = resolve));
          return metadata.addUsage(deltas);
        },
      },
    });
    const meter = new UsageMeter({ metadata: slow, clock, flushIntervalMs: 0 });
    meter.observe('set', accountId, 'a', 'ok', 1, 100, 0);
    const first = meter.flush(); // snapshot: 100 bytes
    meter.observe('set', accountId, 'a', 'ok', 1, 7, 0);
    const second = meter.flush();
    const third = meter.flush(); // shares the queued write
    expect(third).toBe(second);
    release();
    await Promise.all([first, second]);
    expect(await usage()).toMatchObject([{ bytesIn: 107, requests: 2 }]);
    expect(held).toBe(2);
  });

  it('close() writes what is pending', async () => {
    const meter = new UsageMeter({ metadata, clock, flushIntervalMs: 60_000 });
    meter.start();
    meter.observe('delete', accountId, 'a', 'ok', 1, 3, 0);
    await meter.close();
    expect(await usage()).toMatchObject([{ bytesIn: 3, requests: 1 }]);
  });
});
