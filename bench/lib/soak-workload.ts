/**
 * @module bench/lib/soak-workload
 * The soak's mixed workload over raw gRPC (`node:http2`, messages from `@gomomento/generated-types`): gets,
 * sets, deletes, 10-key GetBatch and SetBatch, keys drawn half from a hot set (so gets hit) and half from a
 * keyspace far larger than the server's memory (so the engine evicts all the time), three value sizes, and
 * a share of short TTLs (so expiry runs too). A raw client, not the SDK: grpc-js as a client costs more CPU
 * than the server it measures (DESIGN.md), and the soak must leave the CPU to the server.
 */
import { type ClientHttp2Session, connect, constants } from 'node:http2';
import { cache } from '@gomomento/generated-types';
import { grpcFrame } from './wire.ts';

const pb = cache.cache_client;

/** The operation kinds and their share of calls (sums to 1). */
export const MIX = [
  ['get', 0.45],
  ['set', 0.25],
  ['delete', 0.08],
  ['getBatch', 0.11],
  ['setBatch', 0.11],
] as const;
export type SoakOp = (typeof MIX)[number][0];

const PATHS: Record<SoakOp, string> = {
  get: '/cache_client.Scs/Get',
  set: '/cache_client.Scs/Set',
  delete: '/cache_client.Scs/Delete',
  getBatch: '/cache_client.Scs/GetBatch',
  setBatch: '/cache_client.Scs/SetBatch',
};

/** Keys per batch call. */
export const BATCH_KEYS = 10;
/** Keys of the hot set: small enough to stay resident under eviction, so gets hit. */
export const HOT_KEYS = 5_000;
/** Value sizes and their weights: mostly small, some large (segment compaction, eviction of big items). */
const VALUES: readonly (readonly [Buffer, number])[] = [
  [Buffer.alloc(64, 0x61), 0.5],
  [Buffer.alloc(512, 0x62), 0.4],
  [Buffer.alloc(4096, 0x63), 0.1],
];
const LONG_TTL_MS = 3_600_000;
const SHORT_TTL_MS = 5_000;

export interface WorkloadOptions {
  /** Keys of the cold keyspace (`soak:` + 11 digits). */
  readonly keyspace: number;
}

/** Result of one call: the gRPC status (0 = OK), or -1 when the stream failed without one. */
export type CallDone = (grpcStatus: number) => void;

/** Picks and encodes calls; `Math.random` is fine here: the mix, not replayability, is what matters. */
export class SoakWorkload {
  readonly #keyspace: number;

  constructor(options: WorkloadOptions) {
    this.#keyspace = options.keyspace;
  }

  #key(): Buffer {
    const i = Math.random() < 0.5 ? Math.floor(Math.random() * HOT_KEYS) : Math.floor(Math.random() * this.#keyspace);
    return Buffer.from(`soak:${i.toString().padStart(11, '0')}`, 'latin1');
  }

  #value(): Buffer {
    let r = Math.random();
    for (const [value, weight] of VALUES) {
      if (r < weight) return value;
      r -= weight;
    }
    return VALUES[0]![0];
  }

  #setRequest(): InstanceType<typeof pb._SetRequest> {
    return new pb._SetRequest({
      cache_key: this.#key(),
      cache_body: this.#value(),
      ttl_milliseconds: Math.random() < 0.1 ? SHORT_TTL_MS : LONG_TTL_MS,
    });
  }

  /** A SetBatch of `count` cold keys with the long TTL: fills the engine before the soak, so it evicts throughout. */
  fill(count: number): { path: string; frame: Buffer } {
    const items = Array.from(
      { length: count },
      () =>
        new pb._SetRequest({
          cache_key: Buffer.from(
            `soak:${Math.floor(Math.random() * this.#keyspace)
              .toString()
              .padStart(11, '0')}`,
          ),
          cache_body: this.#value(),
          ttl_milliseconds: LONG_TTL_MS,
        }),
    );
    return { path: PATHS.setBatch, frame: grpcFrame(new pb._SetBatchRequest({ items }).serialize()) };
  }

  /** The next call: which operation, its path and its framed body. */
  next(): { op: SoakOp; path: string; frame: Buffer } {
    let r = Math.random();
    let op: SoakOp = 'get';
    for (const [name, share] of MIX) {
      if (r < share) {
        op = name;
        break;
      }
      r -= share;
    }
    let message: Uint8Array;
    switch (op) {
      case 'get':
        message = new pb._GetRequest({ cache_key: this.#key() }).serialize();
        break;
      case 'set':
        message = this.#setRequest().serialize();
        break;
      case 'delete':
        message = new pb._DeleteRequest({ cache_key: this.#key() }).serialize();
        break;
      case 'getBatch':
        message = new pb._GetBatchRequest({
          items: Array.from({ length: BATCH_KEYS }, () => new pb._GetRequest({ cache_key: this.#key() })),
        }).serialize();
        break;
      case 'setBatch':
        message = new pb._SetBatchRequest({
          items: Array.from({ length: BATCH_KEYS }, () => this.#setRequest()),
        }).serialize();
        break;
    }
    return { op, path: PATHS[op], frame: grpcFrame(message) };
  }
}

/** A few HTTP/2 connections to the server, used round-robin (several application instances). */
export class SoakConnections {
  readonly #sessions: ClientHttp2Session[];
  readonly #headers: Record<string, string>;
  #next = 0;

  constructor(address: string, count: number, headers: Record<string, string>) {
    this.#headers = headers;
    this.#sessions = Array.from({ length: count }, () => {
      const session = connect(`http://${address}`);
      session.on('error', () => {}); // surfaced per call as status -1
      return session;
    });
  }

  /** Sends one call; `done` gets its gRPC status once the stream has closed. */
  call(path: string, frame: Buffer, done: CallDone): void {
    const session = this.#sessions[this.#next++ % this.#sessions.length]!;
    let status = -1;
    let stream: ReturnType<ClientHttp2Session['request']>;
    try {
      stream = session.request({
        [constants.HTTP2_HEADER_METHOD]: 'POST',
        [constants.HTTP2_HEADER_PATH]: path,
        'content-type': 'application/grpc',
        te: 'trailers',
        ...this.#headers,
      });
    } catch {
      done(-1);
      return;
    }
    const take = (h: Record<string, unknown>) => {
      const s = h['grpc-status'];
      if (s !== undefined) status = Number(s);
    };
    stream.on('response', take);
    stream.on('trailers', take);
    stream.on('data', () => {}); // drain: replies are not checked byte by byte, only their status
    stream.on('error', () => {});
    stream.on('close', () => done(status));
    stream.end(frame);
  }

  close(): void {
    for (const session of this.#sessions) session.close();
  }
}
