/**
 * @module transports/http/routes/item-ops
 * JSON item operations beyond Momento's GET/PUT/DELETE, for SDKs that speak HTTP (`@cachette/sdk`):
 * under `/v1/caches/:cache/items/…`: `increment`, `set-if`, `ttl` (GET remaining, POST update),
 * `get-batch`, `set-batch`, `keys-exist`. Keys and values are given as UTF-8 (`key`, `value`) or base64
 * (`key_base64`, `value_base64`); values come back as base64. Integers are decimal strings (int64-safe).
 */
import { CacheError, ErrorCode } from '@cachette/core';
import type { SetCondition, TtlUpdate } from '@cachette/engine';
import type { FastifyInstance } from 'fastify';
import type { CacheService } from '../../../service/cache-service.ts';
import { sendError } from '../errors.ts';

/** A parsed JSON object body (or query string) whose fields are read by the helpers below. */
export type Bytes = { [k: string]: unknown };

/** `name` as UTF-8 or `name_base64` as base64, never both; INVALID_ARGUMENT when required and absent. */
export function bytesField(body: Bytes, name: string, required: true): Uint8Array;
export function bytesField(body: Bytes, name: string, required: false): Uint8Array | undefined;
export function bytesField(body: Bytes, name: string, required: boolean): Uint8Array | undefined {
  const text = body[name];
  const b64 = body[`${name}_base64`];
  if (text !== undefined && b64 !== undefined) {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, `give either ${name} or ${name}_base64, not both`);
  }
  if (typeof text === 'string') return Buffer.from(text, 'utf8');
  if (typeof b64 === 'string') return Buffer.from(b64, 'base64');
  if (text !== undefined || b64 !== undefined) {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, `${name} must be a string`);
  }
  if (required) throw new CacheError(ErrorCode.INVALID_ARGUMENT, `missing ${name} (or ${name}_base64)`);
  return undefined;
}

/** `ttl_seconds` (a positive number, fractions allowed) in milliseconds. */
export function ttlMsField(body: Bytes): number {
  const seconds = body.ttl_seconds;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'ttl_seconds must be a positive number');
  }
  return Math.round(seconds * 1000);
}

/** `body` when it is a JSON object; INVALID_ARGUMENT otherwise. */
export function objectBody(body: unknown): Bytes {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'the request body must be a JSON object');
  }
  return body as Bytes;
}

function keysField(body: Bytes): Uint8Array[] {
  const keys = body.keys;
  const b64 = body.keys_base64;
  const list = Array.isArray(keys) ? keys : Array.isArray(b64) ? b64 : undefined;
  if (list === undefined)
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'missing keys (or keys_base64), an array of strings');
  return list.map((k) => {
    if (typeof k !== 'string') throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'keys must be strings');
    return Buffer.from(k, Array.isArray(keys) ? 'utf8' : 'base64');
  });
}

const CONDITIONS = ['absent', 'present', 'equal', 'not-equal', 'present-and-not-equal', 'absent-or-equal'] as const;

function conditionField(body: Bytes): SetCondition {
  const kind = body.condition;
  switch (kind) {
    case 'absent':
      return { kind: 'absent' };
    case 'present':
      return { kind: 'present' };
    case 'equal':
      return { kind: 'equal', value: bytesField(body, 'compare', true) };
    case 'not-equal':
      return { kind: 'notEqual', value: bytesField(body, 'compare', true) };
    case 'present-and-not-equal':
      return { kind: 'presentAndNotEqual', value: bytesField(body, 'compare', true) };
    case 'absent-or-equal':
      return { kind: 'absentOrEqual', value: bytesField(body, 'compare', true) };
    default:
      throw new CacheError(ErrorCode.INVALID_ARGUMENT, `condition must be one of ${CONDITIONS.join(', ')}`);
  }
}

const b64 = (v: Uint8Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');

export function registerItemOps(app: FastifyInstance, service: CacheService): void {
  type Req = { Params: { cache: string }; Body: unknown; Querystring: { key?: string; key_base64?: string } };
  const base = '/v1/caches/:cache/items';

  app.post<Req>(`${base}/increment`, async (request) => {
    const body = objectBody(request.body);
    const amount = body.amount ?? 1;
    if (
      !(typeof amount === 'number' && Number.isSafeInteger(amount)) &&
      !(typeof amount === 'string' && /^-?\d+$/.test(amount))
    ) {
      throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'amount must be an integer (a number or a decimal string)');
    }
    const value = await service.increment(
      request.principal,
      request.params.cache,
      bytesField(body, 'key', true),
      BigInt(amount),
      ttlMsField(body),
    );
    return { value: value.toString() };
  });

  app.post<Req>(`${base}/set-if`, async (request) => {
    const body = objectBody(request.body);
    const stored = await service.setIf(
      request.principal,
      request.params.cache,
      bytesField(body, 'key', true),
      bytesField(body, 'value', true),
      ttlMsField(body),
      conditionField(body),
    );
    return { stored };
  });

  app.get<Req>(`${base}/ttl`, async (request, reply) => {
    const key = bytesField(request.query as Bytes, 'key', true);
    const ttl = await service.itemGetTtl(request.principal, request.params.cache, key);
    if (ttl === undefined)
      return sendError(reply, new CacheError(ErrorCode.NOT_FOUND, 'key not found', 'item_not_found'));
    return { remainingTtlMs: ttl };
  });

  app.post<Req>(`${base}/ttl`, async (request, reply) => {
    const body = objectBody(request.body);
    const ttlMs = ttlMsField(body);
    const mode = body.mode ?? 'overwrite';
    let update: TtlUpdate;
    if (mode === 'overwrite') update = { kind: 'overwrite', ttlMs };
    else if (mode === 'increase') update = { kind: 'increaseTo', ttlMs };
    else if (mode === 'decrease') update = { kind: 'decreaseTo', ttlMs };
    else throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'mode must be overwrite, increase or decrease');
    const result = await service.updateTtl(
      request.principal,
      request.params.cache,
      bytesField(body, 'key', true),
      update,
    );
    if (result === 'missing')
      return sendError(reply, new CacheError(ErrorCode.NOT_FOUND, 'key not found', 'item_not_found'));
    return { updated: result === 'set' };
  });

  app.post<Req>(`${base}/get-batch`, async (request) => {
    const values = await service.getBatch(request.principal, request.params.cache, keysField(objectBody(request.body)));
    return { values: values.map((v) => (v === undefined ? null : b64(v))) };
  });

  app.post<Req>(`${base}/set-batch`, async (request, reply) => {
    const items = objectBody(request.body).items;
    if (!Array.isArray(items)) throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'items must be an array');
    await service.setBatch(
      request.principal,
      request.params.cache,
      items.map((raw) => {
        const item = objectBody(raw);
        return { key: bytesField(item, 'key', true), value: bytesField(item, 'value', true), ttlMs: ttlMsField(item) };
      }),
    );
    return reply.status(204).send();
  });

  app.post<Req>(`${base}/keys-exist`, async (request) => {
    return {
      exists: await service.keysExist(request.principal, request.params.cache, keysField(objectBody(request.body))),
    };
  });
}
