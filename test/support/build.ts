/**
 * @module test/support/build
 * What the tests of the build share: the workspace's packages and their build files, a check that every
 * package's dist/ is at least as new as its sources (these tests exercise dist/, which `npm run build`
 * writes — `npm test` runs it first), an environment for running compiled JavaScript exactly as production
 * does, and the compiled `cachette server start` as a child process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, '../..');

/** The `cachette` binary. */
export const BIN = join(ROOT, 'packages/cli/bin/cachette.js');

/** The parts of a package.json these tests read. */
export interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly exports?: Record<string, string | Record<string, string>>;
  readonly files?: readonly string[];
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

/** One workspace package under packages/. */
export interface WorkspacePackage {
  /** `packages/<dir>`, relative to {@link ROOT}. */
  readonly path: string;
  readonly dir: string;
  readonly json: PackageJson;
}

/** Reads a JSON file (package.json or a comment-free tsconfig). */
export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Every package under packages/, by directory name. */
export function workspacePackages(): WorkspacePackage[] {
  return readdirSync(join(ROOT, 'packages'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(ROOT, 'packages', d.name, 'package.json')))
    .map((d) => ({
      path: `packages/${d.name}`,
      dir: join(ROOT, 'packages', d.name),
      json: readJson<PackageJson>(join(ROOT, 'packages', d.name, 'package.json')),
    }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

/** The workspace packages `pkg` depends on at run time (its `dependencies`), by name. */
export function workspaceDependencies(pkg: WorkspacePackage, all = workspacePackages()): WorkspacePackage[] {
  const names = Object.keys(pkg.json.dependencies ?? {});
  return all.filter((p) => names.includes(p.json.name));
}

/** The newest modification time (ms) of a file or of any file below a directory. */
function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path, { recursive: true, encoding: 'utf8' })) {
    newest = Math.max(newest, statSync(join(path, entry)).mtimeMs);
  }
  return newest;
}

/**
 * Throws unless every package's dist/ was built after its sources and build settings last changed. A stale
 * dist/ would make these tests pass or fail for code that is no longer there.
 */
export function assertBuilt(): void {
  const shared = Math.max(...['tsconfig.base.json', 'tsconfig.package.json'].map((f) => newestMtime(join(ROOT, f))));
  const stale: string[] = [];
  for (const pkg of workspacePackages()) {
    const buildInfo = join(pkg.dir, 'dist/.tsbuildinfo');
    const inputs = Math.max(shared, ...['src', 'tsconfig.build.json'].map((f) => newestMtime(join(pkg.dir, f))));
    if (!existsSync(buildInfo) || statSync(buildInfo).mtimeMs < inputs) stale.push(pkg.path);
  }
  if (stale.length > 0) {
    throw new Error(`dist/ missing or older than the sources in ${stale.join(', ')}: run \`npm run build\` first`);
  }
}

/**
 * A TMPDIR nobody can create, not even root (a path below a regular file): the compiled binary must not
 * need a temporary directory at all. (`/nonexistent` is not enough when tests run as root, who may create
 * it.) Removed by the returned function.
 */
export function unusableTmpdir(): { path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'cachette-no-tmp-'));
  writeFileSync(join(dir, 'file'), '');
  return { path: join(dir, 'file', 'tmp'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The environment production runs in: no TypeScript loader or source condition (vitest.config.ts puts
 * both in NODE_OPTIONS for the binaries other tests spawn), and `extra` on top.
 */
export function productionEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_OPTIONS;
  return env;
}

/** A child process's exit code, once it has exited. */
export function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((ok) => child.once('exit', (code) => ok(code)));
}

/** The compiled `cachette server start`, running. */
export interface CompiledServer {
  readonly child: ChildProcess;
  /** `http://host:port` of the HTTP API, from the ready line. */
  readonly httpUrl: string;
  /** The local account's API key (`<data-dir>/dev-api-key`). */
  readonly devApiKey: string;
  /** Every stdout line so far. */
  readonly lines: readonly string[];
  /** SIGTERM, then the exit code; removes the data dir. */
  stop(): Promise<number | null>;
}

/** Starts `node bin/cachette.js server start` on free ports and a fresh data dir; resolves at the ready line. */
export async function startCompiledServer(env: NodeJS.ProcessEnv): Promise<CompiledServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cachette-compiled-'));
  const child = spawn(
    process.execPath,
    [BIN, 'server', 'start', '--port', '0', '--http-port', '0', '--data-dir', dataDir, '--max-memory', '64mb'],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = exitOf(child);
  const httpUrl = await new Promise<string>((ok, fail) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const m = /cachette ready on \S+ \(gRPC\) and (\S+) \(HTTP\)/.exec(line);
      if (m?.[1] !== undefined) ok(m[1]);
    });
    void exited.then((code) =>
      fail(new Error(`server exited with ${code} before ready:\n${stderr}${lines.join('\n')}`)),
    );
  });
  return {
    child,
    httpUrl,
    devApiKey: readFileSync(join(dataDir, 'dev-api-key'), 'utf8').trim(),
    lines,
    async stop() {
      child.kill('SIGTERM');
      const code = await exited;
      rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}
