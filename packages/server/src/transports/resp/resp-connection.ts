/**
 * @module transports/resp/resp-connection
 * One Redis client connection: feeds received chunks to the parser, runs the complete commands one after
 * another (a pipeline is answered in order), and sends every answer of a read chunk in one socket write.
 *
 * Bounds: while the socket has more than {@link RespConnectionOptions.maxPendingOutputBytes} unsent (a client
 * that pipelines without reading), the connection stops reading and running commands until it drains; a
 * command begun but not finished within `requestTimeoutMs` (a slow or stalled client) closes the connection.
 * No closure is made per command: handlers are module functions taking the connection.
 */
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { CacheError, type Clock, ErrorCode } from '@cachette/core';
import type { CacheService } from '../../service/cache-service.ts';
import type { Authenticator, Principal } from '../../service/principal.ts';
import type { TopicService } from '../../service/topic-service.ts';
import { NOAUTH, respErrorLine, type UnexpectedErrorSink } from './resp-errors.ts';
import { type ParserLimits, RespParser, RespProtocolError } from './resp-parser.ts';
import { RespPubSub } from './resp-pubsub.ts';
import { RespWriter } from './resp-writer.ts';

/** The cache `AUTH <api-key>` (no user name) selects, and the one anonymous connections use. */
export const DEFAULT_CACHE = 'default-cache';

/** How long an authenticated principal is reused before the key is looked up again (as the authenticator caches). */
const REAUTH_MS = 1000;

/** What every connection of one listener shares. */
export interface RespContext {
  readonly service: CacheService;
  /** PUBLISH/SUBSCRIBE go through the topic service, as gRPC's Pubsub does. */
  readonly topics: TopicService;
  readonly auth: Authenticator;
  readonly clock: Clock;
  /** TTL of writes that name none (every item expires). */
  readonly defaultTtlMs: number;
  readonly onUnexpected: UnexpectedErrorSink;
  readonly parserLimits: ParserLimits;
  /** Unsent reply bytes beyond which the connection stops reading. */
  readonly maxPendingOutputBytes: number;
  /** A command must arrive whole within this long once it has begun, in ms. */
  readonly requestTimeoutMs: number;
  /** Facts for INFO, HELLO and CLIENT INFO. */
  readonly info: RespServerInfo;
}

/** What INFO reports about the listener. */
export interface RespServerInfo {
  readonly startedAtMs: number;
  readonly port: () => number;
  readonly tls: boolean;
  readonly connections: () => number;
  /** Commands processed since start, all connections. */
  commands: number;
}

/** One command: `run` writes exactly one reply to `c.out` (or throws, and the error is the reply). */
export type CommandHandler = (c: RespConnection, argv: Buffer[]) => Promise<void> | void;

export interface CommandSpec {
  /** Lower-case name. */
  readonly name: string;
  /** Redis arity: `n` exactly n arguments (name included), `-n` at least n. */
  readonly arity: number;
  /** Whether the command needs an authenticated connection (all but AUTH, HELLO, QUIT, RESET). */
  readonly auth: boolean;
  /** Whether a RESP2 connection in subscribe mode may run it ((P)SUBSCRIBE, (P)UNSUBSCRIBE, PING, QUIT, RESET). */
  readonly inSubscribeMode: boolean;
  readonly run: CommandHandler;
  /** For COMMAND: Redis's flags and key positions. */
  readonly flags: readonly string[];
  readonly firstKey: number;
  readonly lastKey: number;
  readonly step: number;
}

/** Finds a command by its (any-case) name. */
export type CommandLookup = (name: Buffer) => CommandSpec | undefined;

let lastClientId = 0;

/** A connection's state and its command loop. */
export class RespConnection {
  readonly id = ++lastClientId;
  readonly out = new RespWriter();
  /** Set by CLIENT SETNAME / HELLO SETNAME. */
  name: string | undefined;
  libName = '';
  libVersion = '';
  /** The cache commands act on: AUTH's user name, else {@link DEFAULT_CACHE}. */
  cache = DEFAULT_CACHE;
  private principal: Principal | undefined;
  /** The API key given by AUTH/HELLO; '' until then (anonymous, when the server allows it). */
  private token = '';
  private authGeneration = -1;
  private authUntilMs = 0;
  private readonly parser: RespParser;
  private busy = false;
  /**
   * True while the pump awaits a command's promise: its reply may be partly written, so pub/sub pushes
   * are held until it has answered.
   */
  awaiting = false;
  /** Channel subscriptions, from the first SUBSCRIBE. */
  pubsub: RespPubSub | undefined;
  private closing = false;
  private waitingForDrain = false;
  /** The slow-client timer, armed while a command is partly received. */
  private timer: NodeJS.Timeout | undefined;
  /** Commands completed so far, and that count when the partly received command began (-1: none). */
  private completed = 0;
  private partialAt = -1;
  /** When the partly received command must be whole (performance.now() ms; wall time, not the injected clock). */
  private partialDeadline = 0;
  private readonly peer: string;
  readonly createdAtMs: number;

  constructor(
    readonly socket: Socket,
    readonly ctx: RespContext,
    private readonly lookup: CommandLookup,
    private readonly onClosed: (c: RespConnection) => void,
  ) {
    this.parser = new RespParser(ctx.parserLimits);
    this.peer = `${socket.remoteAddress ?? ''}:${socket.remotePort ?? 0}`;
    this.createdAtMs = ctx.clock.nowMs();
    socket.setNoDelay(true);
    socket.on('data', this.onData);
    socket.on('drain', this.onDrain);
    socket.on('error', this.onSocketError);
    socket.on('close', this.onClose);
  }

  /** The address of the client, for CLIENT INFO and the auth throttle. */
  get address(): string {
    return this.peer;
  }

  /** RESP version in use. */
  get protocol(): 2 | 3 {
    return this.out.resp3 ? 3 : 2;
  }

  /** The authenticated principal; only valid inside a handler of a command with `auth: true`. */
  get p(): Principal {
    return this.principal as Principal;
  }

  get service(): CacheService {
    return this.ctx.service;
  }

  /** Whether the command loop is running (it flushes when done). */
  get pumping(): boolean {
    return this.busy;
  }

  /** Reply bytes not yet taken by the kernel: the writer's plus the socket's. */
  get unsentBytes(): number {
    return this.out.pendingBytes + this.socket.writableLength;
  }

  /** The connection's subscriptions, created on first use. */
  subscriptions(): RespPubSub {
    if (this.pubsub === undefined) this.pubsub = new RespPubSub(this);
    return this.pubsub;
  }

  /**
   * Authenticates `token` for `cache` (AUTH, HELLO … AUTH). On failure the connection keeps its previous
   * identity, as Redis does; the error is thrown for the caller to answer.
   */
  async login(cache: string, token: string): Promise<void> {
    const principal = await this.ctx.auth.authenticate(token, this.peer);
    this.principal = principal;
    this.token = token;
    this.cache = cache;
    this.authGeneration = this.ctx.auth.generation;
    this.authUntilMs = this.ctx.clock.nowMs() + REAUTH_MS;
  }

  /** RESET: forgets the identity, name, protocol and subscriptions. */
  reset(): void {
    this.pubsub?.closeAll();
    this.pubsub = undefined;
    this.principal = undefined;
    this.token = '';
    this.cache = DEFAULT_CACHE;
    this.name = undefined;
    this.out.resp3 = false;
  }

  /** Whether an authenticated (or anonymous, when allowed) identity is available now, for HELLO. */
  async authenticated(): Promise<boolean> {
    if (this.fresh()) return true;
    try {
      await this.refreshPrincipal();
      return true;
    } catch {
      return false;
    }
  }

  /** Closes the connection after the replies written so far are sent (QUIT, shutdown). */
  endAfterReply(): void {
    this.closing = true;
  }

  /** Closes now or, when a command is running, once it has answered. */
  shutdown(): void {
    this.closing = true;
    if (!this.busy) {
      this.out.flush(this.socket);
      this.socket.destroySoon();
    }
  }

  private fresh(): boolean {
    const p = this.principal;
    if (p === undefined || this.authGeneration !== this.ctx.auth.generation) return false;
    const now = this.ctx.clock.nowMs();
    return now < this.authUntilMs && (p.expiresAtMs === null || p.expiresAtMs > now);
  }

  /** Looks the connection's key up again (expired, revoked, or the reuse window passed). */
  private async refreshPrincipal(): Promise<void> {
    try {
      this.principal = await this.ctx.auth.authenticate(this.token, this.peer);
    } catch (e) {
      this.principal = undefined;
      if (e instanceof CacheError && e.code === ErrorCode.UNAUTHENTICATED) {
        // Never authenticated (no AUTH, anonymous off): Redis's own words; a key that stopped working: why.
        throw this.token === '' ? NO_AUTH : e;
      }
      throw e;
    }
    this.authGeneration = this.ctx.auth.generation;
    this.authUntilMs = this.ctx.clock.nowMs() + REAUTH_MS;
  }

  private readonly onData = (chunk: Buffer): void => {
    // Closing (QUIT, a protocol error, shutdown): whatever else the client sends is dropped, not buffered.
    if (this.closing) return;
    this.parser.feed(chunk);
    if (this.busy) {
      // Commands are still running: bound what piles up meanwhile.
      if (this.parser.bufferedBytes > this.ctx.parserLimits.maxCommandBytes) this.socket.pause();
      return;
    }
    this.pump();
  };

  private readonly onDrain = (): void => {
    if (this.pubsub !== undefined) this.pubsub.resume();
    if (!this.waitingForDrain) return;
    this.waitingForDrain = false;
    this.socket.resume();
    if (!this.busy) this.pump();
  };

  /** After a pump: (re)starts the deadline when a new command is partly received. */
  private watchPartial(): void {
    if (!this.parser.partial) {
      this.partialAt = -1;
      return;
    }
    const now = performance.now();
    if (this.partialAt !== this.completed) {
      this.partialAt = this.completed;
      this.partialDeadline = now + this.ctx.requestTimeoutMs;
    }
    if (this.timer === undefined) this.arm(this.partialDeadline - now);
  }

  private arm(ms: number): void {
    this.timer = setTimeout(this.onTimeout, Math.max(1, ms));
    this.timer.unref();
  }

  private readonly onTimeout = (): void => {
    this.timer = undefined;
    if (this.socket.destroyed || this.partialAt < 0) return;
    const left = this.partialDeadline - performance.now();
    // Running commands or waiting for the client to read is not the client being slow to send.
    if (this.busy || this.waitingForDrain || this.partialAt !== this.completed || left > 0) {
      this.arm(left > 0 ? left : this.ctx.requestTimeoutMs);
      return;
    }
    // A command began and did not finish arriving in time: slow loris or a stalled client.
    this.closing = true;
    this.out.error(`ERR timeout: the command did not arrive whole within ${this.ctx.requestTimeoutMs} ms`);
    this.out.flush(this.socket);
    this.socket.end();
    this.socket.destroy();
  };

  private readonly onSocketError = (): void => {
    // A reset connection: nothing to answer; 'close' follows.
  };

  private readonly onClose = (): void => {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.closing = true;
    this.out.discard();
    this.pubsub?.closeAll();
    this.onClosed(this);
  };

  /**
   * Runs every complete command, then sends their replies in one write. Synchronous until a command has to
   * wait (most do not: GET and SET on the embedded engine answer at once), so a read costs no promise.
   */
  private pump(): void {
    this.busy = true;
    let waiting: Promise<void> | undefined;
    try {
      waiting = this.runReady();
    } catch (e) {
      this.crashed(e);
      return;
    }
    if (waiting === undefined) this.endPump();
    else void this.pumpAfter(waiting);
  }

  /** The pump once a command returned a promise: awaits it, then runs the rest as {@link pump} does. */
  private async pumpAfter(first: Promise<void>): Promise<void> {
    let pending: Promise<void> | undefined = first;
    try {
      while (pending !== undefined) {
        this.awaiting = true;
        try {
          await pending;
        } catch (e) {
          this.fail(e);
        }
        this.awaiting = false;
        if (this.pubsub !== undefined) this.pubsub.resume();
        pending = this.runReady();
      }
    } catch (e) {
      this.crashed(e);
      return;
    }
    this.endPump();
  }

  /** Runs complete commands in order until none is left or one has to wait; returns that one's promise. */
  private runReady(): Promise<void> | undefined {
    const out = this.out;
    const socket = this.socket;
    for (;;) {
      if (this.closing || socket.destroyed) return undefined;
      if (out.pendingBytes >= this.ctx.maxPendingOutputBytes) {
        out.flush(socket);
        if (socket.writableLength >= this.ctx.maxPendingOutputBytes) {
          // The client sends faster than it reads: stop reading until the socket drains.
          this.waitingForDrain = true;
          socket.pause();
          return undefined;
        }
      }
      let complete: boolean;
      try {
        complete = this.parser.next();
      } catch (e) {
        if (!(e instanceof RespProtocolError)) throw e;
        out.error(e.message);
        this.closing = true;
        return undefined;
      }
      if (!complete) return undefined;
      this.completed++;
      this.ctx.info.commands++;
      const pending = this.execute(this.parser.argv);
      if (pending !== undefined) return pending;
    }
  }

  /** Sends the replies, then closes (QUIT, protocol error) or waits for the next command. */
  private endPump(): void {
    const socket = this.socket;
    try {
      this.out.flush(socket);
      if (this.closing) {
        // FIN after the replies, then the descriptor is released even if the client never closes its side.
        socket.destroySoon();
      } else {
        this.watchPartial();
        if (!this.waitingForDrain && socket.isPaused()) socket.resume();
      }
    } catch (e) {
      this.crashed(e);
      return;
    }
    this.stopPumping();
  }

  /** A bug in the loop itself: log it and drop the connection rather than answer out of order. */
  private crashed(e: unknown): void {
    this.ctx.onUnexpected(e, 'resp-connection');
    this.socket.destroy();
    this.stopPumping();
  }

  private stopPumping(): void {
    this.busy = false;
    this.awaiting = false;
    // Pushes written after the last flush (a subscription resumed by the last command) leave now.
    if (this.pubsub !== undefined) this.pubsub.resume();
  }

  /** Runs one command; returns its promise when it did not finish synchronously. */
  private execute(argv: Buffer[]): Promise<void> | undefined {
    const spec = this.lookup(argv[0]!);
    const out = this.out;
    if (spec === undefined) {
      out.error(unknownCommand(argv));
      return undefined;
    }
    const n = argv.length;
    if (spec.arity > 0 ? n !== spec.arity : n < -spec.arity) {
      out.error(`ERR wrong number of arguments for '${spec.name}' command`);
      return undefined;
    }
    if (this.parser.refusal !== undefined) {
      out.error(this.parser.refusal);
      return undefined;
    }
    if (this.pubsub !== undefined && this.pubsub.count > 0 && !out.resp3 && !spec.inSubscribeMode) {
      out.error(
        `ERR Can't execute '${spec.name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
      );
      return undefined;
    }
    if (spec.auth && !this.fresh()) return this.authenticateThenRun(spec, argv);
    try {
      const r = spec.run(this, argv);
      return r === undefined ? undefined : r;
    } catch (e) {
      this.fail(e);
      return undefined;
    }
  }

  private async authenticateThenRun(spec: CommandSpec, argv: Buffer[]): Promise<void> {
    await this.refreshPrincipal();
    await spec.run(this, argv);
  }

  /** Answers a failed command with its error line. */
  fail(e: unknown): void {
    this.out.error(e === NO_AUTH ? NOAUTH : respErrorLine(e, this.ctx.onUnexpected));
  }
}

/** Thrown (and recognised by identity) when a command needs AUTH first. */
const NO_AUTH = new CacheError(ErrorCode.UNAUTHENTICATED, 'Authentication required.');

/** Redis's wording: `ERR unknown command 'foo', with args beginning with: 'a' 'b' `. */
function unknownCommand(argv: Buffer[]): string {
  let args = '';
  for (let i = 1; i < argv.length && args.length < 128; i++) args += `'${clip(argv[i]!)}' `;
  return `ERR unknown command '${clip(argv[0]!)}', with args beginning with: ${args}`;
}

function clip(b: Buffer): string {
  return b
    .subarray(0, 64)
    .toString('latin1')
    .replace(/[\r\n]/g, ' ');
}
