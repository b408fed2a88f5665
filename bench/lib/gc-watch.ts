/**
 * @module bench/lib/gc-watch
 * Counts GC pauses in the current process (used inside server children) and forces full GCs for memory
 * measurements without needing `--expose-gc` on the command line.
 */
import { constants, type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { GcSummary, Reply, Request, ServerStats } from './ipc.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let count = 0;
let totalMs = 0;
let maxMs = 0;
let maxKind = '';
let majorCount = 0;

const KIND_NAMES = new Map<number | undefined, string>([
  [constants.NODE_PERFORMANCE_GC_MINOR, 'minor'],
  [constants.NODE_PERFORMANCE_GC_MAJOR, 'major'],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, 'weakcb'],
]);

const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    count++;
    totalMs += entry.duration;
    const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
    if (entry.duration > maxMs) {
      maxMs = entry.duration;
      maxKind = KIND_NAMES.get(kind) ?? String(kind);
    }
    if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) majorCount++;
  }
});
observer.observe({ entryTypes: ['gc'] });

export function resetGc(): void {
  count = 0;
  totalMs = 0;
  maxMs = 0;
  maxKind = '';
  majorCount = 0;
}

export function gcSummary(): GcSummary {
  return { count, totalMs, maxMs, maxKind, majorCount };
}

/** Three full GCs, so RSS/heap reflect live data only. */
export function settle(): void {
  for (let i = 0; i < 3; i++) gc();
}

/**
 * Serves the orchestrator's requests on the IPC channel. `stop` runs `onStop` then exits; losing the
 * parent (disconnect) does the same, so a crashed orchestrator never leaves a server behind.
 */
export function serveIpc(statsOf: () => Omit<ServerStats, 'gc'>, onStop: () => Promise<void>): void {
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    try {
      await onStop();
    } finally {
      process.exit(code);
    }
  };
  process.on('message', (raw: Request) => {
    const reply = (r: Omit<Reply, 'id' | 'type'>) =>
      process.send?.({ id: raw.id, type: 'reply', ...r } satisfies Reply);
    switch (raw.type) {
      case 'stats':
        if (raw.forceGc) settle();
        reply({ stats: { ...statsOf(), gc: gcSummary() } });
        break;
      case 'gc-reset':
        resetGc();
        reply({});
        break;
      case 'stop':
        reply({});
        void stop(0);
        break;
    }
  });
  process.on('disconnect', () => void stop(0));
  process.on('SIGINT', () => void stop(130));
  process.on('SIGTERM', () => void stop(143));
}

export function memoryOf(): Omit<ServerStats, 'gc' | 'engine'> {
  const m = process.memoryUsage();
  return { rssBytes: m.rss, heapUsedBytes: m.heapUsed, externalBytes: m.external, arrayBuffersBytes: m.arrayBuffers };
}
