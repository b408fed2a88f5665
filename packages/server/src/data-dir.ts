/**
 * @module data-dir
 * The server's data directory: created on first start (mode 0700), checked at every start, locked while a
 * server uses it, and home of `metadata.db`, `dev-api-key`, `outbox/` and `server.lock`.
 *
 * The directory holds the local full-access key and every e-mailed key, so it trusts nothing it finds:
 * it must belong to the user running the server and be writable by nobody else (otherwise anyone who can
 * write there could plant a symlink or swap a file); no entry of it is ever followed as a symbolic link;
 * every file is created 0600 with `O_EXCL | O_NOFOLLOW`, and files left readable by others are tightened.
 */
import {
  chmodSync,
  closeSync,
  constants,
  existsSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  realpathSync,
  renameSync,
  type Stats,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { CacheError, ErrorCode } from '@cachette/core';

/** A held data-directory lock; `release()` removes the lock file. */
export interface DataDirLock {
  readonly path: string;
  release(): void;
  /** Entries whose modes were too open and were tightened at start (for a warning in the log). */
  readonly tightened: readonly string[];
}

/** Entries the server creates in its data directory, with the mode each must have. */
const ENTRIES: ReadonlyArray<readonly [name: string, mode: number]> = [
  ['metadata.db', 0o600],
  ['metadata.db-wal', 0o600],
  ['metadata.db-shm', 0o600],
  ['metadata.db-journal', 0o600],
  ['dev-api-key', 0o600],
  ['server.lock', 0o600],
  ['outbox', 0o700],
];

// Flags for creating a file that must not exist yet and must not be reached through a link.
const CREATE_PRIVATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
const READ_NOFOLLOW = constants.O_RDONLY | constants.O_NOFOLLOW;

function unavailable(message: string): CacheError {
  return new CacheError(ErrorCode.UNAVAILABLE, message);
}

function currentUid(): number | undefined {
  // No uids on Windows: ownership cannot be checked there.
  return typeof process.getuid === 'function' ? process.getuid() : undefined;
}

/** Throws unless `st` (of `path`) belongs to this user. */
function assertOwned(path: string, st: Stats, what: string): void {
  const uid = currentUid();
  if (uid !== undefined && st.uid !== uid) {
    throw unavailable(
      `${what} ${path} is owned by uid ${st.uid}, not by the user running the server (uid ${uid}); ` +
        `fix it with \`chown -R ${uid} ${path}\` or start with another --data-dir`,
    );
  }
}

/**
 * Creates `dir` (0700) if needed and checks it: a directory, owned by this user, not group- or
 * world-writable. Known entries must not be symbolic links and must be owned by this user; modes that let
 * others read them are tightened. Throws UNAVAILABLE with a message saying how to fix what it refuses.
 * Returns the absolute, link-resolved path and the entries it tightened.
 */
export function checkDataDir(dir: string): { readonly path: string; readonly tightened: string[] } {
  const requested = resolve(dir);
  // A file where the directory should be is a wrong setting (exit 2), not an outage.
  if (existsSync(requested) && !statSync(requested).isDirectory()) {
    throw new CacheError(
      ErrorCode.INVALID_ARGUMENT,
      `--data-dir ${requested} is a file, not a directory: pass a directory (it is created when missing)`,
    );
  }
  try {
    mkdirSync(requested, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw unavailable(`cannot create data directory ${requested}: ${(e as Error).message}`);
  }
  // The directory itself may be reached through a link the operator made (e.g. onto another disk); what
  // matters is the directory it resolves to.
  const abs = realpathSync(requested);
  const st = statSync(abs);
  if (!st.isDirectory()) throw unavailable(`data directory ${abs} is not a directory`);
  assertOwned(abs, st, 'data directory');
  if ((st.mode & 0o022) !== 0) {
    throw unavailable(
      `data directory ${abs} is writable by other users (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}), ` +
        `so they could replace the files holding API keys; fix it with \`chmod 700 ${abs}\``,
    );
  }
  const tightened: string[] = [];
  for (const [name, mode] of ENTRIES) {
    const path = join(abs, name);
    let entry: Stats;
    try {
      entry = lstatSync(path);
    } catch {
      continue; // not there yet: created 0600 when needed
    }
    if (entry.isSymbolicLink()) {
      throw unavailable(
        `${path} is a symbolic link; the server never follows links in its data directory (it could overwrite ` +
          `the link's target with an API key): remove it with \`rm ${path}\``,
      );
    }
    assertOwned(path, entry, 'data directory entry');
    if (name === 'outbox' ? !entry.isDirectory() : !entry.isFile()) {
      throw unavailable(`${path} is not a ${name === 'outbox' ? 'directory' : 'regular file'}; remove it`);
    }
    if ((entry.mode & 0o777 & ~mode) !== 0) {
      chmodSync(path, mode);
      tightened.push(path);
    }
  }
  return { path: abs, tightened };
}

/**
 * Creates `path` empty with mode 0600 unless it exists. Never follows a link: a symbolic link at `path`
 * fails with UNAVAILABLE. Used before SQLite opens `metadata.db` (SQLite would create it 0644 under the
 * usual umask; its `-wal` and `-shm` files copy the database file's mode).
 */
export function ensurePrivateFile(path: string): void {
  try {
    closeSync(openSync(path, CREATE_PRIVATE, 0o600));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw unavailable(`cannot create ${path}: ${(e as Error).message}`);
    }
    if (lstatSync(path).isSymbolicLink()) {
      throw unavailable(`${path} is a symbolic link; the server never follows links there: remove it`);
    }
  }
}

/**
 * Ensures `dir` is a directory of this user that nobody else can enter (creating it 0700), never through
 * a link. Throws UNAVAILABLE otherwise. Used for the e-mail outbox before every message.
 */
export function ensurePrivateDir(dir: string): void {
  try {
    // recursive: no error when it exists, including as a link, which the lstat below refuses.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw unavailable(`cannot create ${dir}: ${(e as Error).message}`);
  }
  const st = lstatSync(dir);
  if (st.isSymbolicLink() || !st.isDirectory()) {
    throw unavailable(`${dir} is not a directory (a symbolic link or a file); remove it`);
  }
  assertOwned(dir, st, 'directory');
  if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

/**
 * Writes `content` to a new file `path` with mode 0600; never through a link and never into an existing
 * file (EEXIST fails).
 */
export function writePrivateFile(path: string, content: string): void {
  const fd = openSync(path, CREATE_PRIVATE, 0o600);
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
}

/** Reads a small file without following a link; `undefined` when it is missing or a link. */
function readNoFollow(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, READ_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(Math.min(size, 64 * 1024));
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
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
 * Creates `dir` if needed, checks it ({@link checkDataDir}) and takes its lock file. Throws UNAVAILABLE
 * naming the other process when a live server holds it; a lock left by a crashed server (dead pid) is
 * taken over.
 */
export function lockDataDir(dir: string): DataDirLock {
  const { path: abs, tightened } = checkDataDir(dir);
  const path = join(abs, 'server.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writePrivateFile(path, `${process.pid}\n`);
      return {
        path,
        tightened,
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
        throw unavailable(`cannot lock data directory ${abs}: ${(e as Error).message}`);
      }
      const pid = Number.parseInt((readNoFollow(path) ?? '').trim(), 10);
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
        throw unavailable(
          `data directory ${abs} is in use by another Cachette server (pid ${pid}); stop it or start with another --data-dir`,
        );
      }
      // Stale lock from a server that died without cleaning up.
      unlinkSync(path);
    }
  }
  throw unavailable(`cannot lock data directory ${abs}: another server raced for it`);
}

/** Path of the file holding the local account's API key. */
export function devApiKeyPath(dir: string): string {
  return join(resolve(dir), 'dev-api-key');
}

/**
 * Writes the local account's key with mode 0600 (owner-only): into a fresh temporary file, renamed over
 * `dev-api-key`. A rename replaces a link instead of writing through it, so a planted link never makes
 * the server overwrite its target.
 */
export function writeDevApiKey(dir: string, key: string): string {
  const path = devApiKeyPath(dir);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    unlinkSync(tmp);
  } catch {
    // Usually absent; a leftover from a crash is replaced.
  }
  writePrivateFile(tmp, `${key}\n`);
  renameSync(tmp, path);
  return path;
}

/** Reads the local account's key, or `undefined` when the file is missing (or is a link, never followed). */
export function readDevApiKey(dir: string): string | undefined {
  return readNoFollow(devApiKeyPath(dir))?.trim() || undefined;
}
