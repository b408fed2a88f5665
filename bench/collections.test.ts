/**
 * The `collections` phase of `npm run bench`, run for real in a tiny configuration (1 s runs, 2 000
 * members): every Cachette row has its Redis command beside it with a ratio from the same run, the two
 * structures the README quotes (sorted set, hash) have bytes per element on both sides, and the report
 * prints them. It checks the bench's plumbing, not its figures.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { formatCollections } from './lib/report.ts';
import type { CollectionsResult } from './lib/results.ts';

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cachette-bench-collections-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench/collections.ts --quick', () => {
  it('measures each collection call beside its Redis command, and bytes per element beside Redis', () => {
    const out = join(dir, 'result.json');
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(here, 'collections.ts'),
        '--quick',
        '--duration',
        '1',
        '--warmup',
        '1',
        '--members',
        '2000',
        '--json',
        out,
      ],
      { encoding: 'utf8', timeout: 170_000 },
    );
    expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ status: 0, stderr: '' });
    const result = JSON.parse(readFileSync(out, 'utf8')) as CollectionsResult;

    expect(result.members).toBe(2000);
    expect(result.rows.map((r) => [r.cachette.split(' ')[0], r.redis])).toEqual([
      ['Set', 'SET'],
      ['DictionarySet', 'HSET'],
      ['DictionaryGet', 'HGET'],
      ['ListPushBack', 'RPUSH'],
      ['ListFetch', 'LRANGE'],
      ['SortedSetPut', 'ZADD'],
      ['SortedSetFetch', 'ZRANGE'],
    ]);
    for (const row of result.rows) {
      expect(row.cachettePerSecond, row.cachette).toBeGreaterThan(0);
      expect(row.redisPerSecond, row.redis).toBeGreaterThan(0);
      expect(row.ratioToRedis).toBeCloseTo(row.cachettePerSecond / row.redisPerSecond, 6);
      expect(row.cachetteLatency.p99).toBeGreaterThan(0);
    }
    const memory = new Map(result.memory.map((m) => [m.what, m]));
    for (const what of ['sorted set', 'hash (dictionary)']) {
      const m = memory.get(what);
      // 16-byte members alone take 16 bytes each: any honest figure is above that.
      expect(m?.accounted, what).toBeGreaterThan(16);
      expect(m?.redis, what).toBeGreaterThan(16);
      expect(m?.accountedRatioToRedis).toBeCloseTo((m?.accounted ?? 0) / (m?.redis ?? 1), 6);
    }

    const table = formatCollections(result);
    expect(table).toContain('DictionaryGet');
    expect(table).toContain('HGET');
    expect(table).toMatch(/sorted set\s+\d+/);
  }, 180_000);
});
