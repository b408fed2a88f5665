/**
 * @module bench/topics
 * `node --import tsx bench/topics.ts [--quick] [--json FILE] [--latency-messages N] [--fanout-messages N]`: Momento Topics on Cachette beside Redis
 * PUBLISH/SUBSCRIBE, in one run on this machine.
 *
 * - publish→receive latency: one publisher and one subscriber, one message at a time (the next is
 *   published once the previous arrived), 100-byte messages; p50/p99 from the publish call to the
 *   subscriber's callback.
 * - fan-out: one publisher, 1/10/100 subscribers of one topic; the publisher keeps 32 publishes in flight;
 *   throughput = messages delivered to all subscribers per second (deliveries/s) and messages published
 *   per second, timed until the last subscriber got the last message.
 *
 * Cachette runs in a child process (embedded engine, topic limits raised so the plan does not throttle the
 * bench) and is driven by the official `TopicClient`; Redis is a private `redis-server` driven by ioredis.
 * Both clients live in this process, so both are client-bound alike (check the CPU note in the output).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  CacheClient,
  Configurations,
  CredentialProvider,
  TopicClient,
  TopicConfigurations,
  TopicPublish,
  TopicSubscribe,
} from '@gomomento/sdk';
import { Redis } from 'ioredis';
import { installCleanup, killAll, TsChild } from './lib/children.ts';
import type { ReadyMessage } from './lib/ipc.ts';
import { startRedis } from './lib/redis.ts';

const here = dirname(fileURLToPath(import.meta.url));
const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'string' },
    'latency-messages': { type: 'string' },
    'fanout-messages': { type: 'string' },
  },
});
const quick = flags.quick;
const LATENCY_MESSAGES = Number(flags['latency-messages'] ?? (quick ? 200 : 2000));
const FANOUT_MESSAGES = Number(flags['fanout-messages'] ?? (quick ? 300 : 3000));
const FANOUTS = [1, 10, 100] as const;
const IN_FLIGHT = 32;
const MESSAGE = 'm'.repeat(100);
const CACHE = 'bench-topics';
/** A fan-out run ends this long after the last delivery even if some never came (see fanOut). */
const STALL_MS = 15_000;

/** Fan-out figures of one run; `delivered` < `expected` when deliveries were lost (the run then stopped). */
interface FanOutResult {
  subscribers: number;
  messagesPerSecond: number;
  deliveriesPerSecond: number;
  cpuPercent: number;
  delivered: number;
  expected: number;
}

/** One system's publish/subscribe, as the bench drives it. */
interface PubSub {
  readonly name: string;
  /** Subscribes; `onMessage` gets each message. Resolves once the subscription is live. */
  subscribe(topic: string, onMessage: (value: string) => void): Promise<() => void>;
  publish(topic: string, value: string): Promise<void>;
  close(): Promise<void>;
}

async function cachette(): Promise<PubSub & { child: TsChild }> {
  const child = new TsChild(join(here, 'servers/cachette-server.ts'), {
    config: {
      topics: {
        maxMessageBytes: 4096,
        maxSubscriptionsPerCache: 10_000,
        publishesPerSecond: 1_000_000_000,
        maxQueuedMessages: 100_000,
        maxQueuedBytes: 256 * 1024 * 1024,
        heartbeatIntervalMs: 5000,
      },
    },
  });
  const ready = await child.waitFor<ReadyMessage>('ready');
  const address = `127.0.0.1:${ready.port}`;
  const credentialProvider = CredentialProvider.forMomentoLocal({ hostname: '127.0.0.1', port: ready.port });
  const cc = await CacheClient.create({
    configuration: Configurations.Laptop.v1(),
    credentialProvider,
    defaultTtlSeconds: 60,
  });
  await cc.createCache(CACHE);
  cc.close();
  const client = () => new TopicClient({ configuration: TopicConfigurations.Default.latest(), credentialProvider });
  const publisher = client();
  // One TopicClient per 50 subscribers: one HTTP/2 connection carries at most 100 streams.
  const subscriberClients: TopicClient[] = [];
  let subscriptions = 0;
  return {
    name: `Cachette (${address}, TopicClient)`,
    child,
    async subscribe(topic, onMessage) {
      if (subscriptions % 50 === 0) subscriberClients.push(client());
      subscriptions += 1;
      const r = await (subscriberClients.at(-1) as TopicClient).subscribe(CACHE, topic, {
        onItem: (item) => onMessage(item.valueString()),
      });
      if (!(r instanceof TopicSubscribe.Subscription)) throw new Error(`subscribe failed: ${r.toString()}`);
      return () => r.unsubscribe();
    },
    async publish(topic, value) {
      const r = await publisher.publish(CACHE, topic, value);
      if (!(r instanceof TopicPublish.Success)) throw new Error(`publish failed: ${r.toString()}`);
    },
    async close() {
      await child.stop();
    },
  };
}

async function redis(): Promise<PubSub> {
  const server = await startRedis();
  const publisher = new Redis({ host: '127.0.0.1', port: server.port });
  const subscribers: Redis[] = [];
  return {
    name: `Redis (${server.port}, ioredis)`,
    async subscribe(topic, onMessage) {
      const sub = new Redis({ host: '127.0.0.1', port: server.port });
      subscribers.push(sub);
      sub.on('message', (_channel: string, message: string) => onMessage(message));
      await sub.subscribe(topic);
      // Not awaited by the caller: a reply still pending when close() disconnects is rejected with
      // "Connection is closed", which must not become an unhandled rejection (it ended the process in CI).
      return () => {
        sub.unsubscribe(topic).catch(() => undefined);
      };
    },
    async publish(topic, value) {
      await publisher.publish(topic, value);
    },
    async close() {
      // QUIT waits for the replies still pending (unsubscribes); a connection already gone is fine.
      await Promise.all([...subscribers, publisher].map((c) => c.quit().catch(() => undefined)));
      await server.stop();
    },
  };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

async function latency(sys: PubSub): Promise<{ p50Ms: number; p99Ms: number; messages: number }> {
  let arrived: (() => void) | undefined;
  const unsubscribe = await sys.subscribe('latency', () => arrived?.());
  const samples: number[] = [];
  for (let i = 0; i < LATENCY_MESSAGES + 20; i++) {
    const got = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const t0 = performance.now();
    await sys.publish('latency', MESSAGE);
    await got;
    if (i >= 20) samples.push(performance.now() - t0); // the first 20 warm the path up
  }
  unsubscribe();
  samples.sort((a, b) => a - b);
  return { p50Ms: percentile(samples, 0.5), p99Ms: percentile(samples, 0.99), messages: samples.length };
}

async function fanOut(sys: PubSub, subscribers: number): Promise<FanOutResult> {
  const topic = `fanout-${subscribers}`;
  let delivered = 0;
  const total = FANOUT_MESSAGES * subscribers;
  let allIn: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    allIn = resolve;
  });
  const unsubs: Array<() => void> = [];
  for (let s = 0; s < subscribers; s++) {
    unsubs.push(
      await sys.subscribe(topic, () => {
        delivered += 1;
        if (delivered === total) allIn();
      }),
    );
  }
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < FANOUT_MESSAGES) {
      next += 1;
      await sys.publish(topic, MESSAGE);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  // A subscription the client lost (the official SDK resubscribes after a deadline when its process is
  // overloaded) misses messages for good: stop once deliveries stall instead of waiting forever, and say so.
  let lastCount = -1;
  let lastAt = performance.now();
  await Promise.race([
    done,
    new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (delivered !== lastCount) {
          lastCount = delivered;
          lastAt = performance.now();
        } else if (performance.now() - lastAt > STALL_MS) {
          clearInterval(timer);
          resolve();
        }
      }, 250);
      void done.then(() => clearInterval(timer));
    }),
  ]);
  const complete = delivered === total;
  const seconds = ((complete ? performance.now() : lastAt) - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  for (const u of unsubs) u();
  return {
    subscribers,
    messagesPerSecond: FANOUT_MESSAGES / seconds,
    deliveriesPerSecond: total / seconds,
    cpuPercent: ((cpu.user + cpu.system) / 1000 / (seconds * 1000)) * 100,
    delivered,
    expected: total,
  };
}

async function main(): Promise<void> {
  installCleanup();
  const results: Record<string, unknown> = { quick, startedAt: new Date().toISOString(), systems: [] };
  for (const make of [cachette, redis]) {
    const sys = await make();
    try {
      process.stderr.write(`topics bench: ${sys.name}: latency…\n`);
      const lat = await latency(sys);
      const fan = [];
      for (const n of FANOUTS) {
        process.stderr.write(`topics bench: ${sys.name}: fan-out to ${n}…\n`);
        fan.push(await fanOut(sys, n));
      }
      (results.systems as unknown[]).push({ name: sys.name, latency: lat, fanOut: fan });
    } finally {
      await sys.close();
    }
  }
  const rows = results.systems as Array<{
    name: string;
    latency: { p50Ms: number; p99Ms: number };
    fanOut: FanOutResult[];
  }>;
  const out: string[] = ['', 'Topics: publish→receive latency (1 publisher, 1 subscriber, 100 B messages)'];
  for (const r of rows)
    out.push(`  ${r.name.padEnd(44)} p50 ${r.latency.p50Ms.toFixed(2)} ms   p99 ${r.latency.p99Ms.toFixed(2)} ms`);
  out.push('', `Topics: fan-out (1 publisher, ${IN_FLIGHT} publishes in flight, ${FANOUT_MESSAGES} messages)`);
  for (const r of rows) {
    for (const f of r.fanOut) {
      out.push(
        `  ${r.name.padEnd(44)} ${String(f.subscribers).padStart(3)} subscribers: ${Math.round(f.messagesPerSecond).toLocaleString('en-US').padStart(8)} msg/s, ${Math.round(f.deliveriesPerSecond).toLocaleString('en-US').padStart(9)} deliveries/s (client CPU ${Math.round(f.cpuPercent)} %)${f.delivered < f.expected ? ` — INCOMPLETE: ${f.delivered.toLocaleString('en-US')} of ${f.expected.toLocaleString('en-US')} delivered, deliveries stalled` : ''}`,
      );
    }
  }
  process.stdout.write(`${out.join('\n')}\n`);
  const path =
    flags.json ??
    join(
      here,
      'results',
      `${new Date()
        .toISOString()
        .replaceAll(':', '-')
        .replace(/\.\d+Z$/, 'Z')}-topics${quick ? '-quick' : ''}.json`,
    );
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`results: ${path}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`topics bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    killAll();
    process.exit(1);
  },
);
