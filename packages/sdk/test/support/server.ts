/**
 * @module test/support/server
 * A real Cachette server booted in-process on free ports with a temporary data dir, and small fake HTTP
 * servers for the transport's failure modes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createNetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '@cachette/core';
import { type CachetteServer, createLogger, createServerFromSettings } from '@cachette/server';

/** A running server and a way to stop it and remove its data. */
export interface TestServer {
  readonly server: CachetteServer;
  stop(): Promise<void>;
}

/** Boots a server with its HTTP API on a free port; `clock` drives item expiry when given. */
export async function bootServer(options: { clock?: Clock } = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cachette-sdk-test-'));
  const server = await createServerFromSettings({ port: 0, dataDir, logger: createLogger('silent'), ...options });
  return {
    server,
    async stop() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A cache name unique to one test. */
export function uniqueName(prefix = 'sdk'): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

/** A fake HTTP server: counts requests and TCP connections, answers with `handler`. */
export interface FakeHttpServer {
  readonly url: string;
  readonly requests: Array<{ method: string; url: string }>;
  connections: number;
  close(): Promise<void>;
}

export async function fakeHttpServer(
  handler: (request: IncomingMessage, response: ServerResponse, index: number) => void,
): Promise<FakeHttpServer> {
  const requests: Array<{ method: string; url: string }> = [];
  const server = createHttpServer((request, response) => {
    requests.push({ method: request.method ?? '', url: request.url ?? '' });
    // Drain the request body before answering so keep-alive stays possible.
    request.resume();
    request.on('end', () => handler(request, response, requests.length - 1));
  });
  const fake: FakeHttpServer = {
    url: '',
    requests,
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on('connection', () => {
    fake.connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  (fake as { url: string }).url = `http://127.0.0.1:${port}`;
  return fake;
}

/**
 * A TCP server that accepts connections, reads and never answers: every request to it times out.
 * `requestLines()` lists the HTTP request lines it received (one per attempt).
 */
export async function stallingServer(): Promise<{ url: string; requestLines: () => string[]; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const lines: string[] = [];
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      for (const m of chunk.matchAll(/^(GET|PUT|POST|DELETE) (\S+) HTTP\/1\.1$/gm)) lines.push(`${m[1]} ${m[2]}`);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requestLines: () => [...lines],
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
