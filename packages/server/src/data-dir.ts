/**
 * @module data-dir
 * The server's data directory: created on first start (mode 0700), locked while a server uses it, and
 * home of `metadata.db` and `dev-api-key`.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { CacheError, ErrorCode } from '@cachette/core';

/** A held data-directory lock; `release()` removes the lock file. */
export interface DataDirLock {
  readonly path: string;
  release(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else; it still holds the directory.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Creates `dir` if needed and takes its lock file. Throws UNAVAILABLE naming the other process when a
 * live server holds it; a lock left by a crashed server (dead pid) is taken over.
 */
export function lockDataDir(dir: string): DataDirLock {
  const abs = resolve(dir);
  // A file where the directory should be is a wrong setting (exit 2), not an outage.
  if (existsSync(abs) && !statSync(abs).isDirectory()) {
    throw new CacheError(
      ErrorCode.INVALID_ARGUMENT,
      `--data-dir ${abs} is a file, not a directory: pass a directory (it is created when missing)`,
    );
  }
  try {
    mkdirSync(abs, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new CacheError(ErrorCode.UNAVAILABLE, `cannot create data directory ${abs}: ${(e as Error).message}`);
  }
  const path = join(abs, 'server.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return {
        path,
        release: () => {
          try {
            unlinkSync(path);
          } catch {
            // Already gone: nothing to release.
          }
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new CacheError(ErrorCode.UNAVAILABLE, `cannot lock data directory ${abs}: ${(e as Error).message}`);
      }
      const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
        throw new CacheError(
          ErrorCode.UNAVAILABLE,
          `data directory ${abs} is in use by another Cachette server (pid ${pid}); stop it or start with another --data-dir`,
        );
      }
      // Stale lock from a server that died without cleaning up.
      unlinkSync(path);
    }
  }
  throw new CacheError(ErrorCode.UNAVAILABLE, `cannot lock data directory ${abs}: another server raced for it`);
}

/** Path of the file holding the local account's API key. */
export function devApiKeyPath(dir: string): string {
  return join(resolve(dir), 'dev-api-key');
}

/** Writes the local account's key with mode 0600 (owner-only). */
export function writeDevApiKey(dir: string, key: string): string {
  const path = devApiKeyPath(dir);
  writeFileSync(path, `${key}\n`, { mode: 0o600 });
  return path;
}

/** Reads the local account's key, or `undefined` when the file is missing. */
export function readDevApiKey(dir: string): string | undefined {
  try {
    return readFileSync(devApiKeyPath(dir), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
