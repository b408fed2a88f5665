/**
 * @module bench/servers/cachette-server
 * Child process: a real Cachette server (`createServerFromSettings` from `@cachette/server`, embedded engine, SQLite
 * metadata in a temporary data dir) on free ports (gRPC and HTTP API). Reports its gRPC port, its HTTP API's
 * base URL and its API key over IPC, then answers `stats` requests with `process.memoryUsage()`,
 * `engine.stats()` and GC pauses, so the orchestrator can measure memory per item without a stats endpoint in
 * the server itself.
 *
 * argv[2]: JSON `{ "maxMemoryBytes": number, "redis": boolean, "config"?: Partial<ServerConfig> }` (`redis`: also
 * listen for the Redis protocol; `config` e.g. raises topic limits).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServerFromSettings, tuneGarbageCollector } from '@cachette/server';
import { memoryOf, serveIpc } from '../lib/gc-watch.ts';
import type { ReadyMessage } from '../lib/ipc.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as {
  maxMemoryBytes?: number;
  redis?: boolean;
  config?: { grpcServer?: 'cachette' | 'grpc-js' };
};
// As `cachette server start` runs: the bench measures the server users start.
tuneGarbageCollector(options.config?.grpcServer === undefined ? {} : { grpcServer: options.config.grpcServer });
const dataDir = mkdtempSync(join(tmpdir(), 'cachette-bench-'));
const server = await createServerFromSettings({
  host: '127.0.0.1',
  port: 0,
  dataDir,
  allowAnonymous: true,
  logLevel: 'silent',
  ...(options.maxMemoryBytes === undefined ? {} : { maxMemoryBytes: options.maxMemoryBytes }),
  ...(options.redis ? { redisPort: 0 } : {}),
  ...options.config,
});

serveIpc(
  () => {
    const s = server.engine.stats();
    return { ...memoryOf(), engine: { items: s.items, bytesUsed: s.bytesUsed, evictions: s.evictions } };
  },
  async () => {
    await server.close(1_000);
    rmSync(dataDir, { recursive: true, force: true });
  },
);
process.send?.({
  type: 'ready',
  port: server.grpcPort,
  apiKey: server.devApiKey,
  httpUrl: server.httpUrl,
  ...(server.redisPort === undefined ? {} : { redisPort: server.redisPort }),
} satisfies ReadyMessage);
