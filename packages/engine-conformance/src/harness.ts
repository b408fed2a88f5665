/**
 * @module harness
 * Registers tests on the caller's runner: a fresh engine, clock and namespace per test, random keys,
 * and declared skips that show up in the report with their reason instead of vanishing.
 */

import { randomBytes } from 'node:crypto';
import { ManualClock } from '@cachette/core';
import type { CacheEngine } from '@cachette/engine';
import type { Capabilities, ConformanceOptions, ConformanceTestApi, MakeEngine } from './api.ts';

/** Everything a test body gets: the engine under test and helpers bound to it. */
export interface Fixture<E extends CacheEngine> {
  readonly engine: E;
  readonly clock: ManualClock;
  /** A namespace created for this test. */
  readonly ns: string;
  /** Creates (and registers for cleanup) another namespace. */
  namespace(): Promise<string>;
  /** A fresh random key; `label` only helps when reading failures. */
  key(label?: string): Uint8Array;
  /** Runs the engine's reclaim hook; only call from tests that declared `needs: 'reclaimExpired'`. */
  reclaimExpired(): Promise<void>;
}

/** A fixture plus what the harness must clean up after the test. */
interface OwnedFixture<E extends CacheEngine> extends Fixture<E> {
  readonly namespaces: string[];
}

type Need = keyof Capabilities | 'reclaimExpired';

interface GroupOptions {
  /** Passed to `makeEngine` for every test of the group. */
  readonly maxBytes?: number;
  /** Passed to `makeEngine` for every test of the group. */
  readonly maxItemBytes?: number;
  /** Capabilities every test of the group needs. */
  readonly needs?: readonly Need[];
}

interface TestOptions {
  readonly needs?: readonly Need[];
}

/** Registration helper handed to each capability file. */
export class Suite<E extends CacheEngine> {
  readonly expect: ConformanceTestApi['expect'];
  private readonly names = new Set<string>();
  private readonly skipReasons = new Map<string, string>();
  private groupNeeds: readonly Need[] = [];
  // One fixture at a time: tests in a file run sequentially (the suite does not use describe.concurrent).
  private current: OwnedFixture<E> | undefined;

  constructor(
    private readonly api: ConformanceTestApi,
    private readonly makeEngine: MakeEngine<E>,
    private readonly options: ConformanceOptions<E>,
  ) {
    this.expect = api.expect;
    for (const { reason, tests } of options.skip ?? []) {
      for (const name of tests) this.skipReasons.set(name, reason);
    }
  }

  /** A `describe` block whose tests each get a fresh fixture built with `opts.maxBytes`/`maxItemBytes`. */
  group(title: string, opts: GroupOptions, body: () => void): void {
    this.api.describe(title, () => {
      this.api.beforeEach(async () => {
        this.current = await this.createFixture(opts);
      });
      this.api.afterEach(async () => {
        const fx = this.current;
        this.current = undefined;
        if (fx !== undefined) await this.destroyFixture(fx);
      });
      const outer = this.groupNeeds;
      this.groupNeeds = opts.needs ?? [];
      body();
      this.groupNeeds = outer;
    });
  }

  /**
   * Registers one test. Names are the identity used by `options.skip`, so they must be unique; a test
   * whose capability is missing or that is declared skipped is registered with `it.skip` and the reason
   * in its name, so the report always says why.
   */
  test(name: string, body: (fx: Fixture<E>) => Promise<void>, opts: TestOptions = {}): void {
    if (this.names.has(name)) throw new Error(`engineConformance: duplicate test name ${JSON.stringify(name)}`);
    this.names.add(name);
    const declared = this.skipReasons.get(name);
    if (declared !== undefined) {
      this.api.it.skip(`${name} [skipped: ${declared}]`, () => {});
      return;
    }
    const missing = [...this.groupNeeds, ...(opts.needs ?? [])].find((need) => !this.has(need));
    if (missing !== undefined) {
      const reason =
        missing === 'reclaimExpired'
          ? 'no reclaimExpired hook given'
          : `engine declares capabilities.${missing} = false`;
      this.api.it.skip(`${name} [skipped: ${reason}]`, () => {});
      return;
    }
    this.api.it(name, async () => {
      const fx = this.current;
      if (fx === undefined) throw new Error('engineConformance: fixture missing (test outside a group?)');
      await body(fx);
    });
  }

  /** Declared skip names that match no registered test: typos that would otherwise hide nothing. */
  unknownSkips(): string[] {
    return [...this.skipReasons.keys()].filter((name) => !this.names.has(name));
  }

  private has(need: Need): boolean {
    if (need === 'reclaimExpired') return this.options.reclaimExpired !== undefined;
    return this.options.capabilities?.[need] ?? true;
  }

  private async createFixture(opts: GroupOptions): Promise<OwnedFixture<E>> {
    const clock = new ManualClock();
    const engine = await this.makeEngine({
      clock,
      ...(opts.maxBytes === undefined ? {} : { maxBytes: opts.maxBytes }),
      ...(opts.maxItemBytes === undefined ? {} : { maxItemBytes: opts.maxItemBytes }),
    });
    const namespaces: string[] = [];
    const namespace = async (): Promise<string> => {
      const ns = `conformance-${randomBytes(6).toString('hex')}`;
      await engine.createNamespace(ns);
      namespaces.push(ns);
      return ns;
    };
    const ns = await namespace();
    const reclaim = this.options.reclaimExpired;
    return {
      engine,
      clock,
      ns,
      namespaces,
      namespace,
      key: (label = 'key') => Buffer.from(`${label}-${randomBytes(8).toString('hex')}`, 'latin1'),
      reclaimExpired: async () => {
        if (reclaim === undefined) throw new Error('engineConformance: no reclaimExpired hook');
        await reclaim(engine);
      },
    };
  }

  private async destroyFixture(fx: OwnedFixture<E>): Promise<void> {
    // Drop what the test created first, so engines backed by a shared server leave nothing behind.
    for (const ns of fx.namespaces) {
      await fx.engine.dropNamespace(ns).catch(() => {});
    }
    await (this.options.cleanup ? this.options.cleanup(fx.engine) : fx.engine.close());
  }
}
