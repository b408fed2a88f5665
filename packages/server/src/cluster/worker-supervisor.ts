/**
 * @module cluster/worker-supervisor
 * `cachette server start --workers N`: one machine, N cores, one address. Node 20 cannot share a port
 * between processes by itself (no `reusePort`), so the primary process uses node:cluster: it forks N
 * workers that each run the whole server (gRPC, HTTP, Redis) on the SAME ports; the primary owns the
 * listening sockets and hands each accepted connection to the next worker in turn (round-robin). A
 * connection stays on the worker that got it, so spreading needs several client connections.
 *
 * The primary holds no items and serves no call: it takes the data-dir lock, starts the workers, restarts a
 * worker that dies (with backoff) and stops them all on SIGTERM/SIGINT. Items must be shared (Valkey) and
 * metadata changes must reach every worker (PostgreSQL's LISTEN/NOTIFY): `toServerConfig` refuses the rest.
 *
 * Start order is part of the contract: the FIRST worker starts alone and the others only once it is ready.
 * It alone migrates the metadata schema and creates the local account and its key file (two workers doing
 * that at once would create two accounts), and a start failure (port taken, database unreachable) is
 * reported once, by that worker, and becomes the primary's exit code instead of N copies of one error.
 *
 * This module is light (node:cluster, the data-dir lock, pino): the primary never loads the server.
 */
import cluster, { type Worker } from 'node:cluster';
import { lockDataDir } from '../data-dir.ts';
import type { Logger } from '../logger.ts';

// The primary's logger, without loading the server.
export { createLogger } from '../logger.ts';

/** What a worker tells the primary once it serves: its bound addresses. */
export interface WorkerReady {
  readonly cachette: 'ready';
  readonly grpc: string;
  readonly http: string;
  readonly redis?: string;
}

function isReady(message: unknown): message is WorkerReady {
  return typeof message === 'object' && message !== null && (message as WorkerReady).cachette === 'ready';
}

/** Whether this process is a worker forked by {@link superviseWorkers}. */
export function isServerWorker(): boolean {
  return cluster.isWorker;
}

/** This worker's id (1, 2, … and counting up across restarts), for its log lines. */
export function workerId(): number | undefined {
  return cluster.worker?.id;
}

/** Worker side: tells the primary that this worker serves (see {@link WorkerReady}). */
export function reportWorkerReady(addresses: Omit<WorkerReady, 'cachette'>): void {
  process.send?.({ cachette: 'ready', ...addresses } satisfies WorkerReady);
}

/**
 * Worker side: calls `stop` once on SIGTERM, SIGINT or when the primary goes away (its IPC channel closes:
 * the primary was killed). The handlers stay installed: Ctrl-C reaches the primary and the workers (one
 * process group), and the primary then forwards SIGTERM; a second signal must not kill a draining worker.
 */
export function onWorkerStop(stop: (reason: string) => void): void {
  let stopping = false;
  const once = (reason: string) => {
    if (stopping) return;
    stopping = true;
    stop(reason);
  };
  process.on('SIGTERM', () => once('SIGTERM'));
  process.on('SIGINT', () => once('SIGINT'));
  process.on('disconnect', () => once('primary gone'));
}

export interface SuperviseOptions {
  /** Worker processes (≥ 1). */
  readonly workers: number;
  /** Locked by the primary for all its workers (they start with `dataDirLockHeld`). */
  readonly dataDir: string;
  readonly logger: Logger;
  /** First restart delay after a crash, doubled per consecutive failed start. Default 250 ms. */
  readonly restartDelayMs?: number;
  /** Longest restart delay. Default 10 s. */
  readonly maxRestartDelayMs?: number;
  /** Consecutive restarts that die before serving before the primary gives up. Default 5. */
  readonly maxFailedRestarts?: number;
}

/** The primary's exit code for a worker that ended: its code, or 1 when a signal ended it. */
function exitCodeOf(code: number | null): number {
  return code ?? 1;
}

type Started =
  | { readonly ok: true; readonly addresses: Omit<WorkerReady, 'cachette'> }
  | { readonly ok: false; readonly code: number };

/**
 * Primary side: locks the data dir, forks the workers (the first alone, see the module comment), keeps
 * them running and stops them on SIGTERM/SIGINT. Resolves with the process exit code: 0 after a graceful
 * stop; the failing worker's exit code when the start fails (that worker already printed why); 1 when
 * restarted workers keep dying before they serve.
 * @throws {CacheError} UNAVAILABLE when the data dir is locked by another server.
 */
export async function superviseWorkers(options: SuperviseOptions): Promise<number> {
  const { logger } = options;
  const baseDelay = options.restartDelayMs ?? 250;
  const maxDelay = options.maxRestartDelayMs ?? 10_000;
  const maxFailedRestarts = options.maxFailedRestarts ?? 5;
  const lock = lockDataDir(options.dataDir);
  for (const path of lock.tightened) {
    logger.warn({ path }, `${path} was readable by other users; its mode is now owner-only`);
  }
  const live = new Set<Worker>();
  /** True once every first-generation worker served: from then on a dead worker is replaced. */
  let started = false;
  let stopping = false;
  let failedRestarts = 0;
  let exitCode = 0;
  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => {
    finish = resolve;
  });
  const stopAll = (code: number) => {
    if (!stopping) {
      stopping = true;
      exitCode = code;
    }
    for (const w of live) if (!w.isDead()) w.process.kill('SIGTERM');
    if (live.size === 0) finish(exitCode);
  };

  /** Forks one worker (it re-runs this command line: node:cluster marks it a worker). */
  const fork = (): Promise<Started> => {
    const worker = cluster.fork();
    live.add(worker);
    let served = false;
    return new Promise<Started>((resolve) => {
      worker.on('message', (message: unknown) => {
        if (!isReady(message)) return;
        served = true;
        failedRestarts = 0;
        const { cachette: _, ...addresses } = message;
        resolve({ ok: true, addresses });
      });
      worker.once('exit', (code, signal) => {
        live.delete(worker);
        if (!served) resolve({ ok: false, code: exitCodeOf(code) });
        if (stopping) {
          if (code !== 0) exitCode ||= exitCodeOf(code);
          if (live.size === 0) finish(exitCode);
          return;
        }
        if (!started && !served) return; // a failed start: the start sequence below decides
        replace(worker, served, code, signal);
      });
    });
  };

  /** A worker died while serving, or a replacement died before serving: start another, backing off. */
  const replace = (dead: Worker, served: boolean, code: number | null, signal: string | null) => {
    const pid = dead.process.pid;
    if (!served) failedRestarts++;
    if (failedRestarts >= maxFailedRestarts) {
      logger.fatal(
        { worker: dead.id, pid, code, signal, failedRestarts },
        `cachette workers keep dying before they serve (${failedRestarts} restarts in a row); stopping`,
      );
      stopAll(1);
      return;
    }
    const delay = Math.min(maxDelay, baseDelay * 2 ** failedRestarts);
    logger.error(
      { worker: dead.id, pid, code, signal, restartInMs: delay },
      `cachette worker ${dead.id} (pid ${pid}) exited (${signal ?? `code ${code}`}); starting a new one in ${delay} ms`,
    );
    setTimeout(() => {
      if (stopping) return;
      void fork().then((r) => {
        if (r.ok) logger.info({ workers: live.size }, 'cachette worker replaced: all workers serve again');
      });
    }, delay);
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second Ctrl-C: do not wait for in-flight calls any longer.
      logger.warn({ signal }, 'second signal: killing the workers now');
      for (const w of live) w.process.kill('SIGKILL');
      return;
    }
    logger.info({ signal, workers: live.size }, 'shutting down: every worker finishes its in-flight calls');
    stopAll(0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const orStopped = finished.then((): Started => ({ ok: false, code: exitCode }));
  try {
    // The first worker alone: it migrates, creates the local account, and reports a failed start once.
    const first = await Promise.race([fork(), orStopped]);
    if (!first.ok) {
      stopAll(first.code);
      return await finished;
    }
    const rest = await Promise.race([
      Promise.all(Array.from({ length: options.workers - 1 }, fork)),
      orStopped.then((r) => [r]),
    ]);
    const failed = rest.find((r) => !r.ok);
    if (failed !== undefined && !failed.ok) {
      stopAll(failed.code);
      return await finished;
    }
    started = true;
    const pids = [...live].map((w) => w.process.pid);
    logger.info(
      { workers: live.size, pids, ...first.addresses },
      `cachette workers ready: ${live.size} processes share ${first.addresses.grpc} (gRPC) and ${first.addresses.http} (HTTP)${first.addresses.redis === undefined ? '' : ` and ${first.addresses.redis} (Redis)`}; node:cluster hands each new connection to the next worker`,
    );
    return await finished;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    lock.release();
  }
}
