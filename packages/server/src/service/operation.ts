/**
 * @module service/operation
 * What a data-plane operation is to the service: a static descriptor that checks the arguments, runs on
 * the engine and says how the result is reported. {@link CacheService} runs every descriptor through one
 * wrapper (validate → admit → run on the namespace, repairing a lost one → observe → map the failure), so
 * adding an operation means writing a descriptor and a one-line method, nothing else.
 *
 * Descriptors are module constants and arguments travel positionally (up to four), so a call allocates no
 * closure, no argument array and no event object on top of the engine's own work.
 */
import type { CacheEngine, SyncScalarEngine } from '@cachette/engine';
import type { ServiceLimits } from './limits.ts';
import type { Operation, Outcome } from './observer.ts';

/** What a data-plane call needs from the key: `readWrite` for writes whose answer reveals item state. */
export type DataPermission = 'read' | 'write' | 'readWrite';

/**
 * What validation learned about a call, for admission. One instance per service is reused: `validate`
 * fills it synchronously and the wrapper copies the fields out before its first `await`, so concurrent
 * calls never see each other's values.
 */
export interface Measure {
  /** Request bytes (keys, values, compared values): metered and charged to the throughput limit. */
  bytesIn: number;
  /** Largest key + value written, checked against the plan's item size (0 for reads). */
  largestItemBytes: number;
  /** Longest TTL asked for, checked against the plan (0 for reads). */
  longestTtlMs: number;
}

/**
 * One data-plane operation. `A`–`D` are its arguments after the principal and the cache name (`void` for
 * unused ones), `R` its result. Every function here is called with the same arguments the public method got.
 */
export interface DataOperation<A, B, C, D, R> {
  /** The name in metrics and metering. */
  readonly name: Operation;
  readonly permission: DataPermission;
  /**
   * Throws INVALID_ARGUMENT / LIMIT_EXCEEDED for bad arguments and records the request's sizes in `measure`.
   * Runs before anything else, so a bad call is refused without touching the metadata store.
   */
  readonly validate: (measure: Measure, limits: ServiceLimits, a: A, b: B, c: C, d: D) => void;
  /** The engine call on namespace `ns`; may run twice when the first attempt found the namespace missing. */
  readonly run: (engine: CacheEngine, ns: string, a: A, b: B, c: C, d: D) => Promise<R>;
  /** `run` on an engine that answers synchronously (the hot scalar calls); absent = always `run`. */
  readonly runNow?: (engine: SyncScalarEngine, ns: string, a: A, b: B, c: C, d: D) => R;
  /** Outcome reported for a successful call; `ok` when absent. */
  readonly outcome?: (result: R) => Outcome;
  /** Response bytes (values returned), metered and charged to the throughput limit; 0 when absent. */
  readonly bytesOut?: (result: R) => number;
}
