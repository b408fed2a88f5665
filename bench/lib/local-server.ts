/**
 * @module bench/lib/local-server
 * The Cachette server the benches run: embedded engine, SQLite metadata in a fresh temporary data dir, free
 * ports, anonymous local access (no plan limiter between the load generator and the engine), silent logs,
 * and the GC settings `cachette server start` applies for its gRPC server. Used in-process by the scripts that
 * drive their own load and by the bench's forked server child.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CachetteServer,
  createServerFromSettings,
  type ServerFromSettingsOptions,
  tuneGarbageCollector,
} from '@cachette/server';

export interface LocalServer {
  readonly server: CachetteServer;
  readonly dataDir: string;
  /** Closes the server (in-flight calls get `graceMs`) and removes its data dir. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts a bench server; `settings` add to or override the defaults above. */
export async function startLocalServer(
  settings: ServerFromSettingsOptions = {},
  dirPrefix = 'cachette-bench-',
): Promise<LocalServer> {
  // As `cachette server start` runs: the benches measure the server users start.
  tuneGarbageCollector(settings.grpcServer === undefined ? {} : { grpcServer: settings.grpcServer });
  const dataDir = mkdtempSync(join(tmpdir(), dirPrefix));
  const server = await createServerFromSettings({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    allowAnonymous: true,
    logLevel: 'silent',
    ...settings,
  });
  return {
    server,
    dataDir,
    async stop(graceMs = 1_000) {
      await server.close(graceMs);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
