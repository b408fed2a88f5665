/**
 * @module transports/grpc/grpc-h2-server
 * The gRPC port on our own HTTP/2 implementation (`transports/h2`): every method registered in the
 * {@link GrpcMethodTable} (the same handlers, protobuf guard, hot codecs and fault injection grpc-js was
 * given), unary and server-streaming, over plaintext HTTP/2 with prior knowledge or TLS with ALPN `h2`.
 *
 * Connection management that grpc-js did lives here: the connection cap (`maxConnections`, excess sockets
 * closed before any byte), keep-alive PINGs, the idle GOAWAY, the request deadline (a stream whose request
 * does not arrive whole in time is cancelled), and graceful shutdown (GOAWAY, then wait for calls in
 * flight). One timer per server sweeps every connection; nothing is scheduled per call.
 */
import net from 'node:net';
import tls from 'node:tls';
import { status, type UntypedHandleCall } from '@grpc/grpc-js';
import type { AuthMemo } from '../../service/principal.ts';
import type { TlsCertificates } from '../../tls-certificates.ts';
import { H2Error } from '../h2/frames.ts';
import { type H2Application, H2Connection, type H2Limits, type H2Stream } from '../h2/h2-connection.ts';
import { encodeHeaderBlock } from '../h2/hpack.ts';
import { deadlineOf } from './call-context.ts';
import { type CallConnection, H2GrpcCall, statusBlock } from './h2-grpc-call.ts';
import type { GrpcMethodTable } from './method-table.ts';

export interface GrpcH2ServerOptions extends H2Limits {
  readonly methods: GrpcMethodTable;
  /** Largest request message accepted, in bytes. */
  readonly maxReceiveMessageBytes: number;
  /** Connections past this are closed as they arrive. */
  readonly maxConnections: number;
  /** When given, the port speaks TLS (ALPN `h2`) with this certificate, following its reloads. */
  readonly tls?: TlsCertificates;
  /** A bug met while reading a connection (the connection is closed with INTERNAL_ERROR; the server lives on). */
  readonly onUnexpected: (error: unknown) => void;
}

const UNSUPPORTED_MEDIA_TYPE = encodeHeaderBlock([':status', '415', 'content-type', 'text/plain']);

/** The per-connection state calls share. */
class ConnectionState implements CallConnection {
  authMemo: AuthMemo | undefined = undefined;
  #peer: string | undefined;
  constructor(private readonly socket: net.Socket) {}
  get peer(): string {
    if (this.#peer === undefined) {
      const { remoteAddress, remotePort } = this.socket;
      this.#peer =
        remoteAddress === undefined
          ? 'unknown'
          : remotePort === undefined
            ? remoteAddress
            : `${remoteAddress}:${remotePort}`;
    }
    return this.#peer;
  }
}

/** gRPC over {@link H2Connection}: routes each new stream to its method. */
export class GrpcH2Server implements H2Application {
  readonly #options: GrpcH2ServerOptions;
  readonly #connections = new Set<H2Connection>();
  #server: net.Server | undefined;
  #sweep: NodeJS.Timeout | undefined;
  #closing = false;
  #drained: (() => void) | undefined;

  constructor(options: GrpcH2ServerOptions) {
    this.#options = options;
  }

  /** Connections open now. */
  get connections(): number {
    return this.#connections.size;
  }

  onStream(stream: H2Stream, fields: readonly string[], endStream: boolean): void {
    // One pass over the fields for what routing needs; handlers read the rest through the call's metadata.
    let path: string | undefined;
    let contentType: string | undefined;
    let timeout: string | undefined;
    let encoding: string | undefined;
    for (let i = 0; i < fields.length; i += 2) {
      const name = fields[i] as string;
      if (name === ':path') path = fields[i + 1];
      else if (name === 'content-type') contentType = fields[i + 1];
      else if (name === 'grpc-timeout') timeout = fields[i + 1];
      else if (name === 'grpc-encoding') encoding = fields[i + 1];
    }
    if (contentType === undefined || !contentType.startsWith('application/grpc')) {
      stream.end(UNSUPPORTED_MEDIA_TYPE);
      return;
    }
    const method = path === undefined ? undefined : this.#options.methods.get(path);
    if (method === undefined || method.definition.requestStream) {
      stream.end(
        statusBlock(status.UNIMPLEMENTED, `The server does not implement the method ${path}`, undefined, true),
      );
      return;
    }
    const deadline = deadlineOf(timeout, Date.now());
    if (deadline === undefined) {
      stream.end(statusBlock(status.INTERNAL, `Invalid grpc-timeout value "${timeout}"`, undefined, true));
      return;
    }
    const connection = stream.connection;
    connection.appState ??= new ConnectionState(connection.socket);
    const call = new H2GrpcCall(
      stream,
      fields,
      method.definition,
      method.handler as UntypedHandleCall,
      connection.appState as ConnectionState,
      deadline,
      this.#options.maxReceiveMessageBytes,
      encoding,
    );
    stream.sink = call;
    if (endStream) call.onEnd();
  }

  /** Binds `host:port` (0 picks a free port); resolves with the bound port. */
  listen(host: string, port: number): Promise<number> {
    const certificates = this.#options.tls;
    const onSocket = (socket: net.Socket) => this.#accept(socket);
    let server: net.Server;
    if (certificates === undefined) {
      server = net.createServer(onSocket);
    } else {
      const secure = tls.createServer({ ...certificates.current, ALPNProtocols: ['h2'] }, onSocket);
      certificates.attach(secure);
      // A failed handshake is the client's problem; the socket is already gone.
      secure.on('tlsClientError', () => undefined);
      server = secure;
    }
    server.maxConnections = this.#options.maxConnections;
    this.#server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        const limits = this.#options;
        const sweepMs = Math.max(
          50,
          Math.min(1000, Math.floor(Math.min(limits.requestTimeoutMs, limits.idleTimeoutMs) / 4)),
        );
        this.#sweep = setInterval(() => {
          const now = Date.now();
          for (const connection of this.#connections) connection.sweep(now);
        }, sweepMs);
        this.#sweep.unref();
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  }

  #accept(socket: net.Socket): void {
    if (this.#closing) {
      socket.destroy();
      return;
    }
    const connection = new H2Connection(
      socket,
      this,
      this.#options,
      (closed) => {
        this.#connections.delete(closed);
        if (this.#connections.size === 0) this.#drained?.();
      },
      this.#options.onUnexpected,
    );
    this.#connections.add(connection);
  }

  /**
   * Graceful stop: no new connections, GOAWAY on every open one, resolve when their calls have finished
   * (each connection closes after its last call) or after `graceMs`, when the rest are cut.
   */
  async shutdown(graceMs: number): Promise<void> {
    this.#closing = true;
    this.#server?.close();
    const drained = new Promise<void>((resolve) => {
      this.#drained = resolve;
    });
    for (const connection of this.#connections) connection.goAway(H2Error.NO_ERROR);
    if (this.#connections.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([drained, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
    }
    this.forceShutdown();
  }

  /** Closes everything at once. */
  forceShutdown(): void {
    this.#closing = true;
    clearInterval(this.#sweep);
    this.#server?.close();
    for (const connection of [...this.#connections]) connection.destroy();
    this.#connections.clear();
  }
}
