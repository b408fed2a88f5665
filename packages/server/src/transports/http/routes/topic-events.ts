/**
 * @module transports/http/routes/topic-events
 * `GET /v1/topics/:cache/:topic/events`: one topic subscription as server-sent events, for the web console's
 * live view. Chosen over hand-framed gRPC-Web in the page because the stream is plain text the page reads
 * with `fetch` (which, unlike `EventSource`, can send the key in the `authorization` header), and the
 * subscription goes through the same {@link TopicService} as gRPC: same permissions, per-cache subscription
 * limit, bounded backlog with discontinuities, metering. Events: `item` (JSON `{sequence, page, text}` or
 * `{sequence, page, base64}`), `discontinuity`, `heartbeat` (an SSE comment), and `end` with the error's code
 * and message when the server ends the subscription. Closing the request ends the subscription.
 *
 * Resuming: every `item` carries the SSE id `<page>:<sequence>` and every `discontinuity` the id
 * `<page>:<newSequence>` (the position after the gap). A client that reconnects sends the last id it saw as
 * `Last-Event-ID` (what `EventSource` does by itself) or as `?resume=<page>:<sequence>` (the query wins), and
 * the subscription restarts after it: from the topic's replay window when it still holds the next message,
 * otherwise with a `discontinuity` first (also when the topic's numbering restarted on a new page, e.g. after
 * a server restart with the in-process bus).
 */

import type { ServerResponse } from 'node:http';
import { CacheError, ErrorCode } from '@cachette/core';
import type { TopicMessage, TopicResumePoint } from '@cachette/engine';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TopicService, TopicSink, TopicSubscription } from '../../../service/topic-service.ts';

type EventsRequest = FastifyRequest<{ Params: { cache: string; topic: string }; Querystring: { resume?: string } }>;

/** Writes a subscription's events onto one response; headers go with the first event (the first heartbeat). */
class SseSink implements TopicSink {
  private started = false;

  constructor(private readonly response: ServerResponse) {}

  private write(chunk: string): boolean {
    if (this.response.destroyed) return true;
    if (!this.started) {
      this.started = true;
      this.response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
    }
    return this.response.write(chunk);
  }

  item(m: TopicMessage): boolean {
    const value = typeof m.value === 'string' ? { text: m.value } : { base64: Buffer.from(m.value).toString('base64') };
    const data = JSON.stringify({ sequence: m.sequence, page: m.page, ...value });
    return this.write(`id: ${m.page}:${m.sequence}\nevent: item\ndata: ${data}\n\n`);
  }

  discontinuity(lastSequence: number, newSequence: number, page: number): boolean {
    const data = JSON.stringify({ lastSequence, newSequence, page });
    return this.write(`id: ${page}:${newSequence}\nevent: discontinuity\ndata: ${data}\n\n`);
  }

  heartbeat(): boolean {
    return this.write(': heartbeat\n\n');
  }

  end(error: CacheError): void {
    this.write(`event: end\ndata: ${JSON.stringify({ code: error.code, message: error.message })}\n\n`);
    this.response.end();
  }
}

/**
 * Where to start: after the last event id the client saw (`<page>:<sequence>`, from `?resume` or the
 * `Last-Event-ID` header), or from now when it saw none.
 */
function resumePointOf(request: EventsRequest): TopicResumePoint {
  const header = request.headers['last-event-id'];
  const raw = request.query.resume ?? (typeof header === 'string' ? header : undefined);
  if (raw === undefined || raw === '') return { sequence: 0, page: 0 };
  const match = /^(\d{1,15}):(\d{1,15})$/.exec(raw.trim());
  if (match === null) {
    throw new CacheError(
      ErrorCode.INVALID_ARGUMENT,
      `the resume point (resume query or Last-Event-ID) must be <page>:<sequence>, as the events' ids; got '${raw.slice(0, 40)}'`,
    );
  }
  // The service wants the first sequence to deliver: the one after the last seen.
  return { page: Number(match[1]), sequence: Number(match[2]) + 1 };
}

/** Registers the live-events route; errors before the stream opens are ordinary JSON error answers. */
export function registerTopicEvents(app: FastifyInstance, topics: TopicService): void {
  const path = '/v1/topics/:cache/:topic/events';
  // Fastify would answer HEAD with this GET handler: a subscription whose body Node discards, held open until
  // the client leaves. A HEAD has no body to carry an error in, so it gets the status and `allow` alone.
  app.head(path, (_request, reply) => reply.status(405).header('allow', 'GET').send());
  app.get(path, { exposeHeadRoute: false }, async (request: EventsRequest, reply) => {
    const resume = resumePointOf(request);
    const response = reply.raw;
    let subscription: TopicSubscription | undefined;
    let gone = false;
    // Listening before subscribing: a client gone while subscribe() is pending must still free its slot.
    response.once('close', () => {
      gone = true;
      subscription?.close();
    });
    const sink = new SseSink(response);
    // Errors thrown by subscribe() (nothing written yet) get Fastify's usual JSON answer.
    subscription = await topics.subscribe(request.principal, request.params.cache, request.params.topic, resume, sink);
    // The stream is ours from here: Fastify must not answer.
    reply.hijack();
    if (gone) subscription.close();
    else response.on('drain', () => subscription?.drained());
  });
}
