/**
 * @module transports/resp/resp-server
 * The Redis protocol listener (`--redis-port`): plain TCP, or TLS with the server's certificate (reloaded
 * with it). Each connection is a {@link RespConnection} over the protocol-agnostic service, so keys,
 * limits, metering and metrics are those of the gRPC and HTTP transports.
 */
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Clock } from '@cachette/core';
import type { CacheService } from '../../service/cache-service.ts';
import type { ServiceLimits } from '../../service/limits.ts';
import type { Authenticator } from '../../service/principal.ts';
import type { TopicService } from '../../service/topic-service.ts';
import type { TlsCertificates } from '../../tls-certificates.ts';
import { lookupCommand } from './command-table.ts';
import { RespConnection, type RespContext, type RespServerInfo } from './resp-connection.ts';
import type { UnexpectedErrorSink } from './resp-errors.ts';

export interface RespServerOptions {
  readonly service: CacheService;
  /** PUBLISH/SUBSCRIBE's topics. */
  readonly topics: TopicService;
  readonly auth: Authenticator;
  readonly clock: Clock;
  readonly limits: ServiceLimits;
  /** TTL of writes naming none, in ms; capped at `limits.maxTtlMs`. */
  readonly defaultTtlMs: number;
  readonly onUnexpected: UnexpectedErrorSink;
  /** Open connections; more are closed at once. */
  readonly maxConnections: number;
  /** A command must arrive whole within this long once begun, in ms. */
  readonly requestTimeoutMs: number;
  /** Serve TLS with these certificates (following reloads); plaintext when absent. */
  readonly tls?: TlsCertificates | undefined;
  /** Unsent reply bytes per connection beyond which it stops reading. Default 4 MiB. */
  readonly maxPendingOutputBytes?: number;
}

/** A listening (or ready to listen) Redis protocol server. */
export interface RespServer {
  readonly server: Server;
  /** Binds; resolves with the bound port. */
  listen(host: string, port: number): Promise<number>;
  /** Stops accepting, lets running commands answer, closes every connection (forcibly after `graceMs`). */
  close(graceMs: number): Promise<void>;
}

/** Creates the listener (not yet bound). */
export function createRespServer(options: RespServerOptions): RespServer {
  const connections = new Set<RespConnection>();
  let boundPort = 0;
  const info: RespServerInfo = {
    startedAtMs: options.clock.nowMs(),
    port: () => boundPort,
    tls: options.tls !== undefined,
    connections: () => connections.size,
    commands: 0,
  };
  const maxItem = options.limits.maxItemSizeBytes;
  const ctx: RespContext = {
    service: options.service,
    topics: options.topics,
    auth: options.auth,
    clock: options.clock,
    defaultTtlMs: Math.min(options.defaultTtlMs, options.limits.maxTtlMs),
    onUnexpected: options.onUnexpected,
    parserLimits: {
      // Keys and values each fit an item; a whole command (MSET, HSET…) fits the gRPC message bound.
      maxArgs: 65_536,
      maxBulkBytes: maxItem,
      maxCommandBytes: maxItem + 1024 * 1024,
      maxInlineBytes: 64 * 1024,
    },
    maxPendingOutputBytes: options.maxPendingOutputBytes ?? 4 * 1024 * 1024,
    requestTimeoutMs: options.requestTimeoutMs,
    info,
  };
  const forget = (c: RespConnection) => connections.delete(c);
  const onConnection = (socket: Socket) => {
    connections.add(new RespConnection(socket, ctx, lookupCommand, forget));
  };
  const tls = options.tls;
  let server: Server;
  if (tls === undefined) {
    server = createTcpServer({ noDelay: true }, onConnection);
  } else {
    const tlsServer = createTlsServer({ ...tls.current }, onConnection);
    tls.attach(tlsServer);
    // A failed handshake (a plaintext client on the TLS port) is that client's problem, not the server's.
    tlsServer.on('tlsClientError', () => {});
    server = tlsServer;
  }
  server.maxConnections = options.maxConnections;
  return {
    server,
    listen(host, port) {
      return new Promise<number>((resolve, reject) => {
        const onError = (e: Error) => reject(e);
        server.once('error', onError);
        server.listen({ host, port }, () => {
          server.off('error', onError);
          boundPort = (server.address() as { port: number }).port;
          resolve(boundPort);
        });
      });
    },
    async close(graceMs) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const c of connections) c.shutdown();
      const timer = setTimeout(() => {
        for (const c of connections) c.socket.destroy();
      }, graceMs);
      timer.unref();
      await closed;
      clearTimeout(timer);
    },
  };
}
