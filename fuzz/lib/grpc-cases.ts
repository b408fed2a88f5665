/**
 * @module fuzz/lib/grpc-cases
 * Hostile gRPC calls over `node:http2` (grpc-js would refuse to send most of them): every method of every
 * service the server routes and unknown ones, protobuf-mutated bodies, hostile framing (compressed flag,
 * gzip bombs, lengths past the frame, two messages on a unary call, byte-by-byte writes), hostile headers,
 * and streams left open while the canary runs.
 */
import http2 from 'node:http2';
import { gzipSync } from 'node:zlib';
import { auth, cache, control, leaderboard, ping, pubsub, token, webhook } from '@gomomento/generated-types';
import type { ServiceDefinition } from '@grpc/grpc-js';
import {
  type GeneratedMessageClass,
  type MessageSchema,
  schemaOf,
} from '../../packages/server/src/transports/grpc/protobuf-guard.ts';
import { mutatedMessage, type Vocabulary } from './protobuf-gen.ts';
import type { Rng } from './rng.ts';

/** A method the server routes, with the schema of its request. */
export interface GrpcMethod {
  readonly path: string;
  readonly schema: MessageSchema | undefined;
}

/** Every method of every service definition the server registers, plus grpc.health.v1. */
export function grpcMethods(): GrpcMethod[] {
  const defs = [
    cache.cache_client.UnimplementedScsService.definition,
    control.control_client.UnimplementedScsControlService.definition,
    ping.cache_client.UnimplementedPingService.definition,
    auth.auth.UnimplementedAuthService.definition,
    token.token.UnimplementedTokenService.definition,
    pubsub.cache_client.pubsub.UnimplementedPubsubService.definition,
    leaderboard.leaderboard.UnimplementedLeaderboardService.definition,
    webhook.webhook.UnimplementedWebhookService.definition,
  ] as unknown as ServiceDefinition[];
  const out: GrpcMethod[] = [];
  for (const def of defs) {
    for (const attrs of Object.values(def)) {
      const cls = (attrs.requestDeserialize(Buffer.alloc(0)) as object).constructor as unknown as GeneratedMessageClass;
      out.push({ path: attrs.path, schema: schemaOf(cls) });
    }
  }
  out.push({ path: '/grpc.health.v1.Health/Check', schema: undefined });
  return out;
}

/** What the server did with a case: `grpc:<code>`, `http:<status>`, `rst:<code>`, `open`, `unanswered`, … */
export type Outcome = string;

/** A case in flight: `sent` resolves once its bytes are written; `outcome` once it is answered or judged. */
export interface RunningCase {
  readonly label: string;
  readonly sent: Promise<void>;
  readonly outcome: Promise<Outcome>;
  close(): void;
}

export interface GrpcTarget {
  readonly grpcPort: number;
  readonly secret: string;
  readonly fuzzCache: string;
  readonly methods: readonly GrpcMethod[];
  readonly vocab: Vocabulary;
  /** How long a finished request may go unanswered before it counts as `unanswered`. */
  readonly answerWaitMs: number;
  /** How long an unfinished request is watched for an early answer (it stays open until `close()`). */
  readonly openWaitMs: number;
}

let bomb: Buffer | undefined;
/** 16 MiB of zeros gzipped to ~16 KiB: decompressed, it is over the 6 MiB message limit. */
function gzipBomb(): Buffer {
  bomb ??= gzipSync(Buffer.alloc(16 * 1024 * 1024));
  return bomb;
}

function frame(flag: number, body: Uint8Array, declared = body.length): Buffer {
  const head = Buffer.alloc(5);
  head[0] = flag;
  head.writeUInt32BE(declared >>> 0, 1);
  return Buffer.concat([head, body]);
}

const ODD = ['', ' ', 'Bearer ', 'Bearer x', 'null', '\t', 'é', '%00', 'a'.repeat(4096), 'x'.repeat(16_000)];

function hostileHeaders(rng: Rng, t: GrpcTarget, path: string): http2.OutgoingHttpHeaders {
  const h: http2.OutgoingHttpHeaders = {
    ':method': 'POST',
    ':path': path,
    'content-type': 'application/grpc',
    te: 'trailers',
    authorization: t.secret,
    cache: t.fuzzCache,
  };
  if (rng.chance(0.15))
    h.authorization = rng.pick([...ODD, t.secret.slice(0, -1), `${t.secret}x`, `Bearer ${t.secret}`]);
  if (rng.chance(0.05)) delete h.authorization;
  if (rng.chance(0.1)) h.cache = rng.pick([...ODD, '../etc', 'no-such-cache', t.fuzzCache.toUpperCase()]);
  if (rng.chance(0.05)) h.cache = [t.fuzzCache, 'other'];
  if (rng.chance(0.08)) {
    h['content-type'] = rng.pick([
      'text/plain',
      'application/grpc-web',
      'application/grpc+json',
      'application/json',
      '',
    ]);
  }
  if (rng.chance(0.1))
    h['grpc-timeout'] = rng.pick(['1n', '0S', '1m', '99999999H', '-1m', 'abc', '1', '', '123456789S']);
  if (rng.chance(0.04)) delete h.te;
  if (rng.chance(0.03)) h[':method'] = rng.pick(['GET', 'PUT', 'OPTIONS']);
  if (rng.chance(0.05)) h['grpc-encoding'] = rng.pick(['gzip', 'deflate', 'identity', 'br', 'bogus']);
  if (rng.chance(0.03)) h['grpc-accept-encoding'] = 'x'.repeat(rng.size(5000));
  if (rng.chance(0.02)) for (let i = 0; i < 100; i++) h[`x-fuzz-${i}`] = 'v'.repeat(rng.size(200));
  return h;
}

const HOT =
  /\/(Get|Set|Delete|SetIf|SetIfNotExists|Increment|ItemGetTtl|ItemGetType|UpdateTtl|KeysExist|GetBatch|SetBatch|CreateCache|DeleteCache|ListCaches|FlushCache|GenerateDisposableToken|GenerateApiToken|Ping|Check|UpsertElements|GetByRank|GetByScore|GetRank|GetCompetitionRank|GetLeaderboardLength|RemoveElements|DeleteLeaderboard|Publish|Subscribe|PutWebhook|ListWebhooks)$/;

function pathFor(rng: Rng, t: GrpcTarget): { path: string; schema: MessageSchema | undefined } {
  const r = rng.next();
  // Half the calls go to methods Cachette implements: their requests travel furthest.
  if (r < 0.5) {
    const hot = t.methods.filter((m) => HOT.test(m.path));
    if (hot.length > 0) return rng.pick(hot);
  }
  if (r < 0.9) return rng.pick(t.methods);
  const path = rng.pick([
    '/cache_client.Scs/NoSuchMethod',
    '/no.such.Service/Get',
    '/',
    '//',
    '/cache_client.Scs/',
    `/cache_client.Scs/${'G'.repeat(rng.size(3000))}`,
    '/cache_client.Scs/Get?x=1',
    '/cache_client.Scs/get',
  ]);
  return { path, schema: rng.pick(t.methods).schema };
}

/** Starts case `rng` against the gRPC port: its own connection, so a reset cannot touch the canary. */
export function startGrpcCase(rng: Rng, t: GrpcTarget): RunningCase {
  const { path, schema } = pathFor(rng, t);
  const headers = hostileHeaders(rng, t, path);
  const { bytes, mutation } = schema
    ? mutatedMessage(rng, schema, t.vocab)
    : { bytes: rng.bytes(rng.size(16)), mutation: 'random-bytes' };
  // Framing: usually one honest frame; sometimes a hostile one.
  const framing = rng.chance(0.7)
    ? 'one'
    : rng.pick([
        'two',
        'none',
        'compressed',
        'gzip',
        'gzip-bomb',
        'declared-more',
        'declared-huge',
        'split',
        'half-header',
        'oversized',
      ]);
  let frames: Buffer[];
  switch (framing) {
    case 'two':
      frames = [frame(0, bytes), frame(0, bytes)];
      break;
    case 'none':
      frames = [];
      break;
    case 'compressed':
      frames = [frame(1, bytes)];
      break;
    case 'gzip':
      headers['grpc-encoding'] = 'gzip';
      frames = [frame(1, gzipSync(bytes))];
      break;
    case 'gzip-bomb':
      headers['grpc-encoding'] = 'gzip';
      frames = [frame(1, gzipBomb())];
      break;
    case 'declared-more':
      frames = [frame(0, bytes, bytes.length + 1 + rng.int(100))];
      break;
    case 'declared-huge':
      frames = [frame(0, bytes, rng.pick([2 ** 31, 2 ** 32 - 1, 7 * 1024 * 1024]))];
      break;
    case 'split':
      frames = [...frame(0, bytes.subarray(0, 256))].map((b) => Buffer.from([b]));
      break;
    case 'half-header':
      frames = [frame(0, bytes).subarray(0, 1 + rng.int(4))];
      break;
    case 'oversized':
      // Rare: 7 MiB is over the 6 MiB message limit.
      frames = rng.chance(0.05) ? [frame(0, Buffer.alloc(7 * 1024 * 1024))] : [frame(0, bytes)];
      break;
    default:
      frames = [frame(0, bytes)];
  }
  const endStream = rng.chance(0.8);
  const label = `grpc ${path.slice(0, 60)} ${mutation} ${framing}${endStream ? '' : ' open'}`;

  let session: http2.ClientHttp2Session | undefined;
  let resolveSent!: () => void;
  const sent = new Promise<void>((r) => {
    resolveSent = r;
  });
  const outcome = new Promise<Outcome>((resolve) => {
    let done = false;
    let answer: string | undefined;
    const finish = (o: Outcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolveSent();
      resolve(o);
    };
    const timer = setTimeout(
      () => finish(answer ?? (endStream ? 'unanswered' : 'open')),
      endStream ? t.answerWaitMs : t.openWaitMs,
    );
    session = http2.connect(`http://127.0.0.1:${t.grpcPort}`);
    session.on('error', (e) => finish(`session-error:${(e as { code?: string }).code ?? e.message}`));
    session.on('goaway', (code) => {
      answer ??= `goaway:${code}`;
    });
    let stream: http2.ClientHttp2Stream;
    try {
      stream = session.request(headers, { endStream: false });
    } catch (e) {
      finish(`client-refused:${(e as { code?: string }).code ?? 'error'}`);
      return;
    }
    stream.on('error', () => undefined);
    stream.on('response', (h) => {
      const status = h['grpc-status'];
      answer = status !== undefined ? `grpc:${status}` : `http:${h[':status']}`;
      if (status !== undefined) finish(answer);
    });
    stream.on('trailers', (h) => finish(`grpc:${h['grpc-status'] ?? '?'}`));
    stream.on('close', () => finish(answer ?? `rst:${stream.rstCode}`));
    stream.resume();
    void (async () => {
      for (const f of frames) {
        if (stream.destroyed) break;
        if (!stream.write(f)) await new Promise((r) => stream.once('drain', r));
      }
      if (endStream && !stream.destroyed) stream.end();
      resolveSent();
    })().catch(() => resolveSent());
  });
  return {
    label,
    sent,
    outcome,
    close: () => session?.destroy(),
  };
}
