import { CacheGet, CacheSet } from '@gomomento/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Booted, boot, uniqueName } from './support/boot.ts';

// The same smoke test on both gRPC servers: our own HTTP/2 (the default) and the grpc-js fallback
// (`--grpc-server grpc-js`), which operators can switch to without a rebuild.
describe.each(['cachette', 'grpc-js'] as const)('smoke (--grpc-server %s)', (grpcServer) => {
  let b: Booted;
  beforeAll(async () => {
    b = await boot({ grpcServer });
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
