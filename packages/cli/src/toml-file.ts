/**
 * @module toml-file
 * Reading and updating the small TOML files under `~/.cachette` without losing what the user wrote in
 * them. `@decimalturn/toml-patch` is used because it patches the original text (comments, blank lines,
 * key order and unknown keys survive) instead of re-serialising a parsed object as `@iarna/toml` or
 * `smol-toml` do; it also reports parse errors with a line and column.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CacheError, ErrorCode } from '@cachette/core';
import { parse, patch } from '@decimalturn/toml-patch';

/** A parsed TOML document: top-level tables by name. */
export type TomlTables = Record<string, Record<string, unknown>>;

/** A TOML file as read from disk: its original text (empty when absent) and its parsed tables. */
export interface TomlFile {
  readonly path: string;
  readonly exists: boolean;
  readonly text: string;
  readonly tables: TomlTables;
}

/**
 * Reads and parses `path`. A missing file reads as empty. Malformed TOML throws a {@link CacheError}
 * (`INVALID_ARGUMENT`) naming the file, line and column, so nothing downstream ever overwrites it.
 */
export function readTomlFile(path: string): TomlFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { path, exists: false, text: '', tables: {} };
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, `cannot read ${path}: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = parse(text, { integersAsBigInt: false });
  } catch (e) {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, describeParseError(path, e));
  }
  const tables: TomlTables = {};
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      tables[name] = value as Record<string, unknown>;
    }
  }
  return { path, exists: true, text, tables };
}

/** `PATH:LINE:COL: reason; fix`, from toml-patch's multi-line message (`Error parsing TOML (l, c):\n…\nreason`). */
function describeParseError(path: string, e: unknown): string {
  const err = e as { message?: string; line?: number; column?: number };
  const lines = (err.message ?? String(e)).split('\n');
  const reason = lines[lines.length - 1]?.trim() || 'invalid TOML';
  // toml-patch reports 1-based lines and 0-based columns.
  const where =
    typeof err.line === 'number' ? `:${err.line}${typeof err.column === 'number' ? `:${err.column + 1}` : ''}` : '';
  return `${path}${where}: invalid TOML: ${reason}; fix that line (or move the file aside) and run the command again`;
}

/**
 * Sets `values` in table `table` of `file` (other tables and keys untouched) and returns the new text.
 * Comments and formatting elsewhere in the file are preserved.
 */
export function withTableValues(file: TomlFile, table: string, values: Record<string, unknown>): string {
  const updated: TomlTables = structuredClone(file.tables);
  updated[table] = { ...(updated[table] ?? {}), ...values };
  const text = patch(file.text, updated);
  return text.endsWith('\n') ? text : `${text}\n`;
}

/**
 * Writes `text` to `path` atomically (temp file + rename, so a crash never leaves half a file), creating
 * the directory with mode 0700 and the file with `mode`.
 */
export function writeFileAtomic(path: string, text: string, mode: number): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  // writeFileSync's mode is masked by the umask and ignored for existing files: set it explicitly.
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}
