/**
 * @module test/support/resp-socket
 * A bare TCP client for the Redis port: sends exact bytes (malformed frames, half commands, RESP3) and
 * reads what comes back, so the server's own bytes are what get tested.
 */
import { connect, type Socket } from 'node:net';

/** Encodes a command as a RESP array of bulk strings, as clients send it. */
export function command(...args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a) : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

export class RespSocket {
  private received = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;
  /** In counting mode: bytes received, and the last few of them. */
  private counting = false;
  bytes = 0;
  tail = '';
  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      if (this.counting) {
        this.bytes += chunk.length;
        this.tail = (this.tail + chunk.subarray(-16).toString('latin1')).slice(-16);
      } else {
        this.received = Buffer.concat([this.received, chunk]);
      }
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  static open(port: number): Promise<RespSocket> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host: '127.0.0.1' }, () => resolve(new RespSocket(s)));
      s.once('error', reject);
    });
  }

  send(bytes: Buffer | string): void {
    this.socket.write(bytes);
  }

  /** Waits until the received text contains `text` (or the connection closed); returns everything received. */
  async until(predicate: (received: string) => boolean): Promise<string> {
    while (!predicate(this.received.toString('latin1')) && !this.closed) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.received.toString('latin1');
  }

  /** Waits for `count` CRLF-terminated lines and returns them (consumed). */
  async lines(count: number): Promise<string[]> {
    const text = await this.until((t) => t.split('\r\n').length > count);
    const all = text.split('\r\n');
    const taken = all.slice(0, count);
    this.received = Buffer.from(all.slice(count).join('\r\n'), 'latin1');
    return taken;
  }

  /** Stops keeping what arrives (huge replies): only counts bytes and keeps the last 16. */
  countOnly(): void {
    this.counting = true;
  }

  /** In counting mode, waits until `n` bytes arrived (or the connection closed). */
  async untilBytes(n: number): Promise<number> {
    while (this.bytes < n && !this.closed) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.bytes;
  }

  /** Resolves when the server closed the connection. */
  async closedByServer(): Promise<void> {
    await this.until(() => false);
  }

  close(): void {
    this.socket.destroy();
  }
}
