/**
 * @module tcp-proxy
 * A TCP proxy a test can cut and restore on the same port, to play "the database went away and came
 * back" without touching the real server other tests share.
 */

import { createConnection, createServer, type Server, type Socket } from 'node:net';

export class TcpProxy {
  readonly #targetHost: string;
  readonly #targetPort: number;
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  #port = 0;

  constructor(target: { host: string; port: number }) {
    this.#targetHost = target.host;
    this.#targetPort = target.port;
  }

  /** The port the proxy listens on (fixed by the first {@link start}, reused by {@link restore}). */
  get port(): number {
    return this.#port;
  }

  /** Starts listening on 127.0.0.1, on a free port the first time. */
  async start(): Promise<void> {
    if (this.#server !== undefined) throw new Error('proxy already listening');
    const server = createServer((client) => this.#pipe(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no TCP address');
    this.#port = address.port;
    this.#server = server;
  }

  /**
   * Stops listening (new connections are refused) and destroys every open connection, then resolves once
   * the server has closed, i.e. once every proxied socket is gone.
   */
  async cut(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    this.#server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }

  /** Listens again on the same port. */
  async restore(): Promise<void> {
    await this.start();
  }

  #pipe(client: Socket): void {
    const upstream = createConnection({ host: this.#targetHost, port: this.#targetPort });
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      // Either side failing or closing takes the other down, as a real network failure would.
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
      socket.on('close', () => {
        this.#sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
