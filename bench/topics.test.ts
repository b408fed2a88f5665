/**
 * The topics bench in a tiny quick mode: it runs end to end (Cachette child + official TopicClient, a
 * private redis-server + ioredis), and reports latency and fan-out rows for both systems. Numbers are not
 * asserted (the machine is shared); their presence and sanity are.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('./topics.ts', import.meta.url));

it('bench/topics.ts --quick reports publish→receive latency and 1/10/100 fan-out for Cachette and Redis', {
  timeout: 240_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'topics-bench-'));
  const json = join(dir, 'out.json');
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', SCRIPT, '--quick', '--latency-messages', '30', '--fanout-messages', '30', '--json', json],
        { stdio: ['ignore', 'ignore', 'inherit'] },
      );
      child.on('error', reject);
      child.on('exit', resolve);
    });
    expect(code).toBe(0);
    const out = JSON.parse(readFileSync(json, 'utf8')) as {
      systems: Array<{
        name: string;
        latency: { p50Ms: number; p99Ms: number; messages: number };
        fanOut: Array<{ subscribers: number; deliveriesPerSecond: number }>;
      }>;
    };
    expect(out.systems.map((s) => s.name.split(' ')[0])).toEqual(['Cachette', 'Redis']);
    for (const s of out.systems) {
      expect(s.latency.messages).toBe(30);
      expect(s.latency.p50Ms).toBeGreaterThan(0);
      expect(s.latency.p99Ms).toBeGreaterThanOrEqual(s.latency.p50Ms);
      expect(s.fanOut.map((f) => f.subscribers)).toEqual([1, 10, 100]);
      for (const f of s.fanOut) expect(f.deliveriesPerSecond).toBeGreaterThan(0);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
