/**
 * @module test/support/topics
 * The official `TopicClient` against a booted server, and a subscriber that records what it receives
 * and lets a test wait for a condition on it (no sleeping: each callback re-checks the waiters).
 */
import {
  CredentialProvider,
  TopicClient,
  TopicConfigurations,
  type TopicDiscontinuity,
  type TopicItem,
  TopicSubscribe,
} from '@gomomento/sdk';
import { keyCredentials } from './boot.ts';

/** A TopicClient for `apiKey` against `address` (plaintext), or momento-local style when `apiKey` is empty. */
export function topicClient(address: string, apiKey: string): TopicClient {
  const [host, port] = [
    address.slice(0, address.lastIndexOf(':')),
    Number(address.slice(address.lastIndexOf(':') + 1)),
  ];
  return new TopicClient({
    configuration: TopicConfigurations.Default.latest(),
    credentialProvider:
      apiKey === '' ? CredentialProvider.forMomentoLocal({ hostname: host, port }) : keyCredentials(address, apiKey),
  });
}

export type Event =
  | { kind: 'item'; value: string | Uint8Array; sequence: number }
  | { kind: 'discontinuity'; last: number; next: number; page: number }
  | { kind: 'error'; code: string }
  | { kind: 'end' }
  | { kind: 'lost' };

/** Records one subscription's callbacks. */
export class Recorder {
  readonly events: Event[] = [];
  heartbeats = 0;
  private waiters: Array<{ done: () => boolean; resolve: () => void }> = [];

  get items(): Array<Extract<Event, { kind: 'item' }>> {
    return this.events.filter((e): e is Extract<Event, { kind: 'item' }> => e.kind === 'item');
  }

  options() {
    return {
      onItem: (item: TopicItem) => this.push({ kind: 'item', value: item.value(), sequence: item.sequenceNumber() }),
      onDiscontinuity: (d: TopicDiscontinuity) =>
        this.push({
          kind: 'discontinuity',
          last: d.lastSequenceNumber(),
          next: d.newSequenceNumber(),
          page: d.newSequencePage(),
        }),
      onHeartbeat: () => {
        this.heartbeats += 1;
        this.check();
      },
      onError: (e: TopicSubscribe.Error) => this.push({ kind: 'error', code: e.errorCode() }),
      onSubscriptionEnd: () => this.push({ kind: 'end' }),
      onConnectionLost: () => this.push({ kind: 'lost' }),
    };
  }

  /** Resolves once `done()` holds (checked after every event); the test's timeout bounds the wait. */
  until(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ done, resolve }));
  }

  /** Resolves once `n` items arrived. */
  untilItems(n: number): Promise<void> {
    return this.until(() => this.items.length >= n);
  }

  private push(e: Event): void {
    this.events.push(e);
    this.check();
  }

  private check(): void {
    this.waiters = this.waiters.filter((w) => {
      if (!w.done()) return true;
      w.resolve();
      return false;
    });
  }
}

/** Subscribes and fails the test unless the SDK answered a Subscription. */
export async function subscribed(
  client: TopicClient,
  cache: string,
  topic: string,
  recorder: Recorder,
): Promise<TopicSubscribe.Subscription> {
  const r = await client.subscribe(cache, topic, recorder.options());
  if (!(r instanceof TopicSubscribe.Subscription)) throw new Error(`subscribe failed: ${r.toString()}`);
  return r;
}
