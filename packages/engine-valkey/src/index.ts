/**
 * @module @cachette/engine-valkey
 * `ValkeyEngine`: the cache engine over a Valkey/Redis Cluster (or a single node), for stateless gateways
 * that share one cluster.
 */

export { type ConnectionOptions, connectClient, parseValkeyUrl, type ValkeyClient } from './connect.ts';
export { KeyLayout, type NamespaceKeys } from './key-layout.ts';
export { type ValkeyConnectOptions, ValkeyEngine, type ValkeyEngineOptions } from './valkey-engine.ts';
export { ValkeyTopicBus, type ValkeyTopicBusOptions } from './valkey-topic-bus.ts';
