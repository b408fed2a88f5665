/**
 * @module @cachette/testing
 * Test support shared across packages, so no test reaches into another package's `test/` directory: a
 * real Redis Cluster started on free ports (stop and restart masters), cleanup of one key prefix on a
 * shared Redis, and readers for signup e-mails (outbox directory or a real SMTP receiver). Only tests and
 * benches import it; shipped code never does.
 */

export { CHROMIUM_PATH, chromiumAvailable, type LaunchedBrowser, launchChromium } from './browser.ts';
export { deleteKeysMatching } from './keys.ts';
export { apiKeyIn, outbox, startSmtpReceiver } from './mail.ts';
export {
  type ClusterNodeInfo,
  pollUntil,
  type RedisCluster,
  type RedisClusterOptions,
  startRedisCluster,
} from './redis-cluster.ts';
