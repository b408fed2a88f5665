/**
 * @module conditional
 * Every `setIf` condition against every prior state, both outcomes, with expired items counting as absent.
 */

import type { CacheEngine, SetCondition } from '@cachette/engine';
import { expectBytes, utf8 } from './bytes.ts';
import type { Fixture, Suite } from './harness.ts';

const TTL_MS = 10_000;
const NEW_TTL_MS = 30_000;

type Kind = SetCondition['kind'];
type State = 'absent' | 'expired' | 'equal' | 'different';

const STATE_LABEL: Record<State, string> = {
  absent: 'the key is absent',
  expired: 'the key has expired (counts as absent)',
  equal: 'the stored value equals the compared value',
  different: 'the stored value differs from the compared value',
};

/** Whether each condition stores, per prior state: the contract in one table. */
const STORES: Record<Kind, Record<State, boolean>> = {
  absent: { absent: true, expired: true, equal: false, different: false },
  present: { absent: false, expired: false, equal: true, different: true },
  equal: { absent: false, expired: false, equal: true, different: false },
  notEqual: { absent: true, expired: true, equal: false, different: true },
  presentAndNotEqual: { absent: false, expired: false, equal: false, different: true },
  absentOrEqual: { absent: true, expired: true, equal: true, different: false },
};

const COMPARED = utf8('compared');
const OTHER = utf8('other');
const NEW_VALUE = utf8('new value');

function condition(kind: Kind, value: Uint8Array): SetCondition {
  return kind === 'absent' || kind === 'present' ? { kind } : { kind, value };
}

/** Puts the key into `state`; returns what `get` should see if setIf does not store. */
async function arrange<E extends CacheEngine>(
  fx: Fixture<E>,
  k: Uint8Array,
  state: State,
): Promise<Uint8Array | undefined> {
  switch (state) {
    case 'absent':
      return undefined;
    case 'expired':
      // Stored with the compared bytes, so an engine that forgets the TTL would see "equal".
      await fx.engine.set(fx.ns, k, COMPARED, 1_000);
      fx.clock.advance(1_000);
      return undefined;
    case 'equal':
      await fx.engine.set(fx.ns, k, COMPARED, TTL_MS);
      return COMPARED;
    case 'different':
      await fx.engine.set(fx.ns, k, OTHER, TTL_MS);
      return OTHER;
  }
}

/** Registers the conditional-write tests. */
export function conditionalTests<E extends CacheEngine>(s: Suite<E>): void {
  const { expect } = s;
  s.group('conditional', {}, () => {
    for (const [kind, byState] of Object.entries(STORES) as [Kind, Record<State, boolean>][]) {
      for (const [state, stores] of Object.entries(byState) as [State, boolean][]) {
        const outcome = stores ? 'stores and returns true' : 'returns false and leaves the key unchanged';
        s.test(
          `setIf(${kind}) ${outcome} when ${STATE_LABEL[state]}`,
          async (fx) => {
            const k = fx.key();
            const before = await arrange(fx, k, state);
            const result = await fx.engine.setIf(fx.ns, k, NEW_VALUE, NEW_TTL_MS, condition(kind, COMPARED));
            expect(result).toBe(stores);
            const got = await fx.engine.get(fx.ns, k);
            if (stores) {
              expectBytes(expect, got, NEW_VALUE);
              expect(await fx.engine.itemGetTtl(fx.ns, k)).toBe(NEW_TTL_MS);
            } else if (before === undefined) {
              expect(got).toBeUndefined();
            } else {
              expectBytes(expect, got, before);
              expect(await fx.engine.itemGetTtl(fx.ns, k)).toBe(TTL_MS);
            }
          },
          state === 'expired' ? { needs: ['manualClock'] } : {},
        );
      }
    }

    s.test('setIf(equal) compares whole byte strings: a stored prefix is not equal', async ({ engine, ns, key }) => {
      const k = key();
      await engine.set(ns, k, utf8('abc'), TTL_MS);
      expect(await engine.setIf(ns, k, NEW_VALUE, TTL_MS, { kind: 'equal', value: utf8('ab') })).toBe(false);
      expect(await engine.setIf(ns, k, NEW_VALUE, TTL_MS, { kind: 'equal', value: utf8('abcd') })).toBe(false);
      expectBytes(expect, await engine.get(ns, k), utf8('abc'));
    });

    s.test('setIf(equal) compares bytes above 0x7f exactly', async ({ engine, ns, key }) => {
      const k = key();
      await engine.set(ns, k, Uint8Array.of(0x00, 0xff, 0x80), TTL_MS);
      const near = { kind: 'equal', value: Uint8Array.of(0x00, 0x7f, 0x80) } as const;
      expect(await engine.setIf(ns, k, NEW_VALUE, TTL_MS, near)).toBe(false);
      const same = { kind: 'equal', value: Uint8Array.of(0x00, 0xff, 0x80) } as const;
      expect(await engine.setIf(ns, k, NEW_VALUE, TTL_MS, same)).toBe(true);
      expectBytes(expect, await engine.get(ns, k), NEW_VALUE);
    });

    s.test('setIf(absent) stores exactly once when two writers race', async ({ engine, ns, key }) => {
      const k = key();
      const results = await Promise.all([
        engine.setIf(ns, k, utf8('one'), TTL_MS, { kind: 'absent' }),
        engine.setIf(ns, k, utf8('two'), TTL_MS, { kind: 'absent' }),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    s.test('setIf rejects INVALID_ARGUMENT for an invalid ttlMs and stores nothing', async ({ engine, ns, key }) => {
      const k = key();
      await expect(engine.setIf(ns, k, NEW_VALUE, 0, { kind: 'absent' })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
      expect(await engine.get(ns, k)).toBeUndefined();
    });
  });
}
