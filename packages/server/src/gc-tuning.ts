/**
 * @module gc-tuning
 * The V8 garbage-collector settings a Cachette server process runs with (`cachette server start` and its
 * workers apply them; code embedding `@cachette/server` may call {@link tuneGarbageCollector} too). Items live
 * off the V8 heap, so the heap holds a small, steady set of long-lived objects (tens of MB at any item count)
 * and a stream of per-call objects that die within a millisecond.
 *
 * `--no-allocation-site-pretenuring`, always: V8 counts how many objects from each allocation site survive
 * young GCs and, past a threshold, allocates that site's objects straight into the old generation from then
 * on. A burst fools it: while 1 000-item SetBatch calls load a cache, objects of sites the per-call path
 * shares survive, and the decision sticks after the burst. Every later call then puts dead objects into the
 * old generation, where each keeps the young objects it points to alive through young GCs (#19 notes).
 *
 * `--heap-growing-percent=20`, only with the grpc-js gRPC server (`--grpc-server grpc-js`): node:http2 leaves
 * a few KB of per-stream objects that its native wrappers keep alive until a full GC, so they all reach the
 * old generation. V8's own growth (1.1–4× the live heap between full GCs) lets 100+ MB of them pile up and
 * the full GC that clears them pauses 50–90 ms; letting the old generation grow by only 20 % of the live
 * heap clears them in short, frequent full GCs (1 M items, 15 k calls/s for 10 s: 44 full GCs, the longest
 * 14.5 ms, against 7, the longest 52 ms, with V8's own growth). On our own HTTP/2 server nothing piles up,
 * and the same setting does harm: its 20 MB of slack is less than the young generation, so V8 starts
 * incremental marking right after every full GC, young GCs during marking keep a third of what they see,
 * and a full GC ran every 120–190 ms (83 in 10 s at 78 k Gets/s with 1 M items, against 2 with V8's own
 * growth).
 */
import { setFlagsFromString } from 'node:v8';
import type { GrpcServerName } from './settings/setting-table.ts';

/** Old-generation growth between full GCs, in % of the live heap after the last one (grpc-js only). */
export const HEAP_GROWING_PERCENT = 20;

interface GcSetting {
  readonly flag: string;
  /** Finds an operator's own value for this setting among the process's flags. */
  readonly given: RegExp;
  readonly for: (grpcServer: GrpcServerName) => boolean;
}

const SETTINGS: readonly GcSetting[] = [
  {
    flag: '--no-allocation-site-pretenuring',
    given: /^--(no-?)?allocation[-_]site[-_]pretenuring(=|$)/,
    for: () => true,
  },
  {
    flag: `--heap-growing-percent=${HEAP_GROWING_PERCENT}`,
    given: /^--heap[-_]growing[-_]percent(=|$)/,
    for: (grpcServer) => grpcServer === 'grpc-js',
  },
];

export interface GcTuningOptions {
  /** The gRPC server the process will run (the `grpcServer` setting); our own unless told. */
  readonly grpcServer?: GrpcServerName;
  readonly execArgv?: readonly string[];
  readonly nodeOptions?: string;
}

/**
 * Applies each of our settings that suits `grpcServer`, unless the process was started with its own value
 * for it (on the command line or in `NODE_OPTIONS`), which then wins. Returns the flags it applied.
 */
export function tuneGarbageCollector(options: GcTuningOptions = {}): string[] {
  const grpcServer = options.grpcServer ?? 'cachette';
  const given = [
    ...(options.execArgv ?? process.execArgv),
    ...(options.nodeOptions ?? process.env.NODE_OPTIONS ?? '').split(/\s+/),
  ];
  const applied: string[] = [];
  for (const setting of SETTINGS) {
    if (!setting.for(grpcServer) || given.some((a) => setting.given.test(a))) continue;
    setFlagsFromString(setting.flag);
    applied.push(setting.flag);
  }
  return applied;
}
