import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { tuneGarbageCollector } from '../src/gc-tuning.ts';

describe('tuneGarbageCollector', () => {
  it('leaves a --heap-growing-percent given on the command line or in NODE_OPTIONS alone', () => {
    expect(tuneGarbageCollector(['--heap-growing-percent=50'], '')).toBe(false);
    expect(tuneGarbageCollector([], '--max-old-space-size=4096 --heap_growing_percent=35')).toBe(false);
    expect(tuneGarbageCollector(['--heap-growing-percent', '50'], '')).toBe(false);
  });

  it('sets the flag in a real process (the server start path), which V8 accepts', () => {
    // A child process, so this test process's own GC settings stay as they were.
    const out = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `import { tuneGarbageCollector } from ${JSON.stringify(new URL('../src/gc-tuning.ts', import.meta.url).href)};
         const applied = tuneGarbageCollector();
         const again = tuneGarbageCollector(['--heap-growing-percent=20']);
         console.log(JSON.stringify({ applied, again }));`,
      ],
      { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } },
    );
    expect(JSON.parse(out.trim())).toEqual({ applied: true, again: false });
  });
});
