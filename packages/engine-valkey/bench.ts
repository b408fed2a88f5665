/**
 * @module bench
 * Rough ValkeyEngine throughput: `concurrency` callers each looping get/set (1:1) on 16-byte keys and
 * 100-byte values for `seconds`, against `--url` (default the local Redis) or a throwaway 3-master
 * cluster (`--cluster`). Prints ops/s. Not part of `npm run bench`; a quick check of the engine alone.
 *
 * @example
 * node --import tsx packages/engine-valkey/bench.ts --cluster --seconds 5 --concurrency 64
 */

import { parseArgs } from 'node:util';
import { deleteKeysMatching, startRedisCluster } from '@cachette/testing';
import { ValkeyEngine } from './src/index.ts';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'redis://127.0.0.1:6379' },
    cluster: { type: 'boolean', default: false },
    seconds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '64' },
  },
});

const cluster = values.cluster ? await startRedisCluster() : undefined;
const engine = await ValkeyEngine.connect({
  url: cluster?.url ?? values.url,
  keyPrefix: `cachette-bench-${process.pid}:`,
  statsIntervalMs: 0,
});
try {
  await engine.createNamespace('bench');
  const keys = Array.from({ length: 10_000 }, (_, i) => Buffer.from(`key-${String(i).padStart(12, '0')}`));
  const value = Buffer.alloc(100, 0x61);
  const deadline = Date.now() + Number(values.seconds) * 1000;
  let ops = 0;
  const worker = async (w: number): Promise<void> => {
    for (let i = w; Date.now() < deadline; i += 7) {
      const key = keys[i % keys.length]!;
      await engine.set('bench', key, value, 60_000);
      await engine.get('bench', key);
      ops += 2;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: Number(values.concurrency) }, (_, w) => worker(w)));
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `${cluster ? '3-master cluster' : values.url}: ${Math.round(ops / seconds)} ops/s (get+set, concurrency ${values.concurrency})`,
  );
} finally {
  await deleteKeysMatching(engine.client, engine.layout.pattern);
  await engine.close();
  await cluster?.stop();
}
