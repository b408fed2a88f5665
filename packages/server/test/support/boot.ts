/**
 * @module test/support/boot
 * Boots a real server in-process on a free port with a temporary data dir, and builds official
 * `@gomomento/sdk` clients against it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '@cachette/core';
import {
  type CachetteServer,
  createLogger,
  createServerFromSettings,
  type ServerFromSettingsOptions,
} from '@cachette/server';
import { CacheClient, Configurations, CredentialProvider } from '@gomomento/sdk';

export interface Booted {
  readonly server: CachetteServer;
  readonly dataDir: string;
  /** A client authenticated with the dev API key. */
  client(apiKey?: string, defaultTtlSeconds?: number): Promise<CacheClient>;
  /** A client sending an empty token, as `forMomentoLocal` does. */
  anonymousClient(): Promise<CacheClient>;
  stop(): Promise<void>;
}

/** Starts a server; `stop()` closes every client made here, the server, and removes the data dir. */
export async function boot(options: ServerFromSettingsOptions & { clock?: Clock } = {}): Promise<Booted> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'cachette-test-'));
  const server = await createServerFromSettings({ port: 0, logger: createLogger('silent'), ...options, dataDir });
  const clients: CacheClient[] = [];
  const make = async (credentialProvider: CredentialProvider, defaultTtlSeconds: number) => {
    const client = await CacheClient.create({
      configuration: Configurations.Laptop.v1(),
      credentialProvider,
      defaultTtlSeconds,
    });
    clients.push(client);
    return client;
  };
  return {
    server,
    dataDir,
    client: (apiKey = server.devApiKey, defaultTtlSeconds = 60) =>
      make(keyCredentials(server.grpcAddress, apiKey), defaultTtlSeconds),
    anonymousClient: () =>
      make(CredentialProvider.forMomentoLocal({ hostname: '127.0.0.1', port: server.grpcPort }), 60),
    async stop() {
      for (const c of clients) c.close();
      await server.close();
      if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A cache name unique to one test. */
export function uniqueName(prefix = 'cache'): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Credentials for a v1 API key against a plaintext Cachette at `address` (what users write). */
export function keyCredentials(address: string, apiKey: string): CredentialProvider {
  return CredentialProvider.fromString({
    apiKey,
    endpointOverrides: {
      cacheEndpoint: address,
      controlEndpoint: address,
      tokenEndpoint: address,
      secureConnection: false,
    },
  });
}

/** An official SDK client for `apiKey` against `address`; the caller closes it. */
export function sdkClient(address: string, apiKey: string): Promise<CacheClient> {
  return CacheClient.create({
    configuration: Configurations.Laptop.v1(),
    credentialProvider: keyCredentials(address, apiKey),
    defaultTtlSeconds: 60,
  });
}
