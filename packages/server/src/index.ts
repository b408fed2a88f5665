/**
 * @module @cachette/server
 * The Cachette server: protocol-agnostic service, gRPC transport, configuration and `createServer()`.
 */
export {
  defaultConfig,
  parseSize,
  type RawSettings,
  resolveConfig,
  type ServerConfig,
  settingsFromEnv,
} from './config.ts';
export { type CachetteServer, type CreateServerOptions, createServer } from './create-server.ts';
export { createLogger, type Logger } from './logger.ts';
export { CacheService } from './service/cache-service.ts';
export { defaultServiceLimits, type ServiceLimits } from './service/limits.ts';
export { Authenticator, type Principal } from './service/principal.ts';
export type { KeyAccess, KeyInfo, KeyScope } from './service/types.ts';
