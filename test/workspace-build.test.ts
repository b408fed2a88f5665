/**
 * Every package under packages/ is built the same way, so a new package needs only its own
 * tsconfig.build.json and one line in the root tsconfig.build.json; this names whatever is missing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, workspaceDependencies, workspacePackages } from './support/build.ts';

/** A tsconfig file's JSON, without its `//` comment lines. */
function readTsconfig(path: string): { extends?: string; references?: Array<{ path: string }> } {
  const text = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('//'))
    .join('\n');
  return JSON.parse(text) as { extends?: string; references?: Array<{ path: string }> };
}

const packages = workspacePackages();

describe('workspace build configuration', () => {
  it('the root tsconfig.build.json references every package, and nothing else', () => {
    const refs = (readTsconfig(join(ROOT, 'tsconfig.build.json')).references ?? []).map((r) => r.path).sort();
    expect(refs).toEqual(packages.map((p) => `${p.path}/tsconfig.build.json`).sort());
  });

  it.each(packages.map((p) => [p.path, p] as const))(
    '%s: tsconfig.build.json extends the shared one and references exactly its workspace dependencies',
    (_, pkg) => {
      const config = readTsconfig(join(pkg.dir, 'tsconfig.build.json'));
      expect(config.extends).toBe('../../tsconfig.package.json');
      const refs = (config.references ?? []).map((r) => r.path).sort();
      const deps = workspaceDependencies(pkg, packages).map(
        (d) => `../${d.path.slice('packages/'.length)}/tsconfig.build.json`,
      );
      expect(refs).toEqual(deps.sort());
    },
  );

  it.each(packages.map((p) => [p.path, p] as const))(
    '%s: each built export maps the source condition to src/ and the default to dist/, and dist is packed',
    (_, pkg) => {
      expect(pkg.json.files).toContain('dist');
      const built = Object.entries(pkg.json.exports ?? {}).filter(([, entry]) => typeof entry !== 'string');
      expect(built.length).toBeGreaterThan(0);
      for (const [subpath, entry] of built) {
        if (typeof entry === 'string') continue;
        const source = entry['@cachette/source'];
        const stem = /^\.\/src\/(.+)\.ts$/.exec(source ?? '')?.[1];
        expect({ subpath, source, exists: existsSync(join(pkg.dir, source ?? '-')) }).toEqual({
          subpath,
          source: `./src/${stem}.ts`,
          exists: true,
        });
        // Condition order matters: Node takes the first that matches, so the source condition comes first.
        expect({ subpath, entry }).toEqual({
          subpath,
          entry: { '@cachette/source': source, types: `./dist/${stem}.d.ts`, default: `./dist/${stem}.js` },
        });
        expect(Object.keys(entry)[0]).toBe('@cachette/source');
      }
    },
  );
});
