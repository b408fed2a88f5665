/**
 * @module bench/gc-survivors
 * Diagnostic for issue #19: the young/full GC pattern of a Cachette server under paced Gets, in one process.
 *
 * Runs a server in this process (with `cachette server start`'s GC setting), preloads `--items` items with
 * SetBatch, then drives paced Gets with h2load (`--rps`, one connection, 50 streams, for `--seconds`). Run it
 * under `node --trace-gc --import tsx bench/gc-survivors.ts …` and compare with the bench's latency phase
 * (`BENCH_SERVER_NODE_FLAGS=--trace-gc npm run bench -- --phases latency`).
 *
 * Session 7: here, with 1 000 000 items and 26 k Gets/s for 20 s, young GCs free everything and 2 full GCs
 * run; in the bench's forked server child at the same rate, a full GC runs every ≈ 250 ms and each young GC
 * keeps ≈ 30 % of what was allocated. The difference is what #19 has to find. (V8's sampling heap profiler
 * is no help for this: with `includeObjectsCollectedByMinorGC: false` it keeps its samples alive through
 * young GCs, which by itself produces that very pattern.)
 *
 *   node --trace-gc --import tsx bench/gc-survivors.ts [--items 1000000] [--rps 26000] [--seconds 20]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createServerFromSettings, tuneGarbageCollector } from '@cachette/server';
import { RawGrpcClient } from './lib/raw-grpc.ts';
import { encode, paths } from './lib/wire.ts';

const { values: flags } = parseArgs({
  options: {
    items: { type: 'string', default: '1000000' },
    rps: { type: 'string', default: '26000' },
    seconds: { type: 'string', default: '20' },
    'max-memory': { type: 'string' },
    'peak-seconds': { type: 'string', default: '0' },
    'grpc-server': { type: 'string', default: 'cachette' },
  },
});

const grpcServer = flags['grpc-server'] === 'grpc-js' ? 'grpc-js' : 'cachette';
tuneGarbageCollector({ grpcServer });
const dataDir = mkdtempSync(join(tmpdir(), 'cachette-gc-'));
const server = await createServerFromSettings({
  host: '127.0.0.1',
  port: 0,
  dataDir,
  allowAnonymous: true,
  logLevel: 'silent',
  grpcServer,
  ...(flags['max-memory'] === undefined ? {} : { maxMemoryBytes: Number(flags['max-memory']) }),
});
const address = `127.0.0.1:${server.grpcPort}`;
const secret = JSON.parse(Buffer.from(server.devApiKey, 'base64').toString()).api_key as string;
const KEY = Buffer.from('key-0000000000001');
const client = new RawGrpcClient(address, { authorization: secret, cache: 'bench' });
await client.ok(paths.createCache, encode.createCache('bench'));
await client.ok(paths.set, encode.set(KEY));
for (let i = 0; i < Number(flags.items); i += 1000) {
  const keys = Array.from({ length: 1000 }, (_, j) => Buffer.from(`k-${String(i + j).padStart(14, '0')}`));
  await client.ok(paths.setBatch, encode.setBatch(keys));
}
client.close();
process.stdout.write(`preloaded ${flags.items} items\n`);

const bodyFile = join(dataDir, 'get.bin');
writeFileSync(bodyFile, encode.get(KEY));
const h2loadRun = (seconds: string, rps: string[]) =>
  new Promise<void>((resolve) => {
    const h2load = spawn(
      'h2load',
      [
        ...['-t', '1', '-c', '1', '-m', '50', '-D', `${seconds}s`, '-d', bodyFile],
        ...['-H', 'cache: bench', '-H', 'content-type: application/grpc', '-H', 'te: trailers'],
        ...['-H', `authorization: ${secret}`, ...rps, `http://${address}${paths.get}`],
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    h2load.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    h2load.on('exit', () => {
      process.stdout.write(
        `${out
          .split('\n')
          .filter((l) => /finished in|requests:/.test(l))
          .join('\n')}\n`,
      );
      resolve();
    });
  });
if (flags['peak-seconds'] !== '0') {
  await h2loadRun(flags['peak-seconds'], []);
  process.stdout.write('--- paced ---\n');
}
// --trace-gc stamps its lines with ms since the isolate started, ≈ performance.now(): where the paced part begins.
process.stdout.write(`paced from ${Math.round(performance.now())} ms\n`);
await h2loadRun(flags.seconds, ['--rps', String(flags.rps)]);
await server.close(500);
rmSync(dataDir, { recursive: true, force: true });
