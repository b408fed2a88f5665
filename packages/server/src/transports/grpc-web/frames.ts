/**
 * @module transports/grpc-web/frames
 * The gRPC-Web body format: 5-byte-prefixed frames (flag byte, 32-bit big-endian length), data frames
 * (flag 0x00) carrying one protobuf message each and one trailer frame (flag 0x80) carrying
 * `name:value\r\n` lines; in `application/grpc-web-text` the body is base64 of those bytes. Decoding is
 * bounded: time linear in the body, one allocation the size of the message, and every malformation is an
 * INVALID_ARGUMENT naming what was wrong, never an exception the server does not expect.
 */
import { CacheError, ErrorCode } from '@cachette/core';

/** A data frame's flag byte; bit 0 would mean "compressed". */
const DATA = 0x00;
const COMPRESSED = 0x01;
/** The trailer frame's flag byte. */
const TRAILER = 0x80;
const PREFIX = 5;

// Whole 4-character groups, the last of a segment possibly padded. Fixed-width alternatives: linear time.
const BASE64 = /^(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)*$/;

function invalid(message: string): CacheError {
  return new CacheError(ErrorCode.INVALID_ARGUMENT, `malformed gRPC-Web request: ${message}`);
}

/**
 * The bytes of a `grpc-web-text` body. Clients may send several base64 segments back to back, each padded
 * (the gRPC-Web spec allows it), so padding may appear at any group boundary; anything else, including
 * whitespace, is refused rather than skipped (Node's decoder silently drops characters it does not know).
 */
export function decodeBase64Body(text: string): Buffer {
  if (text.length % 4 !== 0) throw invalid(`base64 body length ${text.length} is not a multiple of 4`);
  if (!BASE64.test(text)) {
    const at = text.search(/[^A-Za-z0-9+/=]/);
    throw invalid(
      at === -1
        ? 'base64 padding (=) inside a 4-character group'
        : `character ${JSON.stringify(text[at])} at offset ${at} is not base64`,
    );
  }
  const pad = text.indexOf('=');
  if (pad === -1 || pad >= text.length - 2) return Buffer.from(text, 'base64');
  // Padded segments back to back: decode group by group boundary (rare; browsers send one segment).
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 3; i < text.length; i += 4) {
    if (text[i] === '=') {
      parts.push(Buffer.from(text.slice(start, i + 1), 'base64'));
      start = i + 1;
    }
  }
  if (start < text.length) parts.push(Buffer.from(text.slice(start), 'base64'));
  return Buffer.concat(parts);
}

/**
 * The one message of a unary or server-streaming request: `body` must be exactly one uncompressed data
 * frame of at most `maxMessageBytes`.
 */
export function decodeRequestFrame(body: Buffer, maxMessageBytes: number): Buffer {
  if (body.length < PREFIX) {
    throw invalid(`body of ${body.length} bytes is shorter than a frame header (5 bytes)`);
  }
  const flag = body[0] as number;
  if (flag & TRAILER) throw invalid('a request carries no trailer frame');
  if (flag & COMPRESSED) throw invalid('compressed frames are not supported (send grpc-encoding identity)');
  if (flag !== DATA) throw invalid(`unknown frame flag 0x${flag.toString(16)}`);
  const length = body.readUInt32BE(1);
  if (length > maxMessageBytes) {
    throw new CacheError(
      ErrorCode.LIMIT_EXCEEDED,
      `gRPC-Web request message of ${length} bytes exceeds the limit of ${maxMessageBytes} bytes`,
      'request_size_limit_exceeded',
    );
  }
  if (body.length !== PREFIX + length) {
    throw invalid(
      body.length < PREFIX + length
        ? `frame declares ${length} bytes but the body holds ${body.length - PREFIX}`
        : `${body.length - PREFIX - length} bytes after the message (one message per call)`,
    );
  }
  return body.subarray(PREFIX);
}

/** A data frame around `message`. */
export function dataFrame(message: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(PREFIX + message.length);
  frame[0] = DATA;
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, PREFIX);
  return frame;
}

/** The trailer frame for `trailers` (names lower-case, values already header-safe). */
export function trailerFrame(trailers: ReadonlyArray<readonly [string, string]>): Buffer {
  let text = '';
  for (const [name, value] of trailers) text += `${name}:${value}\r\n`;
  const bytes = Buffer.from(text, 'latin1');
  const frame = Buffer.allocUnsafe(PREFIX + bytes.length);
  frame[0] = TRAILER;
  frame.writeUInt32BE(bytes.length, 1);
  bytes.copy(frame, PREFIX);
  return frame;
}

/**
 * `grpc-message` as the gRPC spec encodes it: bytes outside printable ASCII, and `%`, percent-encoded
 * (UTF-8), so it is a valid header value; plain ASCII messages stay readable as they are.
 */
export function encodeGrpcMessage(message: string): string {
  let out = '';
  for (const byte of Buffer.from(message, 'utf8')) {
    out +=
      byte >= 0x20 && byte <= 0x7e && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
