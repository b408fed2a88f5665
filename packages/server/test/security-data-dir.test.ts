/**
 * Issue 14, finding 2: the data directory trusts nothing it finds. Files are created 0600 and never through
 * a link; a directory writable or owned by someone else is refused with a message saying how to fix it.
 */
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode } from '@cachette/core';
import { createLogger, createServerFromSettings } from '@cachette/server';
import { afterEach, describe, expect, it } from 'vitest';
import { boot, uniqueName } from './support/boot.ts';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'cachette-sec-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const start = (dataDir: string) => createServerFromSettings({ dataDir, port: 0, logger: createLogger('silent') });
const modeOf = (path: string) => lstatSync(path).mode & 0o777;

describe('data directory hardening', () => {
  it('a fresh data dir gets metadata.db, its -wal/-shm, dev-api-key and server.lock all 0600', async () => {
    const b = await boot({ dataDir: join(tempDir(), 'fresh') });
    try {
      await b.server.service.createCache(
        {
          accountId: b.server.localAccountId,
          keyId: null,
          scope: { kind: 'all' },
          access: 'readWrite',
          canManage: true,
          expiresAtMs: null,
        },
        uniqueName(),
      );
      expect(modeOf(b.dataDir)).toBe(0o700);
      for (const name of ['metadata.db', 'metadata.db-wal', 'metadata.db-shm', 'dev-api-key', 'server.lock']) {
        expect(existsSync(join(b.dataDir, name)), name).toBe(true);
        expect(modeOf(join(b.dataDir, name)), name).toBe(0o600);
      }
    } finally {
      await b.stop();
    }
  });

  it('a dev-api-key symlink is refused at start and its target is not overwritten', async () => {
    const dataDir = tempDir();
    const victim = join(tempDir(), 'victim.txt');
    writeFileSync(victim, 'precious\n', { mode: 0o644 });
    symlinkSync(victim, join(dataDir, 'dev-api-key'));
    const error = await start(dataDir).then(
      async (s) => {
        await s.close();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(error).toMatchObject({ code: ErrorCode.UNAVAILABLE });
    expect(String((error as Error).message)).toContain('is a symbolic link');
    expect(String((error as Error).message)).toContain(`rm ${join(dataDir, 'dev-api-key')}`);
    // The failed start released the lock.
    expect(existsSync(join(dataDir, 'server.lock'))).toBe(false);
  });

  it('an outbox symlink is refused at start and nothing is written into its target', async () => {
    const dataDir = tempDir();
    const elsewhere = tempDir();
    symlinkSync(elsewhere, join(dataDir, 'outbox'));
    await expect(start(dataDir)).rejects.toMatchObject({ code: ErrorCode.UNAVAILABLE });
    await expect(start(dataDir)).rejects.toThrow(/outbox is a symbolic link/);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('an outbox replaced by a symlink while serving: signup answers 503 and writes nothing through it', async () => {
    const b = await boot({ dataDir: tempDir() });
    const elsewhere = tempDir();
    try {
      rmSync(join(b.dataDir, 'outbox'), { recursive: true, force: true });
      symlinkSync(elsewhere, join(b.dataDir, 'outbox'));
      const res = await fetch(`${b.server.httpUrl}/v1/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ provider: 'local', region: 'local', email: 'victim@example.com' }),
      });
      expect(res.status).toBe(503);
      expect(readdirSync(elsewhere)).toEqual([]);
    } finally {
      await b.stop();
    }
  });

  it('a world-writable data dir is refused with a chmod 700 hint', async () => {
    const dataDir = tempDir();
    chmodSync(dataDir, 0o777);
    const attempt = start(dataDir);
    await expect(attempt).rejects.toMatchObject({ code: ErrorCode.UNAVAILABLE });
    await expect(attempt).rejects.toThrow(`writable by other users (mode 0777)`);
    await expect(attempt).rejects.toThrow(`chmod 700 ${dataDir}`);
  });

  it('a group-writable data dir is refused too', async () => {
    const dataDir = tempDir();
    chmodSync(dataDir, 0o770);
    await expect(start(dataDir)).rejects.toThrow(`chmod 700 ${dataDir}`);
  });

  it.skipIf(process.getuid?.() !== 0)('a data dir owned by another user is refused with a chown hint', async () => {
    const dataDir = tempDir();
    chownSync(dataDir, 65534, 65534);
    const attempt = start(dataDir);
    await expect(attempt).rejects.toMatchObject({ code: ErrorCode.UNAVAILABLE });
    await expect(attempt).rejects.toThrow(`owned by uid 65534`);
    await expect(attempt).rejects.toThrow(`chown -R 0 ${dataDir}`);
  });

  it('files left readable by others (metadata.db 0644, outbox 0755) are tightened at start', async () => {
    const dataDir = tempDir();
    const first = await boot({ dataDir });
    await first.stop();
    chmodSync(join(dataDir, 'metadata.db'), 0o644);
    chmodSync(join(dataDir, 'dev-api-key'), 0o644);
    mkdirSync(join(dataDir, 'outbox'), { recursive: true });
    chmodSync(join(dataDir, 'outbox'), 0o755);
    const second = await boot({ dataDir });
    try {
      expect(modeOf(join(dataDir, 'metadata.db'))).toBe(0o600);
      expect(modeOf(join(dataDir, 'dev-api-key'))).toBe(0o600);
      expect(modeOf(join(dataDir, 'outbox'))).toBe(0o700);
    } finally {
      await second.stop();
    }
  });

  it('an .eml in the outbox is 0600 and a regular file', async () => {
    const b = await boot({ dataDir: tempDir() });
    try {
      const res = await fetch(`${b.server.httpUrl}/v1/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ provider: 'local', region: 'local', email: 'someone@example.com' }),
      });
      expect(res.status).toBeLessThan(300);
      const [file] = readdirSync(join(b.dataDir, 'outbox'));
      expect(file).toBeDefined();
      const st = statSync(join(b.dataDir, 'outbox', file ?? ''));
      expect(st.isFile()).toBe(true);
      expect(st.mode & 0o777).toBe(0o600);
    } finally {
      await b.stop();
    }
  });
});
