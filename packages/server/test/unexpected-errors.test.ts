/**
 * An engine that fails with a plain TypeError (a bug, not a CacheError): clients on gRPC and HTTP get
 * INTERNAL with a generic message and a request id, never the error's text; the log has the stack under
 * the same id; the server keeps serving.
 */
import { MemoryEngine } from '@cachette/engine';
import { createLogger } from '@cachette/server';
import { CacheGet, MomentoErrorCode } from '@gomomento/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Booted, boot, uniqueName } from './support/boot.ts';

const SECRET_DETAIL = 'engine bug detail that must not leave the server';

/** A MemoryEngine whose `get` of the key `boom` throws a TypeError, as a bug in an engine would. */
class FaultyEngine extends MemoryEngine {
  // The synchronous form is what the hot path calls (and what the async `get` delegates to).
  override getNow(ns: string, key: Uint8Array): Uint8Array | undefined {
    if (Buffer.from(key).toString('utf8') === 'boom') throw new TypeError(SECRET_DETAIL);
    return super.getNow(ns, key);
  }
}

interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly requestId?: string;
  readonly err?: { readonly type: string; readonly message: string; readonly stack: string };
}

const REQUEST_ID = /internal server error \(request id ([0-9a-f]{8}-[0-9a-z]+)\)/;

describe('unexpected errors', () => {
  let booted: Booted;
  const lines: LogLine[] = [];
  const cache = uniqueName();

  beforeAll(async () => {
    const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
    booted = await boot({ engineInstance: new FaultyEngine(), logger });
    await booted.server.service.createCache(
      {
        accountId: booted.server.localAccountId,
        keyId: null,
        scope: { kind: 'all' },
        access: 'readWrite',
        canManage: true,
        expiresAtMs: null,
      },
      cache,
    );
  });
  afterAll(() => booted.stop());

  function loggedUnder(requestId: string): LogLine {
    const line = lines.find((l) => l.requestId === requestId);
    if (line === undefined) throw new Error(`no log line with requestId ${requestId}`);
    return line;
  }

  it('get() over gRPC answers INTERNAL with a request id, and the log has the stack under that id', async () => {
    const client = await booted.client();
    const response = await client.get(cache, 'boom');
    expect(response.type).toBe(CacheGet.Error.name);
    if (!(response instanceof CacheGet.Error)) throw new Error('expected an error');
    expect(response.errorCode()).toBe(MomentoErrorCode.INTERNAL_SERVER_ERROR);
    expect(response.message()).not.toContain(SECRET_DETAIL);
    const requestId = REQUEST_ID.exec(response.message())?.[1];
    expect(requestId, response.message()).toBeDefined();

    const line = loggedUnder(requestId as string);
    expect(line.level).toBe(50); // pino's "error"
    expect(line.err?.type).toBe('TypeError');
    expect(line.err?.stack).toContain(`TypeError: ${SECRET_DETAIL}`);
    expect(line.err?.stack).toContain('FaultyEngine.get');

    // The process keeps serving.
    await client.set(cache, 'fine', 'value');
    expect((await client.get(cache, 'fine')).value()).toBe('value');
  });

  it('GET /cache/:cache answers 500 INTERNAL with a request id, and the log has the stack under that id', async () => {
    const answer = await fetch(`${booted.server.httpUrl}/cache/${cache}?key=boom`, {
      headers: { authorization: booted.server.devApiKey },
    });
    expect(answer.status).toBe(500);
    const body = (await answer.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('INTERNAL');
    expect(body.error.message).not.toContain(SECRET_DETAIL);
    const requestId = REQUEST_ID.exec(body.error.message)?.[1];
    expect(requestId, body.error.message).toBeDefined();

    const line = loggedUnder(requestId as string);
    expect(line.err?.stack).toContain(`TypeError: ${SECRET_DETAIL}`);
    expect(line.err?.stack).toContain('FaultyEngine.get');
  });

  it('each failure gets its own request id', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const answer = await fetch(`${booted.server.httpUrl}/cache/${cache}?key=boom`, {
        headers: { authorization: booted.server.devApiKey },
      });
      const body = (await answer.json()) as { error: { message: string } };
      ids.add(REQUEST_ID.exec(body.error.message)?.[1] ?? '');
    }
    expect(ids.size).toBe(3);
    expect(ids.has('')).toBe(false);
  });
});
