/**
 * @module gc-tuning
 * The V8 garbage-collector setting a Cachette server process runs with (`cachette server start` and its
 * workers apply it; code embedding `@cachette/server` may call it too).
 *
 * Why: every HTTP/2 stream leaves a few KB of node:http2 objects that survive young-generation GCs (their
 * native wrappers keep them reachable until a full GC) and die only in a full mark-compact. V8 by default
 * lets the old generation grow to 1.1–4× the live heap before the next full GC, chosen for throughput; at
 * 12 k calls/s that piles up 100+ MB of such garbage and each full GC pauses 50–90 ms (mostly clearing the
 * external strings of the requests' headers, sweeping and evacuating) — the server's p99.9. Items live off
 * the V8 heap, so the live heap is small (tens of MB at any item count) and a full GC every 20 % of growth
 * is cheap: measured at 12 k Get/s with 1 M items on 2 cores, longest GC pause 67 → 14 ms, p99.9 68 → 25 ms,
 * peak throughput unchanged (issue #19 notes).
 */
import { setFlagsFromString } from 'node:v8';

/** Old-generation growth between full GCs, in % of the live heap after the last one. */
export const HEAP_GROWING_PERCENT = 20;

/**
 * Applies {@link HEAP_GROWING_PERCENT} unless the process was started with its own `--heap-growing-percent`
 * (on the command line or in `NODE_OPTIONS`), which then wins. Returns whether it applied ours.
 */
export function tuneGarbageCollector(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? '',
): boolean {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)];
  if (given.some((a) => /^--heap[-_]growing[-_]percent(=|$)/.test(a))) return false;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
