import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Tests run the TypeScript sources, not the built dist/: every workspace package exports its src/ under the
 * `@cachette/source` condition (dist/ is the default for everyone else).
 */
const SOURCE_CONDITION = '@cachette/source';
// tsx's ESM hooks only (as the binary used before the build): its full entry also hooks require(), which
// makes every CommonJS dependency (grpc-js, protobufjs, the Momento SDK) ~30 % slower to load.
const tsx = fileURLToPath(import.meta.resolve('tsx/esm'));

export default defineConfig({
  ssr: {
    // Vitest's own default server conditions (Vite's minus `module`), plus ours first.
    resolve: { conditions: [SOURCE_CONDITION, 'node', 'development|production'] },
  },
  test: {
    include: [
      'test/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
      'fuzz/test/**/*.test.ts',
      'bench/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: {
      // Binaries the tests spawn (`cachette …` through packages/cli/bin/cachette.js) run the sources too,
      // through tsx's ESM loader. A test of the compiled output (compiled-binary.test.ts) clears this for its child.
      NODE_OPTIONS: [process.env.NODE_OPTIONS, `--conditions=${SOURCE_CONDITION}`, `--import="${tsx}"`]
        .filter(Boolean)
        .join(' '),
    },
  },
});
