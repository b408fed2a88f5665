/**
 * @module commands/topic
 * `cachette topic publish <topic> [message]` and `cachette topic subscribe <topic>`: Momento Topics through
 * the official `TopicClient`. Subscribe prints each message as it arrives (text as is, one per line;
 * binary as base64; `--output json`: one JSON object per line) until Ctrl-C, which unsubscribes cleanly.
 */
import type { CacheError } from '@cachette/core';
import { type SdkError, type TopicItem, TopicPublish, TopicSubscribe } from '@gomomento/sdk';
import type { Command } from 'commander';
import { fromSdkError, topicClientFor } from '../client.ts';
import { type CommandContext, cacheName, printJson, withClient } from '../command-context.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The message as JSON fields: `text` when it is text, else `base64`. */
function jsonValue(value: string | Uint8Array): { text: string } | { base64: string } {
  if (typeof value === 'string') return { text: value };
  try {
    return { text: utf8.decode(value) };
  } catch {
    return { base64: Buffer.from(value).toString('base64') };
  }
}

/** A TopicClient for the server and key the command's CacheClient uses. */
function topicsOf(ctx: CommandContext) {
  return topicClientFor({
    apiKey: ctx.profile.apiKey,
    endpoint: ctx.endpoint,
    endpointOverridden: ctx.options.endpoint !== undefined,
    tls: ctx.options.tls,
    defaultTtlSeconds: ctx.profile.ttlSeconds,
  });
}

/** Adds `publish` and `subscribe` to the `topic` group. */
export function registerTopic(topic: Command): void {
  topic
    .command('publish')
    .description('publish a message to a topic (the message from the argument, else stdin)')
    .argument('<topic>', 'topic name')
    .argument('[message]', 'the message; omitted = read stdin (bytes, published as binary unless UTF-8)')
    .option('--name <cache>', "cache (default: the profile's cache)")
    .addHelpText(
      'after',
      `
Examples:
  $ cachette topic publish news "hello, world"
  $ cachette topic publish --name chat room-1 "hi"
  $ cat event.json | cachette topic publish events`,
    )
    .action(async function (this: Command, topicName: string, message: string | undefined, flags: { name?: string }) {
      await withClient(this, async (ctx) => {
        const name = cacheName(flags.name, ctx.profile);
        let value: string | Uint8Array;
        if (message !== undefined) value = message;
        else {
          const bytes = await readStdin();
          const decoded = jsonValue(bytes);
          value = 'text' in decoded ? decoded.text : bytes;
        }
        const topics = topicsOf(ctx);
        const r = await topics.publish(name, topicName, value);
        if (r instanceof TopicPublish.Error) throw fromSdkError(r.innerException(), ctx.errorContext(name));
        if (ctx.options.output === 'json') printJson({ cache: name, topic: topicName, published: true });
      });
    });

  topic
    .command('subscribe')
    .description('print messages published to a topic as they arrive (Ctrl-C to stop)')
    .argument('<topic>', 'topic name')
    .option('--name <cache>', "cache (default: the profile's cache)")
    .addHelpText(
      'after',
      `
Examples:
  $ cachette topic subscribe news
  $ cachette topic subscribe --name chat room-1 --output json    # {"sequence":1,"text":"hi"} per line`,
    )
    .action(async function (this: Command, topicName: string, flags: { name?: string }) {
      await withClient(this, async (ctx) => {
        const name = cacheName(flags.name, ctx.profile);
        const json = ctx.options.output === 'json';
        const topics = topicsOf(ctx);
        let fail: (e: CacheError) => void = () => undefined;
        let stop: () => void = () => undefined;
        const ended = new Promise<void>((resolve, reject) => {
          stop = resolve;
          fail = reject;
        });
        const r = await topics.subscribe(name, topicName, {
          onItem: (item: TopicItem) => {
            const value = item.value();
            if (json) printJson({ sequence: item.sequenceNumber(), ...jsonValue(value) });
            else {
              const v = jsonValue(value);
              process.stdout.write('text' in v ? `${v.text}\n` : `(binary, base64) ${v.base64}\n`);
            }
          },
          onDiscontinuity: (d) => {
            process.stderr.write(
              `messages ${d.lastSequenceNumber() + 1}..${d.newSequenceNumber()} were missed (discontinuity)\n`,
            );
          },
          onError: (e) => fail(fromSdkError(e.innerException() as SdkError, ctx.errorContext(name))),
        });
        if (r instanceof TopicSubscribe.Error) throw fromSdkError(r.innerException(), ctx.errorContext(name));
        if (!json) process.stderr.write(`subscribed to '${topicName}' in cache '${name}'; Ctrl-C to stop\n`);
        const onSignal = () => stop();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        try {
          await ended;
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          (r as TopicSubscribe.Subscription).unsubscribe();
        }
      });
    });
}
