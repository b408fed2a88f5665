/**
 * @module transports/grpc/topic-plane
 * `/cache_client.pubsub.Pubsub/Publish` and `/Subscribe` over the {@link TopicService}: decode, call, encode.
 * The cache travels in the request body (the SDK sends no `cache` header on topic calls).
 *
 * A subscription is a server stream of `_SubscriptionItem`s: an item, a heartbeat or a discontinuity.
 * Items are encoded once per message and the bytes shared by every subscriber (the stream's serializer
 * passes ready-made Buffers through), so fan-out costs one encoding, not one per subscriber. The stream's
 * `write()` result is the backpressure signal the service's bounded queue listens to.
 */
import { CacheError, ErrorCode } from '@cachette/core';
import type { TopicMessage } from '@cachette/engine';
import { pubsub } from '@gomomento/generated-types';
import { common } from '@gomomento/generated-types/dist/common.js';
import type {
  Metadata,
  ServerUnaryCall,
  ServerWritableStream,
  ServiceDefinition,
  sendUnaryData,
  UntypedHandleCall,
  UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { Authenticator } from '../../service/principal.ts';
import type { TopicService, TopicSink, TopicSubscription } from '../../service/topic-service.ts';
import { tokenOf } from './call-context.ts';
import { toGrpcError, type UnexpectedErrorSink } from './status.ts';

const pb = pubsub.cache_client.pubsub;
type PublishRequest = InstanceType<typeof pb._PublishRequest>;
type SubscriptionRequest = InstanceType<typeof pb._SubscriptionRequest>;
type SubscriptionItem = InstanceType<typeof pb._SubscriptionItem>;

export interface TopicPlaneDeps {
  readonly topics: TopicService;
  readonly auth: Authenticator;
  readonly onUnexpected: UnexpectedErrorSink;
}

const EMPTY = new common._Empty();
const HEARTBEAT = Buffer.from(new pb._SubscriptionItem({ heartbeat: new pb._Heartbeat() }).serialize());

/** Encoded `_SubscriptionItem{item}` per message, shared by every subscriber's stream (GC'd with the message). */
const encodedItems = new WeakMap<TopicMessage, Buffer>();

/** The `_SubscriptionItem` bytes carrying `m`. */
export function encodeTopicItem(m: TopicMessage): Buffer {
  let bytes = encodedItems.get(m);
  if (bytes === undefined) {
    const value =
      typeof m.value === 'string' ? new pb._TopicValue({ text: m.value }) : new pb._TopicValue({ binary: m.value });
    bytes = Buffer.from(
      new pb._SubscriptionItem({
        item: new pb._TopicItem({
          topic_sequence_number: m.sequence,
          value,
          publisher_id: m.publisherId,
          sequence_page: m.page,
        }),
      }).serialize(),
    );
    encodedItems.set(m, bytes);
  }
  return bytes;
}

/** The `_SubscriptionItem` bytes of a discontinuity. */
export function encodeDiscontinuity(lastSequence: number, newSequence: number, page: number): Buffer {
  return Buffer.from(
    new pb._SubscriptionItem({
      discontinuity: new pb._Discontinuity({
        last_topic_sequence: lastSequence,
        new_topic_sequence: newSequence,
        new_sequence_page: page,
      }),
    }).serialize(),
  );
}

/**
 * `definition` (the Pubsub service) with the Subscribe response serializer passing Buffers through, so the
 * handler can write pre-encoded items. Transports bridging this handler (gRPC-Web) must use this definition.
 */
export function withPreEncodedSubscribe(definition: ServiceDefinition): ServiceDefinition {
  const subscribe = definition.Subscribe;
  if (subscribe === undefined) return definition;
  const serialize = subscribe.responseSerialize as (m: unknown) => Buffer;
  return {
    ...definition,
    Subscribe: {
      ...subscribe,
      responseSerialize: (m: unknown) => (Buffer.isBuffer(m) ? m : serialize(m)),
    },
  };
}

/** A subscription's events onto one gRPC server stream. */
class GrpcTopicSink implements TopicSink {
  constructor(private readonly call: ServerWritableStream<SubscriptionRequest, SubscriptionItem | Buffer>) {}

  item(message: TopicMessage): boolean {
    return this.call.write(encodeTopicItem(message));
  }

  discontinuity(lastSequence: number, newSequence: number, page: number): boolean {
    return this.call.write(encodeDiscontinuity(lastSequence, newSequence, page));
  }

  heartbeat(): boolean {
    return this.call.write(HEARTBEAT);
  }

  end(error: CacheError): void {
    this.call.emit('error', toGrpcError(error));
  }
}

export function topicHandlers({ topics, auth, onUnexpected }: TopicPlaneDeps): UntypedServiceImplementation {
  const Publish = async (call: ServerUnaryCall<PublishRequest, unknown>, callback: sendUnaryData<unknown>) => {
    try {
      const principal = await auth.authenticate(tokenOf(call.metadata), call.getPeer());
      const req = call.request;
      const v = req.value;
      const kind = req.has_value ? v.kind : 'none';
      if (kind === 'none') {
        throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'a published message needs a text or binary value');
      }
      await topics.publish(principal, req.cache_name, req.topic, kind === 'text' ? v.text : v.binary);
      callback(null, EMPTY);
    } catch (e) {
      callback(toGrpcError(e, onUnexpected));
    }
  };

  const Subscribe = async (call: ServerWritableStream<SubscriptionRequest, SubscriptionItem | Buffer>) => {
    let subscription: TopicSubscription | undefined;
    let gone = false;
    // The client unsubscribed (cancel) or disconnected: stop delivering, free the slot.
    call.on('cancelled', () => {
      gone = true;
      subscription?.close();
    });
    try {
      const principal = await auth.authenticate(tokenOf(call.metadata as Metadata), call.getPeer());
      const req = call.request;
      const resume = { sequence: req.resume_at_topic_sequence_number, page: req.sequence_page };
      const sub = await topics.subscribe(principal, req.cache_name, req.topic, resume, new GrpcTopicSink(call));
      subscription = sub;
      if (gone) sub.close();
      else call.on('drain', () => sub.drained());
    } catch (e) {
      if (!gone) call.emit('error', toGrpcError(e, onUnexpected));
    }
  };

  return { Publish, Subscribe } as unknown as Record<string, UntypedHandleCall>;
}
