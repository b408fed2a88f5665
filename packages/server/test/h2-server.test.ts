/**
 * The gRPC port's own HTTP/2 implementation (transports/h2 + transports/grpc/grpc-h2-server) seen from the
 * wire: a raw client (support/h2-raw.ts) writes exactly the frames each case needs — split, padded,
 * dribbled a byte at a time, malformed, flooding — and reads the frames back; then Node's own http2 client
 * and the official SDK as independent implementations. Nothing here sleeps: every wait is on a frame, a
 * socket event or a PING round trip (which proves the server processed everything sent before it).
 */
import http2 from 'node:http2';
import net from 'node:net';
import { defaultConfig } from '@cachette/server';
import { cache, pubsub } from '@gomomento/generated-types';
import { CacheGetResponse, CacheSetResponse } from '@gomomento/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLIENT_PREFACE,
  Flag,
  FrameType,
  frame,
  H2Error,
  Setting,
  settingsFrame,
} from '../src/transports/h2/frames.ts';
import { encodeHeaderBlock } from '../src/transports/h2/hpack.ts';
import { type Booted, boot } from './support/boot.ts';
import {
  dataFrame,
  field,
  grpcMessage,
  grpcMessages,
  grpcRequestFields,
  grpcStatus,
  type H2Frame,
  headersFrame,
  pingFrame,
  RawH2,
  rstFrame,
  settingsOf,
  windowUpdateFrame,
} from './support/h2-raw.ts';

const pb = cache.cache_client;
const ps = pubsub.cache_client.pubsub;
const CACHE = 'h2-server';
const GET = '/cache_client.Scs/Get';
const SET = '/cache_client.Scs/Set';
const PUBLISH = '/cache_client.pubsub.Pubsub/Publish';
const SUBSCRIBE = '/cache_client.pubsub.Pubsub/Subscribe';

const setRequest = (key: string, value: Uint8Array | string) =>
  new pb._SetRequest({
    cache_key: Buffer.from(key),
    cache_body: typeof value === 'string' ? Buffer.from(value) : value,
    ttl_milliseconds: 600_000,
  }).serialize();
const getRequest = (key: string) => new pb._GetRequest({ cache_key: Buffer.from(key) }).serialize();
const subscribeRequest = (topic: string) => new ps._SubscriptionRequest({ cache_name: CACHE, topic }).serialize();
const publishRequest = (topic: string, text: string) =>
  new ps._PublishRequest({ cache_name: CACHE, topic, value: new ps._TopicValue({ text }) }).serialize();

/** The single message of a Get answer, decoded. */
function getResponse(body: Buffer) {
  const messages = grpcMessages(body);
  expect(messages).toHaveLength(1);
  return pb._GetResponse.deserialize(messages[0] as Buffer);
}

const isData = (id: number) => (f: H2Frame) => f.streamId === id && f.type === FrameType.DATA;
/** A PING payload sent after an offence: its ACK means the server let the offence pass. */
const MARK = Buffer.from('marker!!');
const goawayOrMark = (f: H2Frame) =>
  f.type === FrameType.GOAWAY || (f.type === FrameType.PING && (f.flags & Flag.ACK) !== 0 && f.payload.equals(MARK));
const apiKeyOf = (b: Booted) => JSON.parse(Buffer.from(b.server.devApiKey, 'base64').toString()).api_key as string;

/** The server-side socket of `client` (same process): found among the active handles by its ports. */
function serverSideOf(client: net.Socket, serverPort: number): net.Socket {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  const found = handles.filter(
    (h): h is net.Socket => h instanceof net.Socket && h.localPort === serverPort && h.remotePort === client.localPort,
  );
  expect(found).toHaveLength(1);
  return found[0] as net.Socket;
}

// ─── the default configuration ─────────────────────────────────────────────────────────────────────────

describe('HTTP/2 with the default limits', () => {
  let b: Booted;
  let port: number;
  let auth: string[];
  let withCache: string[];

  beforeAll(async () => {
    b = await boot({});
    port = b.server.grpcPort;
    const secret = apiKeyOf(b);
    auth = ['authorization', secret];
    withCache = ['authorization', secret, 'cache', CACHE];
    expect((await (await b.client()).createCache(CACHE)).type).toBe('Success');
  });
  afterAll(async () => {
    await b.stop();
  });

  /** A fresh connection still answers a unary Set + Get (the server kept serving). */
  async function stillServing(): Promise<void> {
    const c = await RawH2.connect(port);
    try {
      const key = `alive-${Math.random()}`;
      expect(grpcStatus(await c.unary(SET, setRequest(key, 'yes'), withCache))).toBe('0');
      const get = await c.unary(GET, getRequest(key), withCache);
      expect(grpcStatus(get)).toBe('0');
      expect(Buffer.from(getResponse(get.data).cache_body).toString()).toBe('yes');
    } finally {
      c.close();
    }
  }

  describe('preface, SETTINGS, PING', () => {
    it('sends its SETTINGS first, ACKs ours, and answers a PING with the same 8 bytes', async () => {
      const c = await RawH2.connect(port, { settings: [[Setting.INITIAL_WINDOW_SIZE, 100_000]] });
      try {
        const first = await c.next();
        expect(first.type).toBe(FrameType.SETTINGS);
        expect(first.flags & Flag.ACK).toBe(0);
        expect(first.streamId).toBe(0);
        const settings = settingsOf(first);
        expect(settings.get(Setting.MAX_CONCURRENT_STREAMS)).toBe(defaultConfig.connections.maxConcurrentStreams);
        expect(settings.get(Setting.INITIAL_WINDOW_SIZE)).toBe(1024 * 1024);
        expect(settings.get(Setting.MAX_HEADER_LIST_SIZE)).toBe(defaultConfig.connections.maxHeaderBytes);
        const ack = await c.next((f) => f.type === FrameType.SETTINGS && (f.flags & Flag.ACK) !== 0);
        expect(ack.payload.length).toBe(0);
        expect(ack.streamId).toBe(0);
        const payload = Buffer.from([1, 2, 3, 4, 250, 251, 252, 253]);
        await c.send(pingFrame(payload));
        const pong = await c.next((f) => f.type === FrameType.PING);
        expect(pong.flags & Flag.ACK).toBe(Flag.ACK);
        expect(pong.streamId).toBe(0);
        expect(pong.payload.equals(payload)).toBe(true);
        expect(c.isClosed).toBe(false);
      } finally {
        c.close();
      }
    });
  });

  describe('unary calls over raw frames', () => {
    it('Set then Get: HEADERS (:status 200), one DATA message, then trailers with grpc-status 0', async () => {
      const c = await RawH2.connect(port);
      try {
        const set = await c.unary(SET, setRequest('raw-k1', 'raw value'), withCache);
        expect(field(set.headers, ':status')).toBe('200');
        expect(grpcStatus(set)).toBe('0');
        const get = await c.unary(GET, getRequest('raw-k1'), withCache);
        expect(get.frames.map((f) => f.type)).toEqual([FrameType.HEADERS, FrameType.DATA, FrameType.HEADERS]);
        expect(field(get.headers, ':status')).toBe('200');
        expect(field(get.headers, 'content-type')).toBe('application/grpc+proto');
        expect(field(get.headers, 'grpc-status')).toBeUndefined();
        expect(field(get.trailers, 'grpc-status')).toBe('0');
        expect((get.frames[2] as H2Frame).flags & Flag.END_STREAM).toBe(Flag.END_STREAM);
        const response = getResponse(get.data);
        expect(response.result).toBe(pb.ECacheResult.Hit);
        expect(Buffer.from(response.cache_body).toString()).toBe('raw value');
      } finally {
        c.close();
      }
    });

    it('the whole exchange written one byte per TCP write (preface included) still works', async () => {
      const c = await RawH2.connect(port, { preface: false });
      try {
        const setId = c.streamId();
        await c.dribble(
          Buffer.concat([
            CLIENT_PREFACE,
            settingsFrame([[Setting.INITIAL_WINDOW_SIZE, 70_000]]),
            headersFrame(setId, encodeHeaderBlock(grpcRequestFields(SET, withCache)), Flag.END_HEADERS),
            dataFrame(setId, grpcMessage(setRequest('dribbled', 'one byte at a time')), Flag.END_STREAM),
          ]),
        );
        expect(grpcStatus(await c.response(setId))).toBe('0');
        const getId = c.streamId();
        await c.dribble(
          Buffer.concat([
            headersFrame(getId, encodeHeaderBlock(grpcRequestFields(GET, withCache)), Flag.END_HEADERS),
            dataFrame(getId, grpcMessage(getRequest('dribbled')), Flag.END_STREAM),
          ]),
        );
        const get = await c.response(getId);
        expect(grpcStatus(get)).toBe('0');
        expect(Buffer.from(getResponse(get.data).cache_body).toString()).toBe('one byte at a time');
      } finally {
        c.close();
      }
    });

    it('a header block split over HEADERS + two CONTINUATION frames is reassembled', async () => {
      const c = await RawH2.connect(port);
      try {
        expect(grpcStatus(await c.unary(SET, setRequest('split-block', 'continued'), withCache))).toBe('0');
        const block = encodeHeaderBlock(grpcRequestFields(GET, [...withCache, 'x-filler', 'f'.repeat(300)]));
        const a = Math.floor(block.length / 3);
        const id = c.streamId();
        await c.send(
          headersFrame(id, block.subarray(0, a), 0),
          frame(FrameType.CONTINUATION, 0, id, block.subarray(a, 2 * a)),
          frame(FrameType.CONTINUATION, Flag.END_HEADERS, id, block.subarray(2 * a)),
          dataFrame(id, grpcMessage(getRequest('split-block')), Flag.END_STREAM),
        );
        const get = await c.response(id);
        expect(grpcStatus(get)).toBe('0');
        expect(Buffer.from(getResponse(get.data).cache_body).toString()).toBe('continued');
      } finally {
        c.close();
      }
    });

    it('HEADERS with PADDED and PRIORITY flags (and a padded DATA frame) are understood', async () => {
      const c = await RawH2.connect(port);
      try {
        expect(grpcStatus(await c.unary(SET, setRequest('padded', 'padding ignored'), withCache))).toBe('0');
        const block = encodeHeaderBlock(grpcRequestFields(GET, withCache));
        const pad = 7;
        // Pad length, then E + stream dependency (exclusive on stream 0) and weight, the block, the padding.
        const priority = Buffer.from([0x80, 0, 0, 0, 200]);
        const headersPayload = Buffer.concat([Buffer.from([pad]), priority, block, Buffer.alloc(pad, 0xee)]);
        const message = grpcMessage(getRequest('padded'));
        const dataPayload = Buffer.concat([Buffer.from([3]), message, Buffer.alloc(3, 0xdd)]);
        const id = c.streamId();
        await c.send(
          frame(FrameType.HEADERS, Flag.END_HEADERS | Flag.PADDED | Flag.PRIORITY, id, headersPayload),
          frame(FrameType.DATA, Flag.END_STREAM | Flag.PADDED, id, dataPayload),
        );
        const get = await c.response(id);
        expect(grpcStatus(get)).toBe('0');
        expect(Buffer.from(getResponse(get.data).cache_body).toString()).toBe('padding ignored');
      } finally {
        c.close();
      }
    });
  });

  describe('connection errors: GOAWAY with the RFC code, then close; the server keeps serving', () => {
    const cases: ReadonlyArray<{
      readonly name: string;
      readonly code: number;
      readonly preface?: boolean;
      readonly bytes: () => Buffer[];
    }> = [
      {
        name: 'garbage instead of the preface → PROTOCOL_ERROR',
        code: H2Error.PROTOCOL_ERROR,
        preface: false,
        bytes: () => [Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 'latin1')],
      },
      {
        name: 'a frame longer than 16384 bytes → FRAME_SIZE_ERROR',
        code: H2Error.FRAME_SIZE_ERROR,
        bytes: () => [
          headersFrame(1, encodeHeaderBlock(grpcRequestFields(GET, withCache)), Flag.END_HEADERS),
          dataFrame(1, Buffer.alloc(16_385, 1), Flag.END_STREAM),
        ],
      },
      {
        name: 'DATA on stream 0 → PROTOCOL_ERROR',
        code: H2Error.PROTOCOL_ERROR,
        bytes: () => [dataFrame(0, Buffer.from('stray'))],
      },
      {
        name: 'CONTINUATION without a HEADERS before it → PROTOCOL_ERROR',
        code: H2Error.PROTOCOL_ERROR,
        bytes: () => [frame(FrameType.CONTINUATION, Flag.END_HEADERS, 1, encodeHeaderBlock(grpcRequestFields(GET)))],
      },
      {
        name: 'a malformed HPACK block (indexed field 0) → COMPRESSION_ERROR',
        code: H2Error.COMPRESSION_ERROR,
        bytes: () => [headersFrame(1, Buffer.from([0x82, 0x80]), Flag.END_HEADERS | Flag.END_STREAM)],
      },
      {
        name: 'an endless CONTINUATION sequence (> 100 KiB, never END_HEADERS) → ENHANCE_YOUR_CALM',
        code: H2Error.ENHANCE_YOUR_CALM,
        bytes: () => [
          headersFrame(1, encodeHeaderBlock(grpcRequestFields(GET, withCache)), 0),
          ...Array.from({ length: 7 }, () => frame(FrameType.CONTINUATION, 0, 1, Buffer.alloc(16_384, 0x40))),
        ],
      },
    ];

    it.each(cases)('$name', async ({ code, preface, bytes }) => {
      const c = await RawH2.connect(port, { preface: preface ?? true });
      try {
        // Each frame in its own write: the server may close (and the rest fail to send) at any point. A PING
        // goes last: a server that let the offence pass would answer it instead of sending GOAWAY.
        for (const b of [...bytes(), pingFrame(MARK)]) await c.send(b);
        const first = await c.next(goawayOrMark);
        expect(first.type).toBe(FrameType.GOAWAY);
        expect(first.payload.readUInt32BE(4)).toBe(code);
        await c.closed;
      } finally {
        c.close();
      }
      await stillServing();
    });
  });

  describe('flow control', () => {
    it('a 200 000-byte value is sent within our 1000-byte stream window and the 65 535-byte connection window, then whole once they grow', async () => {
      const value = Buffer.alloc(200_000);
      for (let i = 0; i < value.length; i++) value[i] = (i * 7919) & 0xff;
      const sdk = await b.client();
      expect((await sdk.set(CACHE, 'big-200k', value)).type).toBe(CacheSetResponse.Success);

      const c = await RawH2.connect(port, { settings: [[Setting.INITIAL_WINDOW_SIZE, 1000]] });
      try {
        const id = c.streamId();
        await c.send(
          headersFrame(id, encodeHeaderBlock(grpcRequestFields(GET, withCache)), Flag.END_HEADERS),
          dataFrame(id, grpcMessage(getRequest('big-200k')), Flag.END_STREAM),
        );
        const headers = await c.next((f) => f.streamId === id);
        expect(headers.type).toBe(FrameType.HEADERS);
        expect(field(headers.fields, ':status')).toBe('200');
        const body: Buffer[] = [];
        let got = 0;
        /** Reads the stream's DATA until `total` bytes came; anything else on the stream fails the test. */
        const readUpTo = async (total: number) => {
          while (got < total) {
            const f = await c.next((x) => x.streamId === id);
            expect(f.type).toBe(FrameType.DATA);
            expect(f.payload.length).toBeLessThanOrEqual(16_384);
            body.push(f.payload);
            got += f.payload.length;
          }
          expect(got).toBe(total);
          // Everything the server framed with these bytes has arrived by the PING's ACK: nothing more may.
          await c.roundTrip();
          expect(c.received.filter((x) => x.streamId === id)).toEqual([]);
        };
        await readUpTo(1000);
        // The stream window grows; the connection window (never raised by us) still caps at 65 535.
        await c.send(windowUpdateFrame(id, 1_000_000));
        await readUpTo(65_535);
        await c.send(windowUpdateFrame(0, 1_000_000));
        for (;;) {
          const f = await c.next((x) => x.streamId === id);
          if (f.type === FrameType.DATA) {
            expect(f.payload.length).toBeLessThanOrEqual(16_384);
            body.push(f.payload);
            continue;
          }
          expect(f.type).toBe(FrameType.HEADERS);
          expect(f.flags & Flag.END_STREAM).toBe(Flag.END_STREAM);
          expect(field(f.fields, 'grpc-status')).toBe('0');
          break;
        }
        const response = getResponse(Buffer.concat(body));
        expect(response.result).toBe(pb.ECacheResult.Hit);
        expect(Buffer.from(response.cache_body).equals(value)).toBe(true);
      } finally {
        c.close();
      }
    });

    it('the official SDK sets and gets a 4 MiB value end to end', async () => {
      const value = Buffer.alloc(4 * 1024 * 1024);
      for (let i = 0; i < value.length; i += 4) value.writeUInt32LE(i, i);
      const sdk = await b.client();
      expect((await sdk.set(CACHE, 'big-4m', value)).type).toBe(CacheSetResponse.Success);
      const r = await sdk.get(CACHE, 'big-4m');
      expect(r.type).toBe(CacheGetResponse.Hit);
      expect(r.type === CacheGetResponse.Hit && Buffer.from(r.valueUint8Array()).equals(value)).toBe(true);
    });
  });

  describe('back-pressure', () => {
    it('a peer flooding PINGs without reading is no longer read once ~1 MiB of answers wait; reading again gets every ACK', {
      timeout: 180_000,
    }, async () => {
      const c = await RawH2.connect(port);
      try {
        await c.next((f) => f.type === FrameType.SETTINGS); // the server accepted: its socket exists
        const server = serverSideOf(c.socket, port);
        // What the server has queued in user space, after each of its writes (kernel buffers excluded).
        let maxQueued = 0;
        const write = server.write.bind(server);
        server.write = ((...args: Parameters<typeof write>) => {
          const r = write(...args);
          maxQueued = Math.max(maxQueued, server.writableLength);
          return r;
        }) as typeof server.write;
        c.pause();

        const pings = (from: number, n: number) => {
          const out = Buffer.alloc(17 * n);
          for (let i = 0; i < n; i++) {
            out.set(pingFrame(Buffer.from([0x66, 0x6c, 0x6f, 0x64, 0, 0, 0, 0])), 17 * i);
            out.writeUInt32BE(from + i, 17 * i + 9 + 4);
          }
          return out;
        };
        // Write batches, each once the kernel took the last, until the server stops reading (its socket's
        // 'pause') and is still paused after a whole call on another connection has let its event loop turn
        // many times (a pause the kernel absorbs at once may legitimately end with 'drain': keep flooding then).
        // The cap (3 M PINGs, 51 MB) is far beyond what the kernel buffers between us hold.
        const CAP = 3_000_000;
        let sent = 0;
        for (;;) {
          let paused = false;
          const pausedEvent = new Promise<void>((resolve) =>
            server.once('pause', () => {
              paused = true;
              resolve();
            }),
          );
          while (!paused && sent < CAP) {
            const batch = pings(sent, 10_000);
            sent += 10_000;
            await Promise.race([c.send(batch), pausedEvent]);
          }
          expect(paused, 'the server never stopped reading').toBe(true);
          await stillServing();
          if (server.isPaused()) break;
        }
        // Paused because its output is waiting, and that output is bounded: the 1 MiB high-water mark plus at
        // most one event-loop turn of reads' answers.
        const queued = server.writableLength;
        expect(queued).toBeGreaterThan(0);
        expect(maxQueued).toBeLessThanOrEqual(4 * 1024 * 1024);

        // At least 200 000 PINGs in all, and 100 000 more now (not awaited: nobody reads them). A server that
        // went on reading would read them during another whole call.
        const readBefore = server.bytesRead;
        const more = Math.max(100_000, 200_000 - sent);
        c.socket.write(pings(sent, more));
        sent += more;
        await stillServing();
        expect(server.isPaused()).toBe(true);
        expect(server.bytesRead - readBefore).toBeLessThanOrEqual(256 * 1024);
        expect(server.writableLength).toBeLessThanOrEqual(queued);
        expect(maxQueued).toBeLessThanOrEqual(4 * 1024 * 1024);

        // Read again: every PING gets its ACK, in order, and the connection is alive.
        let acks = 0;
        let outOfOrder = 0;
        c.intercept = (f) => {
          if (f.type !== FrameType.PING || (f.flags & Flag.ACK) === 0 || f.payload.readUInt32BE(0) !== 0x666c6f64) {
            return false;
          }
          if (f.payload.readUInt32BE(4) !== acks) outOfOrder++;
          acks++;
          return true;
        };
        c.resume();
        await c.until(() => acks === sent);
        expect(outOfOrder).toBe(0);
        await c.roundTrip(Buffer.from('still ok'));
        expect(c.isClosed).toBe(false);
        expect(maxQueued).toBeLessThanOrEqual(4 * 1024 * 1024);
      } finally {
        c.close();
      }
    });
  });

  describe('cancellation', () => {
    it('a subscription reset with RST_STREAM(CANCEL) gets nothing more and is freed; the connection keeps serving', async () => {
      const c = await RawH2.connect(port);
      try {
        const subscribe = async () => {
          const id = c.streamId();
          await c.send(
            headersFrame(id, encodeHeaderBlock(grpcRequestFields(SUBSCRIBE, auth)), Flag.END_HEADERS),
            dataFrame(id, grpcMessage(subscribeRequest('cancel-topic')), Flag.END_STREAM),
          );
          const headers = await c.next((f) => f.streamId === id);
          expect(field(headers.fields, ':status')).toBe('200');
          expect(field(headers.fields, 'grpc-status')).toBeUndefined();
          await c.next(isData(id)); // the first heartbeat: subscribed
          return id;
        };
        /** The next published item on stream `id`, skipping heartbeats. */
        const nextItem = async (id: number) => {
          for (;;) {
            const f = await c.next((x) => x.streamId === id);
            expect(f.type).toBe(FrameType.DATA);
            const item = ps._SubscriptionItem.deserialize(grpcMessages(f.payload)[0] as Buffer);
            if (item.has_item) return item.item.value.text;
          }
        };
        const before = b.server.topics.subscriptionCount();
        const cancelled = await subscribe();
        const kept = await subscribe();
        expect(b.server.topics.subscriptionCount()).toBe(before + 2);
        expect(grpcStatus(await c.unary(PUBLISH, publishRequest('cancel-topic', 'm1'), auth))).toBe('0');
        expect(await nextItem(cancelled)).toBe('m1');
        expect(await nextItem(kept)).toBe('m1');

        await c.send(rstFrame(cancelled, H2Error.CANCEL));
        await c.roundTrip(); // the reset was processed
        expect(b.server.topics.subscriptionCount()).toBe(before + 1);
        // Frames the server sent before it saw the reset (a heartbeat) are dropped; after this, none may come.
        for (const f of c.received.filter((x) => x.streamId === cancelled)) c.received.splice(c.received.indexOf(f), 1);

        expect(grpcStatus(await c.unary(PUBLISH, publishRequest('cancel-topic', 'm2'), auth))).toBe('0');
        expect(await nextItem(kept)).toBe('m2');
        await c.roundTrip();
        expect(c.received.filter((x) => x.streamId === cancelled)).toEqual([]);
        // The connection still serves unary calls.
        expect(grpcStatus(await c.unary(SET, setRequest('after-cancel', 'ok'), withCache))).toBe('0');
        expect(c.isClosed).toBe(false);
        await c.send(rstFrame(kept, H2Error.CANCEL));
        await c.roundTrip();
        expect(b.server.topics.subscriptionCount()).toBe(before);
      } finally {
        c.close();
      }
    });
  });

  describe('independent clients', () => {
    it("Node's http2 client: 500 concurrent unary Gets on one session all get their answer", async () => {
      const secret = apiKeyOf(b);
      const sdk = await b.client();
      for (let k = 0; k < 10; k++) {
        expect((await sdk.set(CACHE, `node-${k}`, `value-${k}`)).type).toBe(CacheSetResponse.Success);
      }
      const session = http2.connect(`http://127.0.0.1:${port}`);
      session.on('error', () => undefined);
      try {
        const one = (k: number) =>
          new Promise<{ status: string | undefined; value: string }>((resolve, reject) => {
            const stream = session.request({
              ':method': 'POST',
              ':path': GET,
              'content-type': 'application/grpc',
              te: 'trailers',
              authorization: secret,
              cache: CACHE,
            });
            const body: Buffer[] = [];
            let status: string | undefined;
            stream.on('trailers', (t) => {
              status = t['grpc-status'] as string | undefined;
            });
            stream.on('data', (d: Buffer) => body.push(d));
            stream.on('error', reject);
            stream.on('close', () => {
              try {
                const response = getResponse(Buffer.concat(body));
                resolve({ status, value: Buffer.from(response.cache_body).toString() });
              } catch (e) {
                reject(e);
              }
            });
            stream.end(grpcMessage(getRequest(`node-${k % 10}`)));
          });
        const answers = await Promise.all(Array.from({ length: 500 }, (_, i) => one(i)));
        expect(answers.filter((a) => a.status !== '0')).toEqual([]);
        expect(answers.map((a) => a.value)).toEqual(Array.from({ length: 500 }, (_, i) => `value-${i % 10}`));
      } finally {
        session.close();
      }
    });

    it('the official SDK: Set and Get', async () => {
      const sdk = await b.client();
      expect((await sdk.set(CACHE, 'sdk-smoke', 'hello')).type).toBe(CacheSetResponse.Success);
      const r = await sdk.get(CACHE, 'sdk-smoke');
      expect(r.type === CacheGetResponse.Hit && r.valueString()).toBe('hello');
    });
  });
});

// ─── small limits ──────────────────────────────────────────────────────────────────────────────────────

describe('HTTP/2 limits (maxConcurrentStreams: 2)', () => {
  let b: Booted;
  let port: number;
  let withCache: string[];

  beforeAll(async () => {
    b = await boot({ connections: { ...defaultConfig.connections, maxConcurrentStreams: 2 } });
    port = b.server.grpcPort;
    withCache = ['authorization', apiKeyOf(b), 'cache', CACHE];
    expect((await (await b.client()).createCache(CACHE)).type).toBe('Success');
  });
  afterAll(async () => {
    await b.stop();
  });

  const openGet = (id: number) =>
    headersFrame(id, encodeHeaderBlock(grpcRequestFields(GET, withCache)), Flag.END_HEADERS);
  const endGet = (id: number, key: string) => dataFrame(id, grpcMessage(getRequest(key)), Flag.END_STREAM);

  it('advertises MAX_CONCURRENT_STREAMS 2 and refuses a third open stream with RST_STREAM(REFUSED_STREAM)', async () => {
    const c = await RawH2.connect(port);
    try {
      const settings = await c.next((f) => f.type === FrameType.SETTINGS && (f.flags & Flag.ACK) === 0);
      expect(settingsOf(settings).get(Setting.MAX_CONCURRENT_STREAMS)).toBe(2);
      const [s1, s2, s3] = [c.streamId(), c.streamId(), c.streamId()];
      // Two requests left open (no END_STREAM), then a third; the PING's ACK comes after any answer to it.
      await c.send(openGet(s1), openGet(s2), openGet(s3));
      await c.roundTrip();
      expect(c.received.filter((f) => f.streamId !== 0).map((f) => [f.streamId, f.type])).toEqual([
        [s3, FrameType.RST_STREAM],
      ]);
      const refused = await c.response(s3);
      expect(refused.rstCode).toBe(H2Error.REFUSED_STREAM);
      // The two open ones complete normally, and a new stream is accepted once they are done.
      await c.send(endGet(s1, 'missing-1'), endGet(s2, 'missing-2'));
      const [r1, r2] = await Promise.all([c.response(s1), c.response(s2)]);
      expect(grpcStatus(r1)).toBe('0');
      expect(grpcStatus(r2)).toBe('0');
      expect(getResponse(r1.data).result).toBe(pb.ECacheResult.Miss);
      expect(grpcStatus(await c.unary(GET, getRequest('missing-3'), withCache))).toBe('0');
      expect(c.isClosed).toBe(false);
    } finally {
      c.close();
    }
  });

  it('rapid reset: more than 1000 streams opened and reset at once → GOAWAY(ENHANCE_YOUR_CALM) and close', async () => {
    const c = await RawH2.connect(port);
    try {
      const frames: Buffer[] = [];
      for (let i = 0; i < 1100; i++) {
        const id = c.streamId();
        frames.push(openGet(id), rstFrame(id, H2Error.CANCEL));
      }
      await c.send(...frames, pingFrame(MARK));
      const first = await c.next(goawayOrMark);
      expect(first.type).toBe(FrameType.GOAWAY);
      expect(first.payload.readUInt32BE(4)).toBe(H2Error.ENHANCE_YOUR_CALM);
      await c.closed;
    } finally {
      c.close();
    }
    // Other connections are unaffected.
    const fresh = await RawH2.connect(port);
    try {
      expect(grpcStatus(await fresh.unary(GET, getRequest('after-rapid-reset'), withCache))).toBe('0');
    } finally {
      fresh.close();
    }
  });

  it('ordinary cancellations (100 opened and reset) are fine: the connection keeps serving', async () => {
    const c = await RawH2.connect(port);
    try {
      const frames: Buffer[] = [];
      for (let i = 0; i < 100; i++) {
        const id = c.streamId();
        frames.push(openGet(id), rstFrame(id, H2Error.CANCEL));
      }
      await c.send(...frames);
      await c.roundTrip();
      expect(c.received.filter((f) => f.type === FrameType.GOAWAY)).toEqual([]);
      expect(grpcStatus(await c.unary(GET, getRequest('after-resets'), withCache))).toBe('0');
    } finally {
      c.close();
    }
  });
});

// ─── graceful shutdown ─────────────────────────────────────────────────────────────────────────────────

describe('graceful shutdown', () => {
  let b: Booted;
  let stopped: Promise<void> | undefined;

  beforeAll(async () => {
    b = await boot({});
    expect((await (await b.client()).createCache(CACHE)).type).toBe('Success');
  });
  afterAll(async () => {
    await (stopped ?? b.stop());
  });

  it('stop(): subscriptions end UNAVAILABLE, GOAWAY(NO_ERROR) names the last stream, the call in flight finishes, new streams are refused, then close', async () => {
    const port = b.server.grpcPort;
    const secret = apiKeyOf(b);
    const withCache = ['authorization', secret, 'cache', CACHE];
    const idle = await RawH2.connect(port);
    const c = await RawH2.connect(port);
    try {
      await idle.roundTrip();
      // A subscription …
      const sub = c.streamId();
      await c.send(
        headersFrame(sub, encodeHeaderBlock(grpcRequestFields(SUBSCRIBE, ['authorization', secret])), Flag.END_HEADERS),
        dataFrame(sub, grpcMessage(subscribeRequest('shutdown-topic')), Flag.END_STREAM),
      );
      await c.next(isData(sub));
      // … and a unary call whose request has not finished arriving.
      const inFlight = c.streamId();
      await c.send(headersFrame(inFlight, encodeHeaderBlock(grpcRequestFields(GET, withCache)), Flag.END_HEADERS));
      await c.roundTrip();

      stopped = b.stop();
      const subEnd = await c.next((f) => f.streamId === sub && f.blockEndStream === true);
      expect(field(subEnd.fields, 'grpc-status')).toBe('14');
      const goaway = await c.goaway();
      expect(goaway.code).toBe(H2Error.NO_ERROR);
      expect(goaway.lastStreamId).toBe(inFlight);
      const idleGoaway = await idle.goaway();
      expect(idleGoaway.code).toBe(H2Error.NO_ERROR);
      expect(idleGoaway.lastStreamId).toBe(0);
      await idle.closed;

      // A stream opened after GOAWAY is refused; the one in flight is still answered.
      const late = c.streamId();
      await c.send(
        headersFrame(late, encodeHeaderBlock(grpcRequestFields(GET, withCache)), Flag.END_HEADERS),
        dataFrame(late, grpcMessage(getRequest('late')), Flag.END_STREAM),
      );
      expect((await c.response(late)).rstCode).toBe(H2Error.REFUSED_STREAM);
      await c.send(dataFrame(inFlight, grpcMessage(getRequest('in-flight')), Flag.END_STREAM));
      const answer = await c.response(inFlight);
      expect(grpcStatus(answer)).toBe('0');
      expect(getResponse(answer.data).result).toBe(pb.ECacheResult.Miss);
      // With its last call done, the connection closes and the stop completes.
      await c.closed;
      await stopped;
    } finally {
      idle.close();
      c.close();
    }
  });
});
