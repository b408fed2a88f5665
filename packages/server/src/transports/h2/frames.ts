/**
 * @module transports/h2/frames
 * HTTP/2 (RFC 9113) frame types, flags, error codes and settings identifiers, and the writers of the
 * frames the server sends. Every frame starts with the same 9-byte header: 24-bit payload length, type,
 * flags, then a reserved bit and the 31-bit stream id.
 */

export const FRAME_HEADER_BYTES = 9;

/** The client connection preface (RFC 9113 §3.4), before its first SETTINGS frame. */
export const CLIENT_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

export const Flag = {
  END_STREAM: 0x1,
  ACK: 0x1,
  END_HEADERS: 0x4,
  PADDED: 0x8,
  PRIORITY: 0x20,
} as const;

/** Error codes of RST_STREAM and GOAWAY (RFC 9113 §7). */
export const H2Error = {
  NO_ERROR: 0x0,
  PROTOCOL_ERROR: 0x1,
  INTERNAL_ERROR: 0x2,
  FLOW_CONTROL_ERROR: 0x3,
  STREAM_CLOSED: 0x5,
  FRAME_SIZE_ERROR: 0x6,
  REFUSED_STREAM: 0x7,
  CANCEL: 0x8,
  COMPRESSION_ERROR: 0x9,
  ENHANCE_YOUR_CALM: 0xb,
} as const;

export const Setting = {
  HEADER_TABLE_SIZE: 0x1,
  ENABLE_PUSH: 0x2,
  MAX_CONCURRENT_STREAMS: 0x3,
  INITIAL_WINDOW_SIZE: 0x4,
  MAX_FRAME_SIZE: 0x5,
  MAX_HEADER_LIST_SIZE: 0x6,
} as const;

/** The protocol's defaults, in force until a SETTINGS frame changes them. */
export const DEFAULT_WINDOW = 65_535;
export const DEFAULT_MAX_FRAME = 16_384;
export const MAX_WINDOW = 0x7fff_ffff;
export const MAX_FRAME_LIMIT = 0xff_ffff;

/** Writes a frame header at `offset` of `into`. */
export function writeFrameHeader(
  into: Buffer,
  offset: number,
  length: number,
  type: number,
  flags: number,
  streamId: number,
): void {
  into[offset] = length >>> 16;
  into[offset + 1] = (length >>> 8) & 0xff;
  into[offset + 2] = length & 0xff;
  into[offset + 3] = type;
  into[offset + 4] = flags;
  into.writeUInt32BE(streamId & MAX_WINDOW, offset + 5);
}

/** A whole frame with `payload` (copied). */
export function frame(type: number, flags: number, streamId: number, payload?: Uint8Array): Buffer {
  const length = payload?.length ?? 0;
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + length);
  writeFrameHeader(out, 0, length, type, flags, streamId);
  if (payload !== undefined) out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

/** A SETTINGS frame with the given identifier/value pairs. */
export function settingsFrame(settings: ReadonlyArray<readonly [number, number]>): Buffer {
  const payload = Buffer.allocUnsafe(6 * settings.length);
  settings.forEach(([id, value], i) => {
    payload.writeUInt16BE(id, 6 * i);
    payload.writeUInt32BE(value, 6 * i + 2);
  });
  return frame(FrameType.SETTINGS, 0, 0, payload);
}

export const SETTINGS_ACK = frame(FrameType.SETTINGS, Flag.ACK, 0);

/** A frame whose payload is one 32-bit value: RST_STREAM (error code) or WINDOW_UPDATE (increment). */
export function u32Frame(type: number, streamId: number, value: number): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + 4);
  writeFrameHeader(out, 0, 4, type, 0, streamId);
  out.writeUInt32BE(value >>> 0, FRAME_HEADER_BYTES);
  return out;
}

/** GOAWAY naming the last stream we processed, an error code and an optional (ASCII) reason. */
export function goawayFrame(lastStreamId: number, code: number, debug = ''): Buffer {
  const reason = Buffer.from(debug, 'latin1');
  const payload = Buffer.allocUnsafe(8 + reason.length);
  payload.writeUInt32BE(lastStreamId & MAX_WINDOW, 0);
  payload.writeUInt32BE(code, 4);
  payload.set(reason, 8);
  return frame(FrameType.GOAWAY, 0, 0, payload);
}
