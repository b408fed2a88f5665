import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { tuneGarbageCollector } from '../src/gc-tuning.ts';

const PRETENURING = '--no-allocation-site-pretenuring';
const GROWING = '--heap-growing-percent=20';

describe('tuneGarbageCollector', () => {
  it('leaves each setting given on the command line or in NODE_OPTIONS alone', () => {
    const grpcServer = 'grpc-js';
    expect(
      tuneGarbageCollector({
        grpcServer,
        execArgv: ['--heap-growing-percent=50', '--allocation-site-pretenuring'],
        nodeOptions: '',
      }),
    ).toEqual([]);
    expect(
      tuneGarbageCollector({
        grpcServer,
        execArgv: [],
        nodeOptions: '--max-old-space-size=4096 --heap_growing_percent=35 --no-allocation_site_pretenuring',
      }),
    ).toEqual([]);
    expect(
      tuneGarbageCollector({
        grpcServer,
        execArgv: ['--heap-growing-percent', '50', '--noallocation-site-pretenuring'],
        nodeOptions: '',
      }),
    ).toEqual([]);
  });

  it('sets the flags that suit each gRPC server in a real process (the server start path), which V8 accepts', () => {
    // Child processes, so this test process's own GC settings stay as they were. V8 does not throw on a flag
    // it does not know: it prints "unrecognized flag" to stderr, which is what would show a renamed flag.
    const run = (grpcServer: string) => {
      const child = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          '--input-type=module',
          '-e',
          `import { tuneGarbageCollector } from ${JSON.stringify(new URL('../src/gc-tuning.ts', import.meta.url).href)};
           const applied = tuneGarbageCollector({ grpcServer: ${JSON.stringify(grpcServer)} });
           const again = tuneGarbageCollector({ grpcServer: 'grpc-js', execArgv: ['--heap-growing-percent=20'] });
           console.log(JSON.stringify({ applied, again }));`,
        ],
        { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } },
      );
      expect(child.stderr).not.toMatch(/unrecognized flag|Try --help/);
      return JSON.parse(child.stdout.trim()) as unknown;
    };
    // Our own HTTP/2 server: V8's own heap growth (20 % would keep incremental marking running).
    expect(run('cachette')).toEqual({ applied: [PRETENURING], again: [PRETENURING] });
    expect(run('grpc-js')).toEqual({ applied: [PRETENURING, GROWING], again: [PRETENURING] });
  });
});
