/**
 * `GET /v1/topics/:cache/:topic/events` (the console's live view) against a real server: authenticated like
 * every route, the topic service's errors before the stream opens, items in order as server-sent events
 * (text and bytes) with `<page>:<sequence>` ids, resuming after the last id seen (`Last-Event-ID` or
 * `?resume`) with a discontinuity when the page is stale, an `end` event when the cache is deleted or the
 * server stops, and the subscription released when the client goes away.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Booted, boot, uniqueName } from './support/boot.ts';

type SseEvent = { event: string; data: unknown; id?: string };

/** Reads SSE events (comments skipped) from a streaming response until `count` have arrived. */
async function readEvents(response: Response, count: number): Promise<SseEvent[]> {
  const reader = (response.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
  const events: SseEvent[] = [];
  let buffered = '';
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += value;
    let end = buffered.indexOf('\n\n');
    while (end !== -1) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      end = buffered.indexOf('\n\n');
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      const id = /^id: (.*)$/m.exec(block)?.[1];
      if (event !== undefined && data !== undefined) {
        events.push({ event, data: JSON.parse(data), ...(id === undefined ? {} : { id }) });
      }
    }
  }
  reader.releaseLock();
  return events;
}

describe('topic events over HTTP (server-sent events)', () => {
  let b: Booted;
  let cache: string;
  const auth = () => ({ authorization: b.server.devApiKey });

  beforeAll(async () => {
    b = await boot({ httpPort: 0 });
    cache = uniqueName('sse');
    expect((await fetch(`${b.server.httpUrl}/v1/caches/${cache}`, { method: 'PUT', headers: auth() })).ok).toBe(true);
  });

  afterAll(async () => {
    await b?.stop();
  });

  it('refuses a missing key and an unknown cache with the usual JSON errors', async () => {
    const anonymous = await fetch(`${b.server.httpUrl}/v1/topics/${cache}/t/events`);
    expect(anonymous.status).toBe(401);
    const missing = await fetch(`${b.server.httpUrl}/v1/topics/no-such-cache/t/events`, { headers: auth() });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    expect(b.server.topics.subscriptionCount()).toBe(0);
  });

  it('answers HEAD 405 at once instead of opening a subscription it could never send', async () => {
    const head = await fetch(`${b.server.httpUrl}/v1/topics/${cache}/t/events`, { method: 'HEAD', headers: auth() });
    expect(head.status).toBe(405);
    expect(head.headers.get('allow')).toBe('GET');
    expect(b.server.topics.subscriptionCount()).toBe(0);
  });

  it('streams published items in order, then lets go when the client aborts', async () => {
    const controller = new AbortController();
    const response = await fetch(`${b.server.httpUrl}/v1/topics/${cache}/news/events`, {
      headers: auth(),
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(b.server.topics.subscriptionCount()).toBe(1);
    const post = (body: string | Uint8Array, type: string) =>
      fetch(`${b.server.httpUrl}/topics/${cache}/news`, {
        method: 'POST',
        headers: { ...auth(), 'content-type': type },
        body,
      });
    expect((await post('one', 'text/plain')).status).toBe(204);
    expect((await post(new Uint8Array([0, 255]), 'application/octet-stream')).status).toBe(204);
    expect((await post('thrée', 'text/plain; charset=utf-8')).status).toBe(204);
    const events = await readEvents(response, 3);
    const page = (events[0]?.data as { page: number } | undefined)?.page;
    expect(events).toEqual([
      { event: 'item', id: `${page}:1`, data: { sequence: 1, page, text: 'one' } },
      { event: 'item', id: `${page}:2`, data: { sequence: 2, page, base64: 'AP8=' } },
      { event: 'item', id: `${page}:3`, data: { sequence: 3, page, text: 'thrée' } },
    ]);
    controller.abort();
    await vi.waitFor(() => expect(b.server.topics.subscriptionCount()).toBe(0), { timeout: 20_000 });
  });

  it('resumes after the Last-Event-ID or ?resume it is given, with a discontinuity for a stale page', async () => {
    const topic = uniqueName('resume');
    const events = `${b.server.httpUrl}/v1/topics/${cache}/${topic}/events`;
    const publish = async (text: string) =>
      expect(
        (
          await fetch(`${b.server.httpUrl}/topics/${cache}/${topic}`, {
            method: 'POST',
            headers: { ...auth(), 'content-type': 'text/plain' },
            body: text,
          })
        ).status,
      ).toBe(204);
    const first = new AbortController();
    const live = await fetch(events, { headers: auth(), signal: first.signal });
    await publish('a');
    await publish('b');
    const seen = await readEvents(live, 2);
    const lastId = seen[1]?.id ?? '';
    const page = Number(lastId.split(':')[0]);
    expect(lastId).toBe(`${page}:2`);
    // The connection drops; the topic goes on.
    first.abort();
    await publish('c');
    await publish('d');
    const second = new AbortController();
    const resumed = await fetch(events, { headers: { ...auth(), 'last-event-id': lastId }, signal: second.signal });
    expect(resumed.status).toBe(200);
    expect((await readEvents(resumed, 2)).map((e) => [e.id, (e.data as { text: string }).text])).toEqual([
      [`${page}:3`, 'c'],
      [`${page}:4`, 'd'],
    ]);
    second.abort();
    // The query form, and a page the topic never had (as after a server restart): a gap, then live messages.
    const third = new AbortController();
    const stale = await fetch(`${events}?resume=${page + 1}:7`, { headers: auth(), signal: third.signal });
    // Headers arrive with the first event, written once subscribed: publishing now reaches the subscription.
    const gap = readEvents(stale, 2);
    await publish('e');
    expect(await gap).toEqual([
      { event: 'discontinuity', id: `${page}:4`, data: { lastSequence: 7, newSequence: 4, page } },
      { event: 'item', id: `${page}:5`, data: { sequence: 5, page, text: 'e' } },
    ]);
    third.abort();
    const bad = await fetch(`${events}?resume=yesterday`, { headers: auth() });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('INVALID_ARGUMENT');
    await vi.waitFor(() => expect(b.server.topics.subscriptionCount()).toBe(0), { timeout: 20_000 });
  });

  it('ends the stream with NOT_FOUND when the cache is deleted', async () => {
    const doomed = uniqueName('sse-doomed');
    expect((await fetch(`${b.server.httpUrl}/v1/caches/${doomed}`, { method: 'PUT', headers: auth() })).ok).toBe(true);
    const response = await fetch(`${b.server.httpUrl}/v1/topics/${doomed}/t/events`, { headers: auth() });
    expect(response.status).toBe(200);
    expect((await fetch(`${b.server.httpUrl}/v1/caches/${doomed}`, { method: 'DELETE', headers: auth() })).ok).toBe(
      true,
    );
    const [ended] = await readEvents(response, 1);
    expect(ended).toEqual({ event: 'end', data: { code: 'NOT_FOUND', message: expect.stringContaining(doomed) } });
    await vi.waitFor(() => expect(b.server.topics.subscriptionCount()).toBe(0), { timeout: 20_000 });
  });

  it('ends open streams with UNAVAILABLE when the server stops, and the stop does not wait on them', async () => {
    const other = await boot({ httpPort: 0 });
    const name = uniqueName('sse-stop');
    const headers = { authorization: other.server.devApiKey };
    expect((await fetch(`${other.server.httpUrl}/v1/caches/${name}`, { method: 'PUT', headers })).ok).toBe(true);
    const response = await fetch(`${other.server.httpUrl}/v1/topics/${name}/t/events`, { headers });
    expect(response.status).toBe(200);
    const ended = readEvents(response, 1);
    await other.stop();
    expect((await ended)[0]).toMatchObject({ event: 'end', data: { code: 'UNAVAILABLE' } });
  });
});
