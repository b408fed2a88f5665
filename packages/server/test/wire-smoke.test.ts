import { CacheGet, CacheSet } from '@gomomento/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Booted, boot, uniqueName } from './support/boot.ts';

describe('smoke', () => {
  let b: Booted;
  beforeAll(async () => {
    b = await boot();
  });
  afterAll(async () => {
    await b.stop();
  });
  it('set then get returns Hit', async () => {
    const client = await b.client();
    const name = uniqueName();
    const created = await client.createCache(name);
    expect(created.toString()).toContain('Success');
    const set = await client.set(name, 'k', 'v');
    expect(set).toBeInstanceOf(CacheSet.Success);
    const got = await client.get(name, 'k');
    expect(got).toBeInstanceOf(CacheGet.Hit);
    expect((got as CacheGet.Hit).valueString()).toBe('v');
  });
});
