/**
 * @module test/support/cli
 * Runs the real `cachette` binary as a subprocess (asynchronously: the server under test lives in this
 * process and must keep answering while the child runs) with an isolated HOME, and boots real servers.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CachetteServer, createLogger, createServerFromSettings } from '@cachette/server';

const BIN = fileURLToPath(new URL('../../bin/cachette.js', import.meta.url));

/** What a run of the CLI produced. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
  /** stdout as UTF-8. */
  readonly out: string;
}

/** Options of {@link runCli}. */
export interface RunOptions {
  readonly home: string;
  /** Bytes written to stdin (stdin is closed either way, as in CI). */
  readonly input?: string | Uint8Array;
  readonly env?: Record<string, string | undefined>;
}

/** Runs `cachette …args` and collects its output. */
export function runCli(args: readonly string[], options: RunOptions): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: options.home, ...options.env };
  // The parent's own profile settings must never leak into a test.
  if (options.env?.CACHETTE_API_KEY === undefined) delete env.CACHETTE_API_KEY;
  if (options.env?.CACHETTE_PROFILE === undefined) delete env.CACHETTE_PROFILE;
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  child.stdin.end(options.input ?? '');
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const stdout = Buffer.concat(out);
      resolve({ code, stdout, out: stdout.toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** A fresh, empty HOME directory. */
export function tempHome(): string {
  return mkdtempSync(join(tmpdir(), 'cachette-home-'));
}

/** A real server on a free port with a temporary data dir. */
export interface TestServer {
  readonly server: CachetteServer;
  readonly apiKey: string;
  readonly address: string;
  stop(): Promise<void>;
}

/** Boots a server in-process. */
export async function bootServer(): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cachette-cli-'));
  const server = await createServerFromSettings({ port: 0, dataDir, logger: createLogger('silent') });
  return {
    server,
    apiKey: server.devApiKey,
    address: server.grpcAddress,
    async stop() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const address = srv.address();
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
