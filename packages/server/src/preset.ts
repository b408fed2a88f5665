/**
 * @module preset
 * The standard server chosen from configuration: locks the data directory, opens the metadata store
 * (SQLite under the data dir, or PostgreSQL), and the engine the settings name. The Valkey engine (and
 * its Redis client) is imported only when `engine: 'valkey'` asks for it. `createServer` then wires them.
 */

import { totalmem } from 'node:os';
import { join } from 'node:path';
import { type Clock, systemClock } from '@cachette/core';
import { type CacheEngine, MemoryEngine, type TopicBus } from '@cachette/engine';
import { type MetadataStore, openMetadata } from '@cachette/metadata';
import { completeConfig, type ServerConfig } from './config.ts';
import { type CachetteServer, createServer } from './create-server.ts';
import { checkDataDir, ensurePrivateFile, lockDataDir } from './data-dir.ts';
import { createLogger, type Logger } from './logger.ts';
import { type SharedCounter, valkeySharedCounter } from './service/shared-budget.ts';
import { Teardown } from './shutdown.ts';

/** Settings (missing ones take their defaults) plus parts that replace what the settings would choose. */
export interface ServerFromSettingsOptions extends Partial<ServerConfig> {
  /** An engine instance to use instead of the one `engine` names (the server closes it). */
  readonly engineInstance?: CacheEngine;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** How often the TLS certificate and key files are checked for a renewal, in ms. Default 10 000. */
  readonly tlsWatchIntervalMs?: number;
  /**
   * The caller already holds the data-dir lock for this server (a worker of `--workers`, whose primary
   * took it): the directory is checked but not locked again, and the lock is not released at close.
   */
  readonly dataDirLockHeld?: boolean;
}

/**
 * Warns when the embedded engine may grow past the machine's memory: the OS kills the process before
 * eviction ever starts, so `--max-memory` above physical memory is almost always a typo (`1tb`).
 */
function warnOnOversizedMemory(config: ServerConfig, logger: Logger): void {
  if (config.engine !== 'memory') return;
  const physical = totalmem();
  if (config.maxMemoryBytes <= physical) return;
  const gib = (n: number) => `${(n / 1024 ** 3).toFixed(1)} GiB`;
  logger.warn(
    `--max-memory ${gib(config.maxMemoryBytes)} exceeds this machine's physical memory (${gib(physical)}): items are evicted only at the limit, so the process may be killed for lack of memory first; choose a value below ${gib(physical)}`,
  );
}

/** The engine `config.engine` names; Valkey's module is loaded here, on first use only. */
async function openEngine(
  config: ServerConfig,
  clock: Clock,
): Promise<{ engine: CacheEngine; sharedCounter?: SharedCounter; topicBus?: TopicBus }> {
  if (config.engine === 'memory') {
    // maxItemBytes: only the engine sees a collection's total, which counts against the item-size limit.
    const maxItemBytes = config.limits.maxItemSizeBytes;
    return { engine: new MemoryEngine({ maxBytes: config.maxMemoryBytes, clock, maxItemBytes }) };
  }
  const { ValkeyEngine, ValkeyTopicBus } = await import('@cachette/engine-valkey');
  const engine = await ValkeyEngine.connect({
    url: config.valkeyUrl,
    clock,
    maxItemBytes: config.limits.maxItemSizeBytes,
    ...(config.valkeyKeyPrefix ? { keyPrefix: config.valkeyKeyPrefix } : {}),
  });
  // Gateways sharing the cluster share plan budgets and topics there too.
  const keyPrefix = config.valkeyKeyPrefix ?? 'cachette:';
  return {
    engine,
    sharedCounter: valkeySharedCounter(engine, keyPrefix),
    topicBus: new ValkeyTopicBus(engine.client, { keyPrefix }),
  };
}

/**
 * Caches outlive the process in metadata; the embedded engine's namespaces do not, so re-create them.
 * A shared engine keeps its namespaces, and big deployments skip this: the service re-creates a namespace
 * the first time a call finds it missing.
 */
async function restoreNamespaces(engine: CacheEngine, metadata: MetadataStore): Promise<void> {
  for (const cache of await metadata.listAllCaches()) await engine.createNamespace(cache.id);
}

/**
 * Starts a server from settings: embedded everything under `dataDir` by default. Fails with a
 * {@link CacheError}: UNAVAILABLE when the data dir is locked by another server, a port is taken or the
 * metadata database is corrupt or unreachable; INVALID_ARGUMENT for bad settings. Anything opened before
 * the failure is closed again.
 */
export async function createServerFromSettings(options: ServerFromSettingsOptions = {}): Promise<CachetteServer> {
  const {
    engineInstance,
    clock: givenClock,
    logger: givenLogger,
    tlsWatchIntervalMs,
    dataDirLockHeld,
    ...settings
  } = options;
  const config = completeConfig(settings);
  const clock = givenClock ?? systemClock;
  const logger = givenLogger ?? createLogger(config.logLevel);
  warnOnOversizedMemory(config, logger);
  // Until createServer owns the parts, closing them on failure is ours; after, it is createServer's.
  const opened = new Teardown();
  let parts: {
    engine: CacheEngine;
    metadata: MetadataStore;
    releaseLock: () => void;
    sharedCounter: SharedCounter | undefined;
    topicBus: TopicBus | undefined;
  };
  try {
    const lock =
      dataDirLockHeld === true ? { ...checkDataDir(config.dataDir), release: () => {} } : lockDataDir(config.dataDir);
    opened.push(() => lock.release());
    for (const path of lock.tightened) {
      logger.warn({ path }, `${path} was readable by other users; its mode is now owner-only`);
    }
    const sqlitePath = join(config.dataDir, 'metadata.db');
    // SQLite would create the file under the umask (usually 0644); -wal and -shm copy the file's mode.
    if (config.databaseUrl === undefined) ensurePrivateFile(sqlitePath);
    const metadata = await openMetadata({
      databaseUrl: config.databaseUrl,
      sqlitePath,
      clock,
      schema: config.databaseSchema,
    });
    opened.push(() => metadata.close());
    const { engine, sharedCounter, topicBus } = engineInstance
      ? { engine: engineInstance, sharedCounter: undefined, topicBus: undefined }
      : await openEngine(config, clock);
    opened.push(() => engine.close());
    if (config.engine === 'memory' && engineInstance === undefined) await restoreNamespaces(engine, metadata);
    parts = { engine, metadata, releaseLock: () => lock.release(), sharedCounter, topicBus };
  } catch (e) {
    await opened.run();
    throw e;
  }
  const { engine, metadata, releaseLock, sharedCounter, topicBus } = parts;
  return createServer({
    config,
    engine,
    metadata,
    clock,
    logger,
    onClosed: releaseLock,
    ...(sharedCounter ? { sharedCounter } : {}),
    ...(topicBus ? { topicBus } : {}),
    ...(tlsWatchIntervalMs === undefined ? {} : { tlsWatchIntervalMs }),
  });
}
