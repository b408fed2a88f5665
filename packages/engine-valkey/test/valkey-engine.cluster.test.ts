import type { RedisCluster } from '@cachette/testing';
import { pollUntil, startRedisCluster } from '@cachette/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValkeyEngine } from '../src/index.ts';
import { slotOf } from '../src/key-layout.ts';
import { testKeyPrefix, valkeyConformance } from './conformance.ts';

// One real 3-master Redis Cluster for the whole file: started once, killed and deleted in afterAll.
const PREFIX = testKeyPrefix();
const TTL_MS = 60_000;
const COMMAND_TIMEOUT_MS = 500;
const bytes = (s: string) => Buffer.from(s, 'latin1');

let cluster: RedisCluster;
beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
});
afterAll(async () => {
  await cluster?.stop();
});

valkeyConformance(() => cluster.url, PREFIX);

describe('ValkeyEngine on a 3-master cluster', () => {
  let engine: ValkeyEngine;
  beforeAll(async () => {
    engine = await ValkeyEngine.connect({
      url: cluster.url,
      keyPrefix: PREFIX,
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
      statsIntervalMs: 0,
    });
  });
  afterAll(async () => {
    await engine?.close();
  });

  /** The master port owning each bucket of `ns` (bucket b = index). */
  const bucketOwners = async (ns: string): Promise<number[]> => {
    const { meta } = engine.layout.of(ns);
    return Promise.all(meta.map(async (key) => cluster.portOfSlot(await cluster.slotOf(key))));
  };

  /** A key of `ns` whose bucket satisfies `wanted(ownerPort)`. */
  const keyWhere = (owners: number[], wanted: (port: number) => boolean, label: string): Uint8Array => {
    for (let i = 0; i < 10_000; i++) {
      const k = bytes(`${label}-${i}`);
      if (wanted(owners[engine.layout.bucketOf(k)]!)) return k;
    }
    throw new Error(`no key found for ${label}`);
  };

  it('one cache’s items are spread over every master (no single hash tag per cache)', async () => {
    await engine.createNamespace('spread');
    const owners = await bucketOwners('spread');
    expect(new Set(owners)).toEqual(new Set(cluster.nodes.map((n) => n.port)));
    const perMaster = new Map<number, number>();
    for (let i = 0; i < 3_000; i++) {
      const port = owners[engine.layout.bucketOf(bytes(`item-${i}`))]!;
      perMaster.set(port, (perMaster.get(port) ?? 0) + 1);
    }
    // Roughly a third each (64 pseudo-random slots over 3 masters): no master holds most of the cache.
    for (const count of perMaster.values()) expect(count).toBeGreaterThan(500);
    await engine.dropNamespace('spread');
  });

  it('scripts are reloaded after SCRIPT FLUSH (NOSCRIPT → EVAL) on every master', async () => {
    await engine.createNamespace('noscript');
    await engine.set('noscript', bytes('k'), bytes('v1'), TTL_MS);
    await Promise.all(
      engine.client instanceof Object && 'nodes' in engine.client
        ? engine.client.nodes('master').map((node) => node.script('FLUSH'))
        : [],
    );
    await engine.set('noscript', bytes('k'), bytes('v2'), TTL_MS);
    expect(await engine.get('noscript', bytes('k'))).toEqual(bytes('v2'));
    expect(await engine.keysExist('noscript', [bytes('k'), bytes('x')])).toEqual([true, false]);
    await engine.dropNamespace('noscript');
  });

  it('slotOf (which keys share a node, for union store) agrees with the server for tagged, plain and binary keys', async () => {
    const { meta, itemPrefix } = engine.layout.of('slots');
    const keys: Uint8Array[] = [
      ...meta.slice(0, 8),
      engine.layout.itemKey(itemPrefix[3]!, bytes('k')),
      bytes('plain-key'),
      bytes('{}empty-tag'),
      bytes('a{b'),
      Buffer.from([0x00, 0xff, 0x7b, 0x80, 0x7d, 0x01]),
    ];
    for (const key of keys) expect(slotOf(key), Buffer.from(key).toString('latin1')).toBe(await cluster.slotOf(key));
  });

  it('sortedSetUnionStore: sources on the destination’s node (other slots) and on other nodes, all combined', async () => {
    const ns = 'union';
    await engine.createNamespace(ns);
    const owners = await bucketOwners(ns);
    const dest = keyWhere(owners, () => true, 'dest');
    const home = owners[engine.layout.bucketOf(dest)]!;
    const destSlot = await cluster.slotOf(engine.layout.of(ns).meta[engine.layout.bucketOf(dest)]!);
    // Same node, another bucket (so another slot): only a script allowed to cross slots can read it.
    let sameNode: Uint8Array | undefined;
    for (let i = 0; sameNode === undefined; i++) {
      const k = keyWhere(owners, (p) => p === home, `near-${i}`);
      if ((await cluster.slotOf(engine.layout.of(ns).meta[engine.layout.bucketOf(k)]!)) !== destSlot) sameNode = k;
    }
    const far = keyWhere(owners, (p) => p !== home, 'far');
    const ttl = { ttlMs: TTL_MS, refreshTtl: true };
    await engine.sortedSetPut(ns, dest, [{ value: bytes('d'), score: 1 }], ttl);
    await engine.sortedSetPut(
      ns,
      sameNode,
      [
        { value: bytes('d'), score: 10 },
        { value: bytes('n'), score: 2 },
      ],
      ttl,
    );
    await engine.sortedSetPut(
      ns,
      far,
      [
        { value: bytes('d'), score: 100 },
        { value: bytes('f'), score: 3 },
      ],
      ttl,
    );
    const sources = [dest, sameNode, far].map((key) => ({ key, weight: 2 }));
    expect(await engine.sortedSetUnionStore(ns, dest, sources, 'sum', TTL_MS)).toBe(3);
    const got = await engine.sortedSetFetchByRank(ns, dest, {}, 'ascending');
    expect(got?.map((e) => `${Buffer.from(e.value).toString()}:${e.score}`)).toEqual(['n:4', 'f:6', 'd:222']);
    await engine.dropNamespace(ns);
  });

  it('a master down: its slots reject UNAVAILABLE within the command timeout, the others keep serving, and it recovers', async () => {
    const ns = 'failover';
    await engine.createNamespace(ns);
    const owners = await bucketOwners(ns);
    const victim = owners[engine.layout.bucketOf(bytes('victim-0'))]!;
    const onVictim = keyWhere(owners, (p) => p === victim, 'victim');
    const elsewhere = [0, 1, 2].map((i) => keyWhere(owners, (p) => p !== victim, `other-${i}`));
    await engine.set(ns, onVictim, bytes('lost with the shard'), TTL_MS);
    for (const k of elsewhere) await engine.set(ns, k, bytes('kept'), TTL_MS);

    await cluster.stopNode(victim);
    try {
      // Several ops at once on the dead shard: each one rejects, none hangs.
      const started = Date.now();
      const results = await Promise.allSettled([
        engine.get(ns, onVictim),
        engine.set(ns, onVictim, bytes('v'), TTL_MS),
        engine.increment(ns, onVictim, 1n, TTL_MS),
        engine.keysExist(ns, [onVictim, ...elsewhere]),
      ]);
      const elapsedMs = Date.now() - started;
      for (const r of results) {
        expect(r.status).toBe('rejected');
        expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'UNAVAILABLE' });
        expect(String((r as PromiseRejectedResult).reason.message)).toMatch(/unavailable/i);
      }
      expect(elapsedMs).toBeLessThan(COMMAND_TIMEOUT_MS + 1_500);

      // The other masters answer normally, reads and writes.
      for (const k of elsewhere) expect(await engine.get(ns, k)).toEqual(bytes('kept'));
      await engine.set(ns, elsewhere[0]!, bytes('written while a master is down'), TTL_MS);
      expect(await engine.get(ns, elsewhere[0]!)).toEqual(bytes('written while a master is down'));
    } finally {
      await cluster.startNode(victim);
    }

    // Back on the same port with the same nodes.conf (same id, same slots). It ran without persistence,
    // so its data (items and its buckets' generation keys) is gone: its buckets answer store_not_found
    // until createNamespace (idempotent) restores them, which a gateway does for every cache it knows.
    await pollUntil('the restarted master answers through the engine', 10_000, async () => {
      try {
        await engine.get(ns, onVictim);
        return true;
      } catch (e) {
        if ((e as { code?: string }).code === 'NOT_FOUND') return true;
        return false;
      }
    });
    await engine.createNamespace(ns);
    expect(await engine.get(ns, onVictim)).toBeUndefined();
    await engine.set(ns, onVictim, bytes('after recovery'), TTL_MS);
    expect(await engine.get(ns, onVictim)).toEqual(bytes('after recovery'));
    for (const k of elsewhere.slice(1)) expect(await engine.get(ns, k)).toEqual(bytes('kept'));
    await engine.dropNamespace(ns);
  });
});
