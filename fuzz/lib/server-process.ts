/**
 * @module fuzz/lib/server-process
 * Starts {@link ./server-child.ts} as a child process and reads its ready line; reports its RSS and
 * whether it is still alive.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { HttpRoute } from './http-cases.ts';

export interface ServerUnderFuzz {
  readonly grpcPort: number;
  readonly httpPort: number;
  /** The Redis protocol port. */
  readonly redisPort: number;
  readonly apiKey: string;
  readonly secret: string;
  readonly routes: readonly HttpRoute[];
  readonly pid: number;
  /** Resident set size in bytes (from /proc), or NaN when unavailable. */
  rssBytes(): number;
  /** `undefined` while running; the exit code or signal once it died. */
  exited(): string | undefined;
  /** Last lines the server wrote to stderr (for crash reports). */
  stderrTail(): string;
  stop(): Promise<void>;
}

/** Boots the server under fuzz; `settings` are extra `createServer` options (JSON). */
export function startServer(settings: Record<string, unknown> = {}): Promise<ServerUnderFuzz> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./server-child.ts', import.meta.url)), JSON.stringify(settings)],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let exit: string | undefined;
  let stderr = '';
  child.on('exit', (code, signal) => {
    exit = `exit ${code ?? signal}`;
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      child.stdout?.off('data', onData);
      const ready = JSON.parse(out.slice(0, nl)) as Omit<
        ServerUnderFuzz,
        'pid' | 'rssBytes' | 'exited' | 'stderrTail' | 'stop'
      >;
      const pid = child.pid ?? 0;
      resolve({
        ...ready,
        pid,
        rssBytes: () => {
          try {
            const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
            return m ? Number(m[1]) * 1024 : Number.NaN;
          } catch {
            return Number.NaN;
          }
        },
        exited: () => exit,
        stderrTail: () => stderr,
        stop: () =>
          new Promise<void>((done) => {
            if (exit !== undefined) return done();
            const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
            child.once('exit', () => {
              clearTimeout(timer);
              done();
            });
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout?.on('data', onData);
    child.once('exit', () => reject(new Error(`fuzz server exited before it was ready: ${stderr}`)));
  });
}
