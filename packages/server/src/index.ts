/**
 * @module @cachette/server
 * The Cachette server: protocol-agnostic service, transports, the composition root `createServer()` and
 * the preset `createServerFromSettings()`. Settings live in the light `@cachette/server/config` entry,
 * re-exported here.
 */
export * from './config.ts';
export { type CachetteServer, createServer, type ServerParts } from './create-server.ts';
export { HEAP_GROWING_PERCENT, tuneGarbageCollector } from './gc-tuning.ts';
export { createLogger, type Logger } from './logger.ts';
export { createMailer, type Mailer } from './mail/mailer.ts';
export { createServerFromSettings, type ServerFromSettingsOptions } from './preset.ts';
export { CacheService } from './service/cache-service.ts';
export { defaultServiceLimits, type ServiceLimits } from './service/limits.ts';
export { Authenticator, type Principal } from './service/principal.ts';
export type { KeyAccess, KeyInfo, KeyScope } from './service/types.ts';
