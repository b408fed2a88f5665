/**
 * @module fuzz/lib/h2-frame-cases
 * Hostile HTTP/2 at the frame level on the gRPC port, below what any HTTP/2 client library will send:
 * the preface (sometimes damaged), SETTINGS with odd identifiers and values, well-formed gRPC calls mixed
 * with frames of every type carrying random flags, stream ids and payloads, header blocks with flipped
 * bytes, CONTINUATION runs, window updates of zero or overflowing size, resets, pings, GOAWAYs, frames
 * whose length lies (the rest never comes), and clients that never read. The server must answer what it
 * can, refuse the rest with RST_STREAM or GOAWAY, and keep serving everyone else (the canary).
 */
import { FrameType, frame, settingsFrame } from '../../packages/server/src/transports/h2/frames.ts';
import { encodeHeaderBlock } from '../../packages/server/src/transports/h2/hpack.ts';
import type { RunningCase } from './grpc-cases.ts';
import type { Rng } from './rng.ts';
import { startSocketCase } from './socket-case.ts';

export interface H2FrameTarget {
  readonly grpcPort: number;
  readonly secret: string;
  readonly fuzzCache: string;
  readonly answerWaitMs: number;
  readonly openWaitMs: number;
}

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const PATHS = [
  '/cache_client.Scs/Get',
  '/cache_client.Scs/Set',
  '/cache_client.Scs/Delete',
  '/cache_client.Scs/DictionaryFetch',
  '/cache_client.pubsub.Pubsub/Subscribe',
  '/cache_client.Ping/Ping',
  '/nope/Nope',
];
const WINDOW_VALUES = [0, 1, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 65_535, 16_384];

function u32(value: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(value >>> 0);
  return b;
}

function requestBlock(rng: Rng, t: H2FrameTarget): Buffer {
  const fields = [
    ':method',
    rng.chance(0.9) ? 'POST' : 'GET',
    ':scheme',
    'http',
    ':path',
    rng.pick(PATHS),
    ':authority',
    'fuzz',
    'content-type',
    rng.chance(0.9) ? 'application/grpc' : 'text/plain',
    'te',
    'trailers',
    'authorization',
    rng.chance(0.8) ? t.secret : 'wrong',
    'cache',
    t.fuzzCache,
  ];
  if (rng.chance(0.2)) fields.push('grpc-timeout', rng.pick(['1m', '10S', 'x', '99999999H', '0n']));
  if (rng.chance(0.1)) fields.push('grpc-encoding', rng.pick(['gzip', 'deflate', 'snappy', 'identity']));
  return encodeHeaderBlock(fields);
}

/** A gRPC message frame: a small protobuf-ish body, its declared length sometimes lying. */
function grpcMessage(rng: Rng): Buffer {
  const body = rng.chance(0.5) ? Buffer.from([0x0a, 0x01, 0x6b]) : Buffer.from(rng.bytes(rng.size(200)));
  const out = Buffer.allocUnsafe(5 + body.length);
  out[0] = rng.chance(0.95) ? 0 : rng.int(256);
  out.writeUInt32BE(rng.chance(0.9) ? body.length : rng.int(0xffff_ffff), 1);
  body.copy(out, 5);
  return out;
}

function damaged(rng: Rng, bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  for (let i = 0, n = 1 + rng.int(4); i < n && out.length > 0; i++) out[rng.int(out.length)] = rng.int(256);
  return out;
}

function randomFrame(rng: Rng, t: H2FrameTarget, streamId: number): Buffer {
  const type = rng.int(11);
  const flags = rng.int(256);
  const id = rng.chance(0.8) ? streamId : rng.pick([0, 2, 0x7fff_ffff, streamId + 2, rng.int(0xffff_ffff)]);
  switch (type) {
    case FrameType.HEADERS:
    case FrameType.CONTINUATION: {
      const block = requestBlock(rng, t);
      return frame(type, flags, id, rng.chance(0.5) ? damaged(rng, block) : block);
    }
    case FrameType.WINDOW_UPDATE:
      return frame(type, 0, id, u32(rng.pick(WINDOW_VALUES)));
    case FrameType.RST_STREAM:
      return frame(type, 0, id, u32(rng.int(16)));
    case FrameType.SETTINGS:
      return rng.chance(0.8)
        ? settingsFrame([[rng.int(10), rng.pick(WINDOW_VALUES)]])
        : frame(type, flags, id, rng.bytes(rng.size(20)));
    case FrameType.PING:
      return frame(type, flags & 1, 0, rng.bytes(rng.chance(0.9) ? 8 : rng.size(16)));
    default:
      return frame(type, flags, id, rng.bytes(rng.size(64)));
  }
}

/** One hostile connection. */
export function startH2FrameCase(rng: Rng, t: H2FrameTarget): RunningCase {
  const parts: Buffer[] = [];
  const prefaceDamaged = rng.chance(0.05);
  parts.push(prefaceDamaged ? damaged(rng, PREFACE) : PREFACE);
  parts.push(settingsFrame(rng.chance(0.7) ? [] : [[4, rng.pick(WINDOW_VALUES)]]));
  let streamId = 1;
  let wellFormed = 0;
  let lyingLength = false;
  for (let i = 0, n = 1 + rng.size(30); i < n; i++) {
    const r = rng.next();
    if (r < 0.45) {
      // A well-formed call (END_HEADERS, then one DATA with END_STREAM), sometimes split by CONTINUATION.
      const block = requestBlock(rng, t);
      if (rng.chance(0.2) && block.length > 4) {
        const cut = 1 + rng.int(block.length - 1);
        parts.push(frame(FrameType.HEADERS, 0, streamId, block.subarray(0, cut)));
        parts.push(frame(FrameType.CONTINUATION, 0x4, streamId, block.subarray(cut)));
      } else parts.push(frame(FrameType.HEADERS, 0x4, streamId, block));
      parts.push(frame(FrameType.DATA, 0x1, streamId, grpcMessage(rng)));
      wellFormed++;
      streamId += 2;
    } else if (r < 0.9) {
      parts.push(randomFrame(rng, t, streamId));
      if (rng.chance(0.5)) streamId += 2;
    } else if (r < 0.95) {
      // A CONTINUATION run.
      parts.push(frame(FrameType.HEADERS, 0, streamId, requestBlock(rng, t)));
      for (let k = 0, m = rng.size(40); k < m; k++)
        parts.push(frame(FrameType.CONTINUATION, 0, streamId, rng.bytes(rng.size(16_000))));
      streamId += 2;
    } else {
      // A frame whose declared length is more than what follows: the connection then waits for the rest.
      const lying = frame(FrameType.DATA, 0, streamId, rng.bytes(rng.size(100)));
      lying[2] = (lying[2] as number) + 1 + rng.int(200);
      parts.push(lying);
      lyingLength = true;
      break;
    }
  }
  const neverReads = rng.chance(0.1);
  // A connection held open (never reading, or waiting for the rest of a frame) is not judged by its
  // answer; the others are answered once the server speaks (it sends SETTINGS first, then processes).
  const held = neverReads || lyingLength;
  const label = `h2 ${parts.length} frames, ${wellFormed} calls${prefaceDamaged ? ', damaged preface' : ''}${neverReads ? ', never reading' : ''}${lyingLength ? ', cut short' : ''}`;
  return startSocketCase({
    port: t.grpcPort,
    label,
    waitMs: held ? t.openWaitMs : t.answerWaitMs,
    send(socket) {
      // Some cases drip in pieces, to exercise reassembly.
      if (rng.chance(0.2)) {
        const all = Buffer.concat(parts);
        for (let at = 0; at < all.length; ) {
          const step = 1 + rng.int(64);
          socket.write(all.subarray(at, at + step));
          at += step;
        }
      } else socket.write(Buffer.concat(parts));
      if (!neverReads) return undefined;
      socket.pause();
      return 'open';
    },
    received: () => (held ? undefined : 'h2:answered'),
    timedOut: () => (held ? 'open' : 'unanswered'),
    closed: () => 'closed',
  });
}
