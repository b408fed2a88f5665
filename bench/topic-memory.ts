/**
 * @module bench/topic-memory
 * `node --import tsx bench/topic-memory.ts [--subscriptions N]`: server memory per idle topic subscription.
 * A Cachette child process (embedded engine) takes N subscriptions (default 5 000) over raw grpc-js
 * streams, 500 per connection, spread over 100 topics; the server's heap and RSS after a forced GC are
 * compared with the same server before. Each subscription has had its first heartbeat and then sits idle.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pubsub } from '@gomomento/generated-types';
import { CacheClient, Configurations, CredentialProvider } from '@gomomento/sdk';
import { credentials } from '@grpc/grpc-js';
import { installCleanup, TsChild } from './lib/children.ts';
import type { ReadyMessage, ServerStats } from './lib/ipc.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const { values } = parseArgs({ options: { subscriptions: { type: 'string', default: '5000' } } });
const N = Number(values.subscriptions);
const pb = pubsub.cache_client.pubsub;

installCleanup();
const child = new TsChild(join(here, 'servers/cachette-server.ts'), {
  config: {
    topics: {
      maxMessageBytes: 4096,
      maxSubscriptionsPerCache: N + 10,
      publishesPerSecond: 1000,
      maxQueuedMessages: 1024,
      maxQueuedBytes: 1024 * 1024,
      heartbeatIntervalMs: 60_000,
    },
  },
});
const ready = await child.waitFor<ReadyMessage>('ready');
const cc = await CacheClient.create({
  configuration: Configurations.Laptop.v1(),
  credentialProvider: CredentialProvider.forMomentoLocal({ hostname: '127.0.0.1', port: ready.port }),
  defaultTtlSeconds: 60,
});
await cc.createCache('mem');
cc.close();
const stats = async () => (await child.request({ type: 'stats', forceGc: true })).stats as ServerStats;
const before = await stats();

const clients: InstanceType<typeof pb.PubsubClient>[] = [];
const streams: Array<{ cancel(): void }> = [];
let firstMessages = 0;
await new Promise<void>((resolve) => {
  for (let i = 0; i < N; i++) {
    if (i % 500 === 0) {
      clients.push(
        new pb.PubsubClient(`127.0.0.1:${ready.port}`, credentials.createInsecure(), {
          'grpc.use_local_subchannel_pool': 1,
        }),
      );
    }
    const call = (clients.at(-1) as InstanceType<typeof pb.PubsubClient>).Subscribe(
      new pb._SubscriptionRequest({ cache_name: 'mem', topic: `t${i % 100}` }),
    );
    let counted = false;
    call.on('data', () => {
      if (counted) return;
      counted = true;
      firstMessages += 1;
      if (firstMessages === N) resolve();
    });
    call.on('error', () => undefined);
    streams.push(call);
  }
});
const after = await stats();
const per = (a: number, b: number) => ((b - a) / N).toFixed(0);
process.stdout.write(
  `${N} idle subscriptions: server heap +${per(before.heapUsedBytes, after.heapUsedBytes)} B each, ` +
    `RSS +${per(before.rssBytes, after.rssBytes)} B each (heap ${(before.heapUsedBytes / 2 ** 20).toFixed(1)} → ${(after.heapUsedBytes / 2 ** 20).toFixed(1)} MiB, RSS ${(before.rssBytes / 2 ** 20).toFixed(1)} → ${(after.rssBytes / 2 ** 20).toFixed(1)} MiB)\n`,
);
for (const s of streams) s.cancel();
for (const c of clients) c.close();
await child.stop();
process.exit(0);
