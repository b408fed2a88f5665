/** CacheDirectory on its own: what it caches, for how long, and when it forgets. */
import { ErrorCode, ManualClock } from '@cachette/core';
import { type MetadataStore, openSqliteMetadata } from '@cachette/metadata';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CacheDirectory } from '../../src/service/cache-directory.ts';

describe('CacheDirectory', () => {
  let clock: ManualClock;
  let metadata: MetadataStore;
  let directory: CacheDirectory;
  let accountId: string;

  beforeEach(async () => {
    clock = new ManualClock();
    metadata = await openSqliteMetadata({ path: ':memory:', clock });
    accountId = (await metadata.createAccount({ provider: 'aws', region: 'us-west-2' })).id;
    directory = new CacheDirectory(metadata, clock, 5000, 1000);
  });
  afterEach(() => metadata.close());

  it('resolve() returns the record; an unknown cache is NOT_FOUND naming it', async () => {
    const record = await metadata.createCache(accountId, 'c');
    expect(await directory.resolve(accountId, 'c')).toEqual(record);
    await expect(directory.resolve(accountId, 'ghost')).rejects.toMatchObject({
      code: ErrorCode.NOT_FOUND,
      message: "cache 'ghost' not found",
    });
  });

  it('a found cache is reused for ttlMs: a deletion by another server is seen only after that', async () => {
    await metadata.createCache(accountId, 'c');
    await directory.resolve(accountId, 'c');
    await metadata.deleteCache(accountId, 'c');
    clock.advance(4999);
    await directory.resolve(accountId, 'c');
    clock.advance(1);
    await expect(directory.resolve(accountId, 'c')).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
  });

  it('a missing cache is remembered for negativeTtlMs: a creation by another server is seen after that', async () => {
    await expect(directory.resolve(accountId, 'c')).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
    await metadata.createCache(accountId, 'c');
    await expect(directory.resolve(accountId, 'c')).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
    clock.advance(1000);
    expect((await directory.resolve(accountId, 'c')).name).toBe('c');
  });

  it('forget() and clear() make the next resolve() read the store again', async () => {
    await expect(directory.resolve(accountId, 'a')).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
    await expect(directory.resolve(accountId, 'b')).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
    await metadata.createCache(accountId, 'a');
    await metadata.createCache(accountId, 'b');
    directory.forget(accountId, 'a');
    expect((await directory.resolve(accountId, 'a')).name).toBe('a');
    await expect(directory.resolve(accountId, 'b')).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
    directory.clear();
    expect((await directory.resolve(accountId, 'b')).name).toBe('b');
  });

  it('names are per account: the same name in two accounts resolves to two caches', async () => {
    const other = (await metadata.createAccount({ provider: 'aws', region: 'us-west-2' })).id;
    const mine = await metadata.createCache(accountId, 'c');
    const theirs = await metadata.createCache(other, 'c');
    expect((await directory.resolve(accountId, 'c')).id).toBe(mine.id);
    expect((await directory.resolve(other, 'c')).id).toBe(theirs.id);
    expect(mine.id).not.toBe(theirs.id);
  });
});
