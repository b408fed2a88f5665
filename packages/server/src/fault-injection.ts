/**
 * @module fault-injection
 * Faults on request, for applications' own retry and timeout tests — what Momento's local emulator
 * (momento-local) offers, with its metadata names, so the SDKs' `ExperimentalMomentoLocalTestConfigMiddleware`
 * and their retry test suites work against Cachette unchanged. Only a server started with
 * `--enable-fault-injection` builds a {@link FaultInjector}; without one no transport looks at these headers
 * (the wrappers are chosen at start, so the feature costs nothing when off).
 *
 * Request metadata (gRPC) or headers (HTTP):
 * - `return-error`: a gRPC status name, kebab-case (`unavailable`, `internal`, `deadline-exceeded`, …): the
 *   call is answered with it instead of being served;
 * - `error-rpcs`: space-separated method names (`get set get-batch`, as the SDKs name them); absent: all;
 * - `error-count`: only the first N matching calls carrying the same `request-id` fail (retries of one
 *   logical call share it); absent, or no `request-id`: every matching call fails;
 * - `delay-ms`, `delay-rpcs`, `delay-count`: the same for a delay before the call is served (or failed);
 * - `request-id`: the key of the counters above.
 */
import { CacheError, ErrorCode } from '@cachette/core';

/** A status a call can be made to fail with: the gRPC code and the HTTP status the HTTP API answers with. */
export interface FaultStatus {
  readonly name: string;
  readonly grpcCode: number;
  readonly httpStatus: number;
}

/** gRPC status names as momento-local spells them (kebab-case), with an HTTP status for the HTTP API. */
const STATUSES: ReadonlyMap<string, FaultStatus> = new Map(
  (
    [
      ['cancelled', 1, 499],
      ['unknown', 2, 500],
      ['invalid-argument', 3, 400],
      ['deadline-exceeded', 4, 504],
      ['not-found', 5, 404],
      ['already-exists', 6, 409],
      ['permission-denied', 7, 403],
      ['resource-exhausted', 8, 429],
      ['failed-precondition', 9, 409],
      ['aborted', 10, 409],
      ['out-of-range', 11, 400],
      ['unimplemented', 12, 501],
      ['internal', 13, 500],
      ['unavailable', 14, 503],
      ['data-loss', 15, 500],
      ['unauthenticated', 16, 401],
    ] as const
  ).map(([name, grpcCode, httpStatus]) => [name, { name, grpcCode, httpStatus }]),
);

/** What to do with one call: wait `delayMs`, then fail with `error` or serve it. */
export interface FaultPlan {
  readonly delayMs: number;
  readonly error: FaultStatus | undefined;
  /** For the error message: which rule fired. */
  readonly description: string;
}

/** Reads one request header / metadata value (first value; `undefined` when absent). */
export type HeaderReader = (name: string) => string | undefined;

/** Longest delay a request may ask for: enough for any client timeout test, short enough to not pin a call. */
export const MAX_FAULT_DELAY_MS = 300_000;
/** Request ids remembered for `error-count`/`delay-count`; the oldest is forgotten first. */
const MAX_TRACKED_REQUESTS = 10_000;

interface Counts {
  errors: number;
  delays: number;
}

function invalid(message: string): CacheError {
  return new CacheError(ErrorCode.INVALID_ARGUMENT, `fault injection: ${message}`);
}

function count(text: string | undefined, name: string, max: number): number | undefined {
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n > max)
    throw invalid(`'${name}' must be an integer from 0 to ${max}, not '${text}'`);
  return n;
}

/** True when `list` (space- or comma-separated) is absent or names one of `rpcNames`. */
function matches(list: string | undefined, rpcNames: readonly string[]): boolean {
  if (list === undefined || list.trim() === '') return true;
  for (const name of list.split(/[\s,]+/)) if (rpcNames.includes(name)) return true;
  return false;
}

/**
 * Method name → the names a request may use for it in `error-rpcs`/`delay-rpcs`: kebab-case
 * (`GetBatch` → `get-batch`), plus the SDKs' aliases (they send `set-if` for SetIfNotExists and
 * `list-remove` for ListErase, as momento-local accepts).
 */
export function rpcNamesOf(methodName: string): readonly string[] {
  const kebab = methodName
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
  const aliases: Record<string, string> = { 'set-if-not-exists': 'set-if', 'list-erase': 'list-remove' };
  const alias = aliases[kebab];
  return alias === undefined ? [kebab] : [kebab, alias];
}

/** Decides, per call, whether the request asked for a fault. One per server; counters live here. */
export class FaultInjector {
  readonly #counts = new Map<string, Counts>();

  /**
   * The fault `header` asks for on a call to `rpcNames` (from {@link rpcNamesOf}), or `undefined` to serve
   * the call as usual. Counts the call against its `request-id` when a fault applies.
   *
   * @throws CacheError INVALID_ARGUMENT for an unknown status name or a malformed number: a typo in a
   * test's fault set-up should fail loudly, not silently test nothing.
   */
  plan(rpcNames: readonly string[], header: HeaderReader): FaultPlan | undefined {
    const returnError = header('return-error');
    const delayText = header('delay-ms');
    if ((returnError === undefined || returnError === '') && (delayText === undefined || delayText === '')) {
      return undefined;
    }
    const requestId = header('request-id');
    const counts = requestId === undefined || requestId === '' ? undefined : this.#countsOf(requestId);

    let delayMs = 0;
    const delay = count(delayText, 'delay-ms', MAX_FAULT_DELAY_MS);
    if (delay !== undefined && delay > 0 && matches(header('delay-rpcs'), rpcNames)) {
      const limit = count(header('delay-count'), 'delay-count', Number.MAX_SAFE_INTEGER);
      if (limit === undefined || counts === undefined || counts.delays < limit) {
        delayMs = delay;
        if (counts !== undefined) counts.delays++;
      }
    }

    let error: FaultStatus | undefined;
    let description = '';
    if (returnError !== undefined && returnError !== '') {
      const status = STATUSES.get(returnError.trim().toLowerCase());
      if (status === undefined) {
        throw invalid(`unknown return-error '${returnError}': use one of ${[...STATUSES.keys()].join(', ')}`);
      }
      if (matches(header('error-rpcs'), rpcNames)) {
        const limit = count(header('error-count'), 'error-count', Number.MAX_SAFE_INTEGER);
        if (limit === undefined || counts === undefined || counts.errors < limit) {
          error = status;
          if (counts !== undefined) counts.errors++;
          description =
            limit === undefined || counts === undefined
              ? `return-error=${status.name}`
              : `return-error=${status.name}, ${counts.errors} of ${limit} for request-id ${requestId}`;
        }
      }
    }
    if (delayMs === 0 && error === undefined) return undefined;
    return { delayMs, error, description };
  }

  #countsOf(requestId: string): Counts {
    let counts = this.#counts.get(requestId);
    if (counts === undefined) {
      if (this.#counts.size >= MAX_TRACKED_REQUESTS) {
        const oldest = this.#counts.keys().next().value;
        if (oldest !== undefined) this.#counts.delete(oldest);
      }
      counts = { errors: 0, delays: 0 };
      this.#counts.set(requestId, counts);
    }
    return counts;
  }
}

/** The message a faulted call fails with: says it was asked for, so nobody debugs the server over it. */
export function faultMessage(plan: FaultPlan): string {
  return `fault injected on request (--enable-fault-injection): ${plan.description}`;
}
