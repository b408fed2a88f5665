/**
 * Change notifications between two stores on one PostgreSQL schema (LISTEN/NOTIFY), including after the
 * listening connection was lost and re-established.
 */

import { afterAll, describe, expect, it } from 'vitest';
import type { MetadataChange, MetadataStore } from '../src/index.ts';
import { openPostgresMetadata } from '../src/index.ts';
import { POSTGRES_URL, PostgresTestSchemas } from './postgres-harness.ts';

const schemas = new PostgresTestSchemas();
afterAll(async () => {
  await schemas.dispose();
});

/** Resolves with the first change `store` reports that satisfies `want`. */
function next(store: MetadataStore, want: MetadataChange): Promise<MetadataChange> {
  return new Promise((resolve) => {
    const off = store.onChange((change) => {
      if (change === want) {
        off();
        resolve(change);
      }
    });
  });
}

describe('onChange over PostgreSQL', () => {
  it('a revocation, a cache change and a plan change through one store reach the other', async () => {
    const schema = schemas.newSchema();
    const [a, b] = await Promise.all([
      openPostgresMetadata({ url: POSTGRES_URL, schema }),
      openPostgresMetadata({ url: POSTGRES_URL, schema }),
    ]);
    try {
      const account = await a.createAccount({ provider: 'local', region: 'local' });
      const { key } = await a.createApiKey({ accountId: account.id });

      const keys = next(b, 'apiKeys');
      const local = next(a, 'apiKeys');
      await a.revokeApiKey(account.id, key.id, 1);
      expect(await local).toBe('apiKeys'); // the writer's own process hears it at once
      expect(await keys).toBe('apiKeys');

      const caches = next(b, 'caches');
      await a.createCache(account.id, 'c');
      expect(await caches).toBe('caches');

      const plans = next(b, 'plans');
      await a.setAccountPlan(account.id, 'unlimited');
      expect(await plans).toBe('plans');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('a store whose listening connection is killed reconnects and reports every kind of change', async () => {
    const schema = schemas.newSchema();
    const store = await openPostgresMetadata({ url: POSTGRES_URL, schema });
    try {
      const seen = new Set<MetadataChange>();
      const all = new Promise<void>((resolve) => {
        store.onChange((change) => {
          seen.add(change);
          if (seen.size === 3) resolve();
        });
      });
      // Kill this store's LISTEN connection from the outside, as a network failure or a DBA would.
      await schemas.admin.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'cachette-listen' and query like $1",
        [`LISTEN "cachette_changes_${schema}%`],
      );
      await all;
      expect([...seen].sort()).toEqual(['apiKeys', 'caches', 'plans']);
    } finally {
      await store.close();
    }
  });
});
