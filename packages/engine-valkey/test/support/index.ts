/**
 * @module @cachette/engine-valkey/testing
 * Test helpers for anything that needs a real Redis Cluster (engine, gateway and wire tests): start one
 * on free ports, stop and restart masters, clean up a key prefix on a shared server.
 */

export { deleteKeysMatching } from './keys.ts';
export {
  type ClusterNodeInfo,
  pollUntil,
  type RedisCluster,
  type RedisClusterOptions,
  startRedisCluster,
} from './redis-cluster.ts';
