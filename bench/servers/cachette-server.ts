/**
 * @module bench/servers/cachette-server
 * Child process: a real Cachette server (`startLocalServer`: embedded engine, SQLite metadata in a temporary
 * data dir, the server's GC settings) on free ports (gRPC and HTTP API). Reports its gRPC port, its HTTP API's
 * base URL and its API key over IPC, then answers `stats` requests with `process.memoryUsage()`,
 * `engine.stats()` and GC pauses, so the orchestrator can measure memory per item without a stats endpoint in
 * the server itself.
 *
 * argv[2]: JSON `{ "maxMemoryBytes": number, "redis": boolean, "config"?: Partial<ServerConfig> }` (`redis`: also
 * listen for the Redis protocol; `config` e.g. raises topic limits).
 */
import type { ServerFromSettingsOptions } from '@cachette/server';
import { memoryOf, serveIpc } from '../lib/gc-watch.ts';
import type { ReadyMessage } from '../lib/ipc.ts';
import { startLocalServer } from '../lib/local-server.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as {
  maxMemoryBytes?: number;
  redis?: boolean;
  config?: ServerFromSettingsOptions;
};
const { server, stop } = await startLocalServer({
  ...(options.maxMemoryBytes === undefined ? {} : { maxMemoryBytes: options.maxMemoryBytes }),
  ...(options.redis ? { redisPort: 0 } : {}),
  ...options.config,
});

serveIpc(
  () => {
    const s = server.engine.stats();
    return { ...memoryOf(), engine: { items: s.items, bytesUsed: s.bytesUsed, evictions: s.evictions } };
  },
  () => stop(1_000),
);
process.send?.({
  type: 'ready',
  port: server.grpcPort,
  apiKey: server.devApiKey,
  httpUrl: server.httpUrl,
  ...(server.redisPort === undefined ? {} : { redisPort: server.redisPort }),
} satisfies ReadyMessage);
