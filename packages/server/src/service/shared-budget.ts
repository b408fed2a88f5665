/**
 * @module service/shared-budget
 * Plan rates shared by every gateway of a Valkey deployment. Each cache gets, per one-second window, one
 * counter per resource (requests, bytes) in the cluster. A gateway does not ask the cluster on every call:
 * it leases a slice of the window's budget (a tenth of the plan rate by default) with one `INCRBY` and
 * spends it locally, asking again when it runs out. Leases are only ever granted from what is left of the
 * window's budget, so all gateways together never admit more than the plan, whatever their number.
 * A lease left unspent when its window ends is lost, so a gateway serving a cache rarely leaves at most one
 * slice unused per second.
 */
import type { ValkeyEngine } from '@cachette/engine-valkey';

/** Adds to a counter that every gateway shares, returning the new total. */
export interface SharedCounter {
  add(key: string, amount: number): Promise<number>;
}

// INCRBY and a TTL in one round trip; the TTL outlives the window so late leases still find it.
const ADD_SCRIPT = `local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if n == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return n`;

/** A {@link SharedCounter} in the Valkey deployment of `engine`, under `prefix` (the engine's key prefix). */
export function valkeySharedCounter(engine: ValkeyEngine, prefix: string): SharedCounter {
  const client = engine.client as unknown as {
    eval(script: string, keys: number, key: string, amount: number, ttlMs: number): Promise<number>;
  };
  return {
    add: async (key, amount) => Number(await client.eval(ADD_SCRIPT, 1, `${prefix}rl:${key}`, amount, 60_000)),
  };
}
