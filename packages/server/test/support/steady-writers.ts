/**
 * @module test/support/steady-writers
 * Load for fault tests: `n` official-SDK writers, each setting a new key as soon as its previous set
 * answered, recording what was acknowledged and every error. Tests wait on *events* of this stream
 * ("300 writes acknowledged", "8 errors seen", "50 successes in a row"), never on time; every wait is
 * bounded by a number of calls so a broken server fails the test instead of hanging it.
 */
import { randomBytes } from 'node:crypto';
import { type CacheClient, CacheGetBatchResponse, CacheSetResponse } from '@gomomento/sdk';

export interface WriteError {
  readonly key: string;
  readonly code: string;
  readonly message: string;
}

export class SteadyWriters {
  /** Acknowledged writes: key → value. */
  readonly acked = new Map<string, string>();
  readonly errors: WriteError[] = [];
  /** Calls answered so far (acknowledged or failed). */
  calls = 0;
  /** Successes since the last error. */
  successesInARow = 0;
  readonly #client: CacheClient;
  readonly #cache: string;
  readonly #prefix: string;
  readonly #writers: number;
  #running = false;
  #loops: Promise<void>[] = [];
  #waiters = new Set<() => void>();

  constructor(client: CacheClient, cache: string, options: { writers: number; prefix: string }) {
    this.#client = client;
    this.#cache = cache;
    this.#prefix = options.prefix;
    this.#writers = options.writers;
  }

  start(): void {
    this.#running = true;
    this.#loops = Array.from({ length: this.#writers }, (_, w) => this.#loop(w));
  }

  async #loop(w: number): Promise<void> {
    for (let i = 0; this.#running; i++) {
      const key = `${this.#prefix}-${w}-${i}`;
      const value = `v-${w}-${i}-${randomBytes(4).toString('hex')}`;
      const r = await this.#client.set(this.#cache, key, value);
      this.calls++;
      if (r.type === CacheSetResponse.Success) {
        this.acked.set(key, value);
        this.successesInARow++;
      } else {
        this.errors.push({ key, code: r.errorCode(), message: r.message() });
        this.successesInARow = 0;
      }
      for (const wake of this.#waiters) wake();
    }
  }

  /**
   * Resolves once `condition()` holds after some call answered; rejects when `maxCalls` more calls answered
   * first, saying what was awaited.
   */
  until(what: string, condition: () => boolean, maxCalls = 50_000): Promise<void> {
    if (condition()) return Promise.resolve();
    const limit = this.calls + maxCalls;
    return new Promise((resolve, reject) => {
      const check = () => {
        if (condition()) {
          this.#waiters.delete(check);
          resolve();
        } else if (this.calls >= limit || !this.#running) {
          this.#waiters.delete(check);
          const last = this.errors.at(-1);
          reject(
            new Error(
              `not reached within ${maxCalls} calls: ${what} (acked ${this.acked.size}, errors ${this.errors.length}${last ? `, last ${last.code}: ${last.message}` : ''})`,
            ),
          );
        }
      };
      this.#waiters.add(check);
    });
  }

  /** Stops every writer after its current call. */
  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
    for (const wake of this.#waiters) wake();
  }

  /** Acknowledged keys that `client` does not read back with their acknowledged value (batches of 1 000). */
  async unreadable(client: CacheClient): Promise<string[]> {
    const all = [...this.acked];
    const missing: string[] = [];
    for (let from = 0; from < all.length; from += 1000) {
      const chunk = all.slice(from, from + 1000);
      const r = await client.getBatch(
        this.#cache,
        chunk.map(([k]) => k),
      );
      if (r.type !== CacheGetBatchResponse.Success) throw new Error(`getBatch failed: ${String(r)}`);
      const values = r.values();
      for (const [k, v] of chunk) if (values[k] !== v) missing.push(k);
    }
    return missing;
  }
}
