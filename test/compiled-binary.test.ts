/**
 * The `cachette` binary as production runs it: plain `node packages/cli/bin/cachette.js`, compiled dist/
 * only (no TypeScript loader, so no import of a .ts file could succeed), and a TMPDIR that cannot exist —
 * as under the systemd unit of docs/deploy.md (ProtectSystem=strict) or in a read-only container, where
 * the former tsx-based binary crashed creating its transpile cache.
 */
import { spawn } from 'node:child_process';
import { CacheClient } from '@cachette/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertBuilt,
  BIN,
  exitOf,
  productionEnv,
  ROOT,
  readJson,
  startCompiledServer,
  unusableTmpdir,
} from './support/build.ts';

const tmp = unusableTmpdir();
const env = productionEnv({ TMPDIR: tmp.path, TMP: tmp.path, TEMP: tmp.path });

beforeAll(() => assertBuilt());
afterAll(() => tmp.remove());

describe('compiled cachette binary with an unusable TMPDIR', () => {
  it('--version prints the version and exits 0', async () => {
    const child = spawn(process.execPath, [BIN, '--version'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const code = await exitOf(child);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toBe(`${readJson<{ version: string }>(`${ROOT}/package.json`).version}\n`);
  });

  it('server start becomes ready, serves a cache round trip, and stops cleanly on SIGTERM', async () => {
    const server = await startCompiledServer(env);
    try {
      const client = new CacheClient({ apiKey: server.devApiKey, defaultTtlSeconds: 60 });
      expect(client.baseUrl).toBe(server.httpUrl);
      expect((await client.createCache('compiled')).type).toBe('Success');
      expect((await client.set('compiled', 'k', 'from dist')).type).toBe('Success');
      const got = await client.get('compiled', 'k');
      expect(got.type === 'Hit' && got.valueString()).toBe('from dist');
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(server.lines.join('\n')).toContain('cachette stopped');
  });
});
