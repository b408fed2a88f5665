/**
 * `@cachette/core` ships to browsers and edge runtimes inside the SDK: it must declare no dependencies and
 * import nothing but its own files (no `node:` modules, no packages).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';

const root = join(import.meta.dirname, '..');

test('package.json declares no dependencies', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  expect(pkg.dependencies ?? {}).toEqual({});
  expect(pkg.peerDependencies).toBeUndefined();
});

test('sources import only relative files', () => {
  const src = join(root, 'src');
  const specifiers = readdirSync(src).flatMap((f) =>
    [...readFileSync(join(src, f), 'utf8').matchAll(/\bfrom\s+'([^']+)'/g)].map((m) => m[1] ?? ''),
  );
  expect(specifiers.length).toBeGreaterThan(0);
  expect(specifiers.filter((s) => !s.startsWith('./'))).toEqual([]);
  for (const f of readdirSync(src)) expect(readFileSync(join(src, f), 'utf8')).not.toMatch(/\bBuffer\b|\bprocess\./);
});
