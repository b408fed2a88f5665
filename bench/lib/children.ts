/**
 * @module bench/lib/children
 * Every process the bench starts is registered here and killed when the bench exits, whether it finishes,
 * fails, or is interrupted (Ctrl-C / SIGTERM). Forked TypeScript children also exit on their own when the
 * IPC channel to the orchestrator closes.
 */
import { type ChildProcess, fork, type SpawnOptions, spawn } from 'node:child_process';
import type { Reply, Request } from './ipc.ts';

/** `Omit` that keeps a union a union. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

const live = new Set<ChildProcess>();

/** Registers `child` for cleanup. */
export function track<T extends ChildProcess>(child: T): T {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** SIGKILLs every registered child that is still running (synchronous: safe in an 'exit' handler). */
export function killAll(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  live.clear();
}

let installed = false;
/** Kills children on exit, Ctrl-C, SIGTERM and uncaught errors. */
export function installCleanup(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      process.stderr.write(`\n${signal}: stopping every process the bench started\n`);
      killAll();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

/** Spawns a native program, tracked. */
export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  return track(spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options }));
}

/** A forked TypeScript child speaking the request/reply protocol of `ipc.ts`. */
export class TsChild {
  readonly process: ChildProcess;
  #nextId = 1;
  readonly #pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  #exited: Promise<number | null>;

  constructor(modulePath: string, arg: unknown, nodeFlags: readonly string[] = []) {
    this.process = track(
      fork(modulePath, [JSON.stringify(arg)], {
        execArgv: ['--import', 'tsx', ...nodeFlags],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    this.#exited = new Promise((resolve) => this.process.once('exit', (code) => resolve(code)));
    this.process.on('message', (m: unknown) => {
      const reply = m as Reply;
      if (reply.type !== 'reply') return;
      const waiter = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      if (reply.error !== undefined) waiter?.reject(new Error(reply.error));
      else waiter?.resolve(reply);
    });
    void this.#exited.then((code) => {
      for (const w of this.#pending.values()) w.reject(new Error(`${modulePath} exited (code ${code})`));
      this.#pending.clear();
    });
  }

  /** Resolves with the first message of type `type` (e.g. `ready`, `result`); rejects if the child dies first. */
  waitFor<T extends { type: string }>(type: T['type'], timeoutMs = 120_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no '${type}' from child within ${timeoutMs} ms`)), timeoutMs);
      const onMessage = (m: unknown) => {
        if ((m as { type?: string }).type !== type) return;
        clearTimeout(timer);
        this.process.off('message', onMessage);
        resolve(m as T);
      };
      this.process.on('message', onMessage);
      void this.#exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`child exited (code ${code}) before sending '${type}'`));
      });
    });
  }

  request(body: WithoutId<Request>): Promise<Reply> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.process.send({ ...body, id });
    });
  }

  /** Asks the child to stop, waits up to `timeoutMs`, then kills it. */
  async stop(timeoutMs = 5_000): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const timer = setTimeout(() => this.process.kill('SIGKILL'), timeoutMs);
    try {
      await this.request({ type: 'stop' }).catch(() => undefined);
      await this.#exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
