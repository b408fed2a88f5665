/**
 * The leaderboard bench end to end on a small leaderboard (20 000 elements, 1 s runs): it loads both
 * systems, checks every call's answer before h2load replays it, and writes a row per case. No figure is
 * asserted beyond "measured" (the machine is shared); a broken request body or a failed call fails the run.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

describe('bench/leaderboards (quick)', () => {
  it('measures bulk upsert, re-score, fetch by rank and rank beside Redis', { timeout: 240_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cachette-bench-lb-test-'));
    try {
      const args = ['--import', 'tsx', join(here, 'leaderboards.ts'), '--quick', '--elements', '20000'];
      const code = await new Promise<number | null>((resolve, reject) => {
        const child = spawn(process.execPath, [...args, '--duration', '1', '--warmup', '1', '--results-dir', dir], {
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let err = '';
        child.stderr.on('data', (c: Buffer) => {
          err += c.toString();
        });
        child.on('error', reject);
        child.on('exit', (c) => (c === 0 ? resolve(c) : reject(new Error(`exit ${c}: ${err}`))));
      });
      expect(code).toBe(0);
      const [file] = readdirSync(dir);
      const results = JSON.parse(readFileSync(join(dir, file!), 'utf8')) as {
        elements: number;
        rows: { cachette: string; redis: string; cachettePerSecond: number; redisPerSecond: number }[];
      };
      expect(results.elements).toBe(20_000);
      expect(results.rows.map((r) => r.redis.split(' ')[0])).toEqual([
        'ZADD',
        'GET',
        'ZADD',
        'ZREVRANGE',
        'ZREVRANGE',
        'ZREVRANK',
      ]);
      for (const r of results.rows) {
        expect(r.cachettePerSecond, r.cachette).toBeGreaterThan(0);
        expect(r.redisPerSecond, r.redis).toBeGreaterThan(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
