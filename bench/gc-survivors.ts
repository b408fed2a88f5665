/**
 * @module bench/gc-survivors
 * Diagnostic for issue #19: the young/full GC pattern of a Cachette server under paced Gets, in one process.
 *
 * Runs a server in this process (with `cachette server start`'s GC settings for `--grpc-server`), preloads
 * `--items` items with SetBatch, optionally idles (`--idle-seconds`) and saturates it (`--peak-seconds`, as
 * the bench's latency phase does before pacing), then drives one key's paced Gets (`--op set`: Sets,
 * `--op ping`: Ping) with h2load (`--rps`, one connection, 50 streams, for `--seconds`); `--full-gc-after S`
 * forces one full GC S seconds into the paced part. Run it under `node --trace-gc --import tsx
 * bench/gc-survivors.ts …`, with V8 flags of your own to compare (a flag given on the command line wins over
 * ours), and count the GCs after the printed `paced from <ms>` mark (V8's trace stamps its lines with ms
 * since the isolate started). It runs `@cachette/server`'s built `dist/`: `npm run build` after a change.
 *
 * Session 8 found #19's three causes with it, each making young GCs keep a third or more of what they found
 * and full GCs run every 0.1–1 s under paced load: allocation-site pretenuring (sites tenured during the
 * SetBatch load), `--heap-growing-percent=20` (incremental marking restarted after every full GC), and the
 * HTTP/2 connection's stream `Map` (after one full GC, each obsolete backing table kept the next alive).
 * (V8's sampling heap profiler is no help for such questions: with `includeObjectsCollectedByMinorGC: false`
 * it keeps its samples alive through young GCs, which by itself produces that very pattern.)
 *
 *   node --trace-gc --import tsx bench/gc-survivors.ts [--items 1000000] [--rps 26000] [--seconds 20]
 *        [--op get|set|ping] [--idle-seconds 0] [--peak-seconds 0] [--full-gc-after S]
 *        [--grpc-server cachette|grpc-js] [--max-memory BYTES]
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startLocalServer } from './lib/local-server.ts';
import { RawGrpcClient } from './lib/raw-grpc.ts';
import { encode, paths } from './lib/wire.ts';

const { values: flags } = parseArgs({
  options: {
    items: { type: 'string', default: '1000000' },
    rps: { type: 'string', default: '26000' },
    op: { type: 'string', default: 'get' },
    'idle-seconds': { type: 'string', default: '0' },
    'full-gc-after': { type: 'string' },
    seconds: { type: 'string', default: '20' },
    'max-memory': { type: 'string' },
    'peak-seconds': { type: 'string', default: '0' },
    'grpc-server': { type: 'string', default: 'cachette' },
  },
});

const { server, dataDir, stop } = await startLocalServer(
  {
    grpcServer: flags['grpc-server'] === 'grpc-js' ? 'grpc-js' : 'cachette',
    ...(flags['max-memory'] === undefined ? {} : { maxMemoryBytes: Number(flags['max-memory']) }),
  },
  'cachette-gc-',
);
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

const isSet = flags.op === 'set';
const isPing = flags.op === 'ping';
const bodyFile = join(dataDir, 'body.bin');
writeFileSync(bodyFile, isPing ? Buffer.alloc(5) : isSet ? encode.set(KEY) : encode.get(KEY));
const path = isPing ? '/cache_client.Ping/Ping' : isSet ? paths.set : paths.get;
const h2loadRun = (seconds: string, rps: string[]) =>
  new Promise<void>((resolve) => {
    const h2load = spawn(
      'h2load',
      [
        ...['-t', '1', '-c', '1', '-m', '50', '-D', `${seconds}s`, '-d', bodyFile],
        ...['-H', 'cache: bench', '-H', 'content-type: application/grpc', '-H', 'te: trailers'],
        ...['-H', `authorization: ${secret}`, ...rps, `http://${address}${path}`],
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
// An idle server (as the bench's is while it loads Redis) lets V8's memory reducer shrink the heap first.
await new Promise((resolve) => setTimeout(resolve, Number(flags['idle-seconds']) * 1000));
if (flags['peak-seconds'] !== '0') {
  await h2loadRun(flags['peak-seconds'], []);
  process.stdout.write('--- paced ---\n');
}
// --trace-gc stamps its lines with ms since the isolate started, ≈ performance.now(): where the paced part begins.
process.stdout.write(`paced from ${Math.round(performance.now())} ms\n`);
// One forced full GC mid-run (`--full-gc-after S`): what a full GC under load leaves behind (it promotes
// every live young object, e.g. a busy connection's current stream table).
const fullGcAfter = flags['full-gc-after'];
const fullGcTimer =
  fullGcAfter === undefined
    ? undefined
    : setTimeout(() => {
        setFlagsFromString('--expose-gc');
        (runInNewContext('gc') as () => void)();
      }, Number(fullGcAfter) * 1000);
await h2loadRun(flags.seconds, ['--rps', String(flags.rps)]);
clearTimeout(fullGcTimer);
await stop(500);
