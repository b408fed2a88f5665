/**
 * @module bench/lib/redis
 * A private `redis-server` for the bench: free port, persistence off, killed with the bench.
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { spawnTracked } from './children.ts';
import { KEY_BYTES, keyOf, TTL_MS, VALUE } from './wire.ts';

/** A port nobody listens on right now (bind :0, read, release). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject()));
    });
  });
}

export interface BenchRedis {
  readonly port: number;
  readonly version: string;
  readonly client: Redis;
  /** `INFO memory` `used_memory`, bytes. */
  usedMemory(): Promise<number>;
  /** Writes `count` items `keyOf(0..count-1)` → 100-byte value, PX {@link TTL_MS}, pipelined. */
  load(count: number, onProgress?: (done: number) => void, withTtl?: boolean): Promise<void>;
  stop(): Promise<void>;
}

export function redisServerPath(): string {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
  if (found === '') {
    throw new Error('redis-server is required: install it with `sudo apt-get install -y redis-server` (Redis 7+).');
  }
  return found;
}

export async function startRedis(): Promise<BenchRedis> {
  const port = await freePort();
  const child: ChildProcess = spawnTracked(redisServerPath(), [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--protected-mode',
    'yes',
    '--daemonize',
    'no',
    '--loglevel',
    'warning',
  ]);
  child.stdout?.resume();
  child.stderr?.resume();
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', () => {}); // connection attempts while redis boots
  for (let attempt = 0; ; attempt++) {
    try {
      await client.connect();
      await client.ping();
      break;
    } catch (e) {
      if (attempt > 50 || child.exitCode !== null) throw new Error(`redis-server did not start: ${String(e)}`);
      client.disconnect();
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const info = await client.info('server');
  const version = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';

  return {
    port,
    version,
    client,
    async usedMemory() {
      const m = /used_memory:(\d+)/.exec(await client.info('memory'));
      if (m === null) throw new Error('INFO memory has no used_memory');
      return Number(m[1]);
    },
    async load(count, onProgress, withTtl = true) {
      const BATCH = 1_000;
      for (let from = 0; from < count; from += BATCH) {
        const pipeline = client.pipeline();
        for (let i = from; i < Math.min(count, from + BATCH); i++) {
          const key = keyOf(i);
          if (key.length !== KEY_BYTES) throw new Error('bad key length');
          if (withTtl) pipeline.set(key, VALUE, 'PX', TTL_MS);
          else pipeline.set(key, VALUE);
        }
        await pipeline.exec();
        onProgress?.(Math.min(count, from + BATCH));
      }
    },
    async stop() {
      client.disconnect();
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    },
  };
}
