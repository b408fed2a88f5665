/**
 * @module fuzz/lib/server-child
 * The server under fuzz, in its own process so a stall there cannot stall the fuzzer's clock. Boots
 * `createServer` on free ports (gRPC, HTTP and the Redis protocol) with a temporary data dir, lists the HTTP routes from the Fastify instance,
 * and prints one JSON line: `{ grpcPort, httpPort, redisPort, apiKey, secret, routes }`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, createServerFromSettings } from '@cachette/server';
import { createHttpServer } from '../../packages/server/src/transports/http/http-server.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'cachette-fuzz-'));
const server = await createServerFromSettings({
  port: 0,
  redisPort: 0,
  dataDir,
  logger: createLogger('silent'),
  ...JSON.parse(process.argv[2] ?? '{}'),
});

// Fastify keeps no public route list: build the same app once more (never listening) and read its tree.
const shadow = createHttpServer({
  usageReport: async () => {
    throw new Error('not served');
  },
  service: server.service,
  topics: server.topics,
  webhooks: server.webhooks,
  accounts: server.accounts,
  auth: server.auth,
  logger: createLogger('silent'),
  bodyLimitBytes: 1024,
  metrics: undefined,
});
await shadow.ready();
const routes: Array<{ method: string; url: string }> = [];
// Tree lines look like `│   └── /:id (DELETE)`: the column of the branch gives the depth, and a node's
// path continues its parent's; `:name|:cache` is one parameter with two names.
const stack: string[] = [];
for (const line of shadow.printRoutes({ commonPrefix: false }).split('\n')) {
  const m = /^([│ ]*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?/.exec(line);
  if (!m) continue;
  const depth = (m[1] ?? '').length / 4;
  const path = (stack[depth - 1] ?? '') + (m[2] ?? '').replace(/\|:\w+/g, '');
  stack[depth] = path;
  stack.length = depth + 1;
  if (path === '*' || m[3] === undefined) continue;
  for (const method of m[3].split(', ')) routes.push({ method, url: path });
}
await shadow.close();
routes.push({ method: 'GET', url: '/metrics' });

const secret = (JSON.parse(Buffer.from(server.devApiKey, 'base64').toString()) as { api_key: string }).api_key;
process.stdout.write(
  `${JSON.stringify({ grpcPort: server.grpcPort, httpPort: server.httpPort, redisPort: server.redisPort, apiKey: server.devApiKey, secret, routes })}\n`,
);

const stop = async () => {
  await server.close(1000);
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
// The fuzzer holds our stdin: when it dies, however it dies, we stop too.
process.stdin.on('end', () => void stop());
process.stdin.resume();
process.on('SIGINT', () => void stop());
