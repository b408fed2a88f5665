/**
 * @module fuzz/lib/socket-case
 * One fuzz case over a raw TCP socket (HTTP/1.1, gRPC-Web, RESP): connect, send, and judge the outcome from
 * the bytes that come back, the socket closing, or the wait running out. The transports differ only in what
 * they send and how they read an answer; the socket's life and the outcome's settling are here once.
 */
import net from 'node:net';
import type { RunningCase } from './grpc-cases.ts';

export interface SocketCaseSpec {
  readonly port: number;
  readonly label: string;
  /** How long to wait for an answer. */
  readonly waitMs: number;
  /** Writes the case's bytes once connected; a returned outcome settles the case at once. */
  readonly send: (socket: net.Socket) => string | undefined;
  /** Called with each chunk received; the outcome once it is decided, else `undefined`. */
  readonly received: (chunk: Buffer) => string | undefined;
  /** The outcome when the wait runs out. */
  readonly timedOut: () => string;
  /** The outcome when the server closes the connection first. */
  readonly closed: () => string;
}

export function startSocketCase(spec: SocketCaseSpec): RunningCase {
  const socket = net.connect(spec.port, '127.0.0.1');
  let resolveSent!: () => void;
  const sent = new Promise<void>((r) => {
    resolveSent = r;
  });
  const outcome = new Promise<string>((resolve) => {
    let done = false;
    const finish = (o: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolveSent();
      resolve(o);
    };
    const timer = setTimeout(() => finish(spec.timedOut()), spec.waitMs);
    socket.on('error', (e) => finish(`socket-error:${(e as { code?: string }).code ?? 'error'}`));
    socket.on('data', (d: Buffer) => {
      const o = spec.received(d);
      if (o !== undefined) finish(o);
    });
    socket.on('close', () => finish(spec.closed()));
    socket.on('connect', () => {
      const o = spec.send(socket);
      if (o !== undefined) finish(o);
      resolveSent();
    });
  });
  return { label: spec.label, sent, outcome, close: () => socket.destroy() };
}
