/**
 * `@cachette/sdk` as a consumer gets it: `npm pack` of the SDK and of every workspace package it depends on,
 * extracted into a temporary project's node_modules (third-party dependencies linked from this workspace,
 * so no registry is needed), then imported by plain `node` — no TypeScript loader, no workspace links — and
 * type-checked by `tsc` as a browser project (DOM lib, no Node types) and as a Node project.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertBuilt,
  type CompiledServer,
  type PackageJson,
  productionEnv,
  ROOT,
  readJson,
  startCompiledServer,
  unusableTmpdir,
  type WorkspacePackage,
  workspaceDependencies,
  workspacePackages,
} from './support/build.ts';

/** What `npm pack --json` reports for one package. */
interface PackResult {
  readonly name: string;
  readonly filename: string;
  readonly files: ReadonlyArray<{ readonly path: string }>;
}

const work = mkdtempSync(join(tmpdir(), 'cachette-packed-sdk-'));
const project = join(work, 'project');
const all = workspacePackages();
const sdk = all.find((p) => p.json.name === '@cachette/sdk')!;
/** The SDK and, transitively, every workspace package it needs at run time. */
const closure: WorkspacePackage[] = [];
for (const queue = [sdk]; queue.length > 0; ) {
  const next = queue.shift()!;
  if (closure.includes(next)) continue;
  closure.push(next);
  queue.push(...workspaceDependencies(next, all));
}
const packed = new Map<string, PackResult>();
let server: CompiledServer;

function run(command: string, args: readonly string[], cwd: string): string {
  // productionEnv: npm and node must not inherit the test runner's TypeScript loader.
  return execFileSync(command, args, {
    cwd,
    env: productionEnv(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Links a third-party dependency into the project from this workspace's install. */
function linkFromWorkspace(name: string): void {
  const target = join(project, 'node_modules', name);
  if (existsSync(target)) return;
  const source = join(ROOT, 'node_modules', name);
  expect({ dependency: name, installedInWorkspace: existsSync(source) }).toEqual({
    dependency: name,
    installedInWorkspace: true,
  });
  mkdirSync(dirname(target), { recursive: true });
  symlinkSync(realpathSync(source), target, 'dir');
}

beforeAll(async () => {
  assertBuilt();
  for (const pkg of closure) {
    const [result] = JSON.parse(
      run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], pkg.dir),
    ) as PackResult[];
    packed.set(pkg.json.name, result!);
  }
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  for (const result of packed.values()) {
    const into = join(project, 'node_modules', result.name);
    mkdirSync(into, { recursive: true });
    run('tar', ['-xzf', join(work, result.filename), '-C', into, '--strip-components=1'], work);
  }
  for (const result of packed.values()) {
    const json = readJson<PackageJson>(join(project, 'node_modules', result.name, 'package.json'));
    for (const dep of Object.keys(json.dependencies ?? {})) if (!packed.has(dep)) linkFromWorkspace(dep);
  }
  server = await startCompiledServer(productionEnv());
});

afterAll(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('npm pack of @cachette/sdk', () => {
  it('ships built ESM and .d.ts for every export, and no sources, tests or build state', () => {
    const files = packed.get('@cachette/sdk')!.files.map((f) => f.path);
    for (const [subpath, entry] of Object.entries(sdk.json.exports ?? {})) {
      if (typeof entry === 'string') throw new Error(`export ${subpath} has no built target: ${entry}`);
      for (const condition of ['types', 'default']) {
        expect({ subpath, condition, packed: files.includes(entry[condition]!.replace(/^\.\//, '')) }).toEqual({
          subpath,
          condition,
          packed: true,
        });
      }
    }
    expect(files).toContain('package.json');
    expect(files).toContain('README.md');
    expect(files.filter((f) => !f.startsWith('dist/') && f !== 'package.json' && f !== 'README.md')).toEqual([]);
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => f.includes('tsbuildinfo'))).toEqual([]);
  });

  it('names each workspace dependency at the version packed with it, publishable when the SDK is', () => {
    for (const pkg of closure) {
      for (const dep of workspaceDependencies(pkg, all)) {
        // Workspace versions are exact: what the SDK names is what an install from the registry fetches.
        expect({ from: pkg.json.name, dep: dep.json.name, wants: pkg.json.dependencies?.[dep.json.name] }).toEqual({
          from: pkg.json.name,
          dep: dep.json.name,
          wants: dep.json.version,
        });
        // A published SDK must not depend on a package that cannot be published.
        if (sdk.json.private !== true)
          expect({ dep: dep.json.name, private: dep.json.private ?? false }).toEqual({
            dep: dep.json.name,
            private: false,
          });
      }
    }
  });

  it('imports with plain node and talks to a real server through both entry points', () => {
    writeFileSync(
      join(project, 'check.mjs'),
      `import { CacheClient, CacheGet, CachetteError, ErrorCode } from '@cachette/sdk';
import { CacheClient as NodeCacheClient } from '@cachette/sdk/node';
const apiKey = process.argv[2];
const client = new CacheClient({ apiKey, defaultTtlSeconds: 60 });
const created = await client.createCache('packed');
const set = await client.set('packed', 'k', 'from the tarball');
const hit = await client.get('packed', 'k');
const miss = await client.get('packed', 'absent');
const fromEnv = new NodeCacheClient({ env: { CACHETTE_API_KEY: apiKey }, home: process.cwd() });
const viaNode = await fromEnv.get('packed', 'k');
console.log(JSON.stringify({
  resolved: [import.meta.resolve('@cachette/sdk'), import.meta.resolve('@cachette/sdk/node')],
  created: created.type, set: set.type,
  hit: hit instanceof CacheGet.Hit && hit.valueString(),
  miss: miss.type,
  viaNode: viaNode.type === 'Hit' && viaNode.valueString(),
  errorCodes: typeof ErrorCode === 'object' && typeof CachetteError === 'function',
}));
`,
    );
    const tmp = unusableTmpdir();
    try {
      const out = execFileSync(process.execPath, ['check.mjs', server.devApiKey], {
        cwd: project,
        env: productionEnv({ TMPDIR: tmp.path }),
        encoding: 'utf8',
      });
      const sdkDir = realpathSync(join(project, 'node_modules/@cachette/sdk'));
      expect(JSON.parse(out)).toEqual({
        resolved: [`file://${sdkDir}/dist/index.js`, `file://${sdkDir}/dist/node.js`],
        created: 'Success',
        set: 'Success',
        hit: 'from the tarball',
        miss: 'Miss',
        viaNode: 'from the tarball',
        errorCodes: true,
      });
    } finally {
      tmp.remove();
    }
  });

  it('the main entry reaches no Node built-in module, through any packed package', () => {
    const builtins = new Set(builtinModules);
    const seen = new Set<string>();
    const offending: string[] = [];
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const [, spec] of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g)) {
        if (spec === undefined) continue;
        if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
        else if (packed.has(spec)) visit(packageEntry(spec));
        else if (spec.startsWith('node:') || builtins.has(spec)) offending.push(`${file}: ${spec}`);
      }
    };
    visit(packageEntry('@cachette/sdk'));
    expect(seen.size).toBeGreaterThan(10);
    expect(offending).toEqual([]);
  });

  it('type-checks in a browser project (DOM, no Node types) and in a Node project', () => {
    // The expect-error directives below prove the declarations are real types: were they missing or unresolvable,
    // everything would be `any` and each unused directive would itself be the error.
    writeFileSync(
      join(project, 'browser.ts'),
      `import { CacheClient, CacheGet } from '@cachette/sdk';
export async function read(client: CacheClient): Promise<string | undefined> {
  const got = await client.get('cache', 'key');
  return got instanceof CacheGet.Hit ? got.valueString() : undefined;
}
// @ts-expect-error get() needs a key
export const missingKey = (client: CacheClient) => client.get('cache');
`,
    );
    writeFileSync(
      join(project, 'node.ts'),
      `import { CacheClient } from '@cachette/sdk/node';
export const client = new CacheClient({ env: process.env });
// @ts-expect-error the TTL is a number of seconds
export const badTtl = new CacheClient({ defaultTtlSeconds: '60' });
`,
    );
    // Declarations of the packed packages are checked (skipLibCheck: false) in the browser project; the
    // standard library's and @types/node's are not ours to check, and checking them takes most of the time.
    const base = { strict: true, module: 'nodenext', target: 'es2022', noEmit: true, skipDefaultLibCheck: true };
    const configs = {
      'tsconfig.browser.json': {
        compilerOptions: { ...base, lib: ['es2023', 'dom'], types: [], skipLibCheck: false },
        files: ['browser.ts'],
      },
      'tsconfig.node.json': {
        compilerOptions: { ...base, lib: ['es2023'], types: ['node'], skipLibCheck: true },
        files: ['node.ts'],
      },
    };
    linkFromWorkspace('@types/node');
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    for (const [name, config] of Object.entries(configs)) {
      writeFileSync(join(project, name), JSON.stringify(config));
      let output = '';
      try {
        run(process.execPath, [tsc, '-p', name], project);
      } catch (err) {
        output = String((err as { stdout?: string }).stdout ?? err);
      }
      expect({ config: name, errors: output }).toEqual({ config: name, errors: '' });
    }
  }, 180_000);
});

/** The file a packed package's "." export runs (its `default` condition). */
function packageEntry(name: string): string {
  const dir = join(project, 'node_modules', name);
  const entry = readJson<PackageJson>(join(dir, 'package.json')).exports?.['.'];
  const target = typeof entry === 'string' ? entry : entry?.default;
  if (target === undefined) throw new Error(`${name} has no "." export`);
  return join(dir, target);
}
