/**
 * Data directory, local account bootstrap, restarts, secrets in logs, and the `cachette server start`
 * process itself (real child process, real signals).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { CacheError, decodeApiKey, ErrorCode, encodeApiKey } from '@cachette/core';
import { createLogger, createServerFromSettings } from '@cachette/server';
import { CacheGetResponse, ListCachesResponse } from '@gomomento/sdk';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { boot, sdkClient, uniqueName } from './support/boot.ts';

const secretOf = (key: string) => decodeApiKey(key)?.secret ?? '';
const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'cachette-life-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('data directory', () => {
  it('first start writes dev-api-key with mode 0600 and a key for the local account', async () => {
    const b = await boot({ dataDir: tempDir() });
    try {
      const path = join(b.dataDir, 'dev-api-key');
      expect(statSync(path).mode & 0o777).toBe(0o600);
      const key = readFileSync(path, 'utf8').trim();
      expect(key).toBe(b.server.devApiKey);
      expect(decodeApiKey(key)?.endpoint).toBe(b.server.grpcAddress);
    } finally {
      await b.stop();
    }
  });

  it('a second server on a locked data dir fails with UNAVAILABLE naming the other pid', async () => {
    const dataDir = tempDir();
    const b = await boot({ dataDir });
    try {
      const second = createServerFromSettings({ dataDir, port: 0, logger: createLogger('silent') });
      await expect(second).rejects.toThrow(`in use by another Cachette server (pid ${process.pid})`);
      await expect(second).rejects.toMatchObject({ code: ErrorCode.UNAVAILABLE });
    } finally {
      await b.stop();
    }
  });

  it('a lock left by a dead process is taken over', async () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, 'server.lock'), '999999999\n');
    const b = await boot({ dataDir });
    await b.stop();
    expect(existsSync(join(dataDir, 'server.lock'))).toBe(false);
  });

  it('a corrupt metadata.db fails with a clear error, leaves the file alone and releases the lock', async () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, 'metadata.db'), 'this is not sqlite'.repeat(100));
    const start = createServerFromSettings({ dataDir, port: 0, logger: createLogger('silent') });
    await expect(start).rejects.toBeInstanceOf(CacheError);
    await expect(start).rejects.toThrow('not a valid Cachette metadata database');
    expect(readFileSync(join(dataDir, 'metadata.db'), 'utf8')).toContain('this is not sqlite');
    expect(existsSync(join(dataDir, 'server.lock'))).toBe(false);
  });

  it('a restart keeps caches and the dev key; items of the embedded engine do not survive', async () => {
    const dataDir = tempDir();
    const name = uniqueName();
    const first = await boot({ dataDir });
    const key = first.server.devApiKey;
    await (await first.client()).createCache(name);
    await (await first.client()).set(name, 'k', 'v');
    await first.stop();

    const second = await boot({ dataDir });
    try {
      expect(secretOf(second.server.devApiKey)).toBe(secretOf(key));
      const c = await second.client();
      const list = await c.listCaches();
      expect(list.type === ListCachesResponse.Success && list.getCaches().map((x) => x.getName())).toContain(name);
      expect((await c.get(name, 'k')).type).toBe(CacheGetResponse.Miss);
    } finally {
      await second.stop();
    }
  });
});

describe('secrets', () => {
  it('the API key never appears in the logs, even at trace level', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'trace' }, { write: (s: string) => lines.push(s) });
    const b = await boot({ dataDir: tempDir(), logger });
    try {
      const c = await b.client();
      const name = uniqueName();
      await c.createCache(name);
      await c.set(name, 'k', 'v');
      await (await b.client(encodeApiKey(b.server.grpcAddress, `${secretOf(b.server.devApiKey)}-wrong`))).get(
        name,
        'k',
      );
    } finally {
      await b.stop();
    }
    const secret = decodeApiKey(b.server.devApiKey)?.secret ?? '';
    const all = lines.join('');
    expect(all).toContain('dev-api-key');
    expect(all).not.toContain(secret);
    expect(all).not.toContain(b.server.devApiKey);
  });

  it('the metadata store holds only a hash of the key', async () => {
    const b = await boot({ dataDir: tempDir() });
    await b.stop();
    const db = readFileSync(join(b.dataDir, 'metadata.db'));
    const secret = decodeApiKey(b.server.devApiKey)?.secret ?? 'x';
    expect(db.includes(Buffer.from(secret))).toBe(false);
  });
});

const BIN = resolve(import.meta.dirname, '../../cli/bin/cachette.js');

/** Starts `cachette server start` and resolves once it logs the ready line. */
function startCli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, 'server', 'start', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const ready = new Promise<{ port: number }>((resolveReady, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const m = /cachette ready on [^:]+:(\d+)/.exec(line);
      if (m) resolveReady({ port: Number(m[1]) });
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code} before ready: ${stderr}`)));
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, ready, exited, lines, stderr: () => stderr };
}

function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  child.kill(signal);
}

describe('cachette server start (child process)', () => {
  it('starts from CACHETTE_* environment, serves, and stops gracefully on SIGTERM releasing the lock', async () => {
    const dataDir = tempDir();
    const s = startCli([], { CACHETTE_PORT: '0', CACHETTE_DATA_DIR: dataDir, CACHETTE_MAX_MEMORY: '64mb' });
    const { port } = await s.ready;
    expect(s.lines.filter((l) => l.includes('cachette ready'))).toHaveLength(1);
    expect(s.lines.join('\n')).toContain('"maxMemoryBytes":67108864');
    const c = await sdkClient(`127.0.0.1:${port}`, readFileSync(join(dataDir, 'dev-api-key'), 'utf8').trim());
    try {
      expect((await c.createCache('cli-cache')).type).toBe('Success');
      expect((await c.set('cli-cache', 'k', 'v')).type).toBe('Success');
    } finally {
      c.close();
    }
    stop(s.child, 'SIGTERM');
    expect(await s.exited).toBe(0);
    expect(s.lines.join('\n')).toContain('cachette stopped');
    expect(existsSync(join(dataDir, 'server.lock'))).toBe(false);
  });

  it('a second server on the same data dir exits with code 5 and one readable line', async () => {
    const dataDir = tempDir();
    const first = startCli(['--port', '0', '--data-dir', dataDir]);
    await first.ready;
    const second = startCli(['--port', '0', '--data-dir', dataDir]);
    await expect(second.ready).rejects.toThrow('exited with 5');
    expect(second.stderr().trim()).toMatch(
      /^cachette: data directory .* is in use by another Cachette server \(pid \d+\)/,
    );
    expect(second.stderr().trim().split('\n')).toHaveLength(1);
    stop(first.child, 'SIGINT');
    expect(await first.exited).toBe(0);
  });

  it('an invalid flag value exits with code 2 and says what was wrong', async () => {
    const s = startCli(['--port', '0', '--data-dir', tempDir(), '--max-memory', 'lots']);
    await expect(s.ready).rejects.toThrow('exited with 2');
    expect(s.stderr()).toContain("max memory 'lots' is not a size");
  });
});
