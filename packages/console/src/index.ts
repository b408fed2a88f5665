/**
 * @module @cachette/console
 * Where the console's files are, for the server to serve at `/console`: the page and stylesheet in
 * `public/`, the browser modules compiled by the project's own `npm run build` into `dist/app/`. Nothing
 * here runs in the browser.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One file of the console: its path under `/console/` and its bytes. */
export interface ConsoleFile {
  readonly path: string;
  readonly contentType: string;
  readonly body: Buffer;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

// This module is at src/index.ts (sources) or dist/index.js (built): the package root is one level up.
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Every file the console serves, read once: `index.html`, `console.css` and `app/*.js`. Empty when the
 * browser modules were not built (`npm run build` makes them).
 */
export function consoleFiles(): ConsoleFile[] {
  const appDir = join(root, 'dist', 'app');
  if (!existsSync(appDir)) return [];
  const files: ConsoleFile[] = [];
  const add = (dir: string, prefix: string) => {
    for (const name of readdirSync(dir)) {
      const ext = name.slice(name.lastIndexOf('.'));
      const type = TYPES[ext];
      if (type === undefined) continue;
      files.push({ path: `${prefix}${name}`, contentType: type, body: readFileSync(join(dir, name)) });
    }
  };
  add(join(root, 'public'), '');
  add(appDir, 'app/');
  return files;
}
