/**
 * @module transports/grpc/data-plane
 * `/cache_client.Scs/*` handlers: decode the Momento message, call the service, encode the answer.
 * Nothing else happens here: no engine, no metadata store, no limits.
 */
import { CacheError, ErrorCode } from '@cachette/core';
import type { ItemType, SetCondition, TtlUpdate } from '@cachette/engine';
import { cache } from '@gomomento/generated-types';
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { CacheService } from '../../service/cache-service.ts';
import type { Authenticator } from '../../service/principal.ts';
import { collectionHandlers } from './collection-plane.ts';
import { hitResponse } from './hot-codecs.ts';
import type { UnexpectedErrorSink } from './status.ts';
import { dataStream, dataUnary } from './unary.ts';

import pb = cache.cache_client;

export interface DataPlaneDeps {
  readonly service: CacheService;
  readonly auth: Authenticator;
  readonly onUnexpected: UnexpectedErrorSink;
}

// Shared immutable responses: the common answers need no allocation per call.
const MISS = new pb._GetResponse({ result: pb.ECacheResult.Miss });
const SET_OK = new pb._SetResponse({ result: pb.ECacheResult.Ok });
const getResponse = (value: Uint8Array | undefined) => (value === undefined ? MISS : hitResponse(value));
const setOk = () => SET_OK;
const DELETED = new pb._DeleteResponse();
const SETIF_STORED = new pb._SetIfResponse({ stored: new pb._SetIfResponse._Stored() });
const SETIF_NOT_STORED = new pb._SetIfResponse({ not_stored: new pb._SetIfResponse._NotStored() });
const SETINE_STORED = new pb._SetIfNotExistsResponse({ stored: new pb._SetIfNotExistsResponse._Stored() });
const SETINE_NOT_STORED = new pb._SetIfNotExistsResponse({ not_stored: new pb._SetIfNotExistsResponse._NotStored() });
const TTL_MISSING = new pb._ItemGetTtlResponse({ missing: new pb._ItemGetTtlResponse._Missing() });
const TYPE_MISSING = new pb._ItemGetTypeResponse({ missing: new pb._ItemGetTypeResponse._Missing() });
const typeFound = (item_type: pb._ItemGetTypeResponse.ItemType) =>
  new pb._ItemGetTypeResponse({ found: new pb._ItemGetTypeResponse._Found({ item_type }) });
const ITEM_TYPE: Record<ItemType, pb._ItemGetTypeResponse> = {
  scalar: typeFound(pb._ItemGetTypeResponse.ItemType.SCALAR),
  dictionary: typeFound(pb._ItemGetTypeResponse.ItemType.DICTIONARY),
  list: typeFound(pb._ItemGetTypeResponse.ItemType.LIST),
  set: typeFound(pb._ItemGetTypeResponse.ItemType.SET),
  sortedSet: typeFound(pb._ItemGetTypeResponse.ItemType.SORTED_SET),
};
const ABSENT: SetCondition = { kind: 'absent' };
const UPDATE_TTL: Record<'set' | 'notSet' | 'missing', pb._UpdateTtlResponse> = {
  set: new pb._UpdateTtlResponse({ set: new pb._UpdateTtlResponse._Set() }),
  notSet: new pb._UpdateTtlResponse({ not_set: new pb._UpdateTtlResponse._NotSet() }),
  missing: new pb._UpdateTtlResponse({ missing: new pb._UpdateTtlResponse._Missing() }),
};

function setIfCondition(req: pb._SetIfRequest): SetCondition {
  switch (req.condition) {
    case 'absent':
      return { kind: 'absent' };
    case 'present':
      return { kind: 'present' };
    case 'equal':
      return { kind: 'equal', value: req.equal.value_to_check };
    case 'not_equal':
      return { kind: 'notEqual', value: req.not_equal.value_to_check };
    case 'present_and_not_equal':
      return { kind: 'presentAndNotEqual', value: req.present_and_not_equal.value_to_check };
    case 'absent_or_equal':
      return { kind: 'absentOrEqual', value: req.absent_or_equal.value_to_check };
    case 'none':
      throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'SetIf needs a condition');
  }
}

function ttlUpdate(req: pb._UpdateTtlRequest): TtlUpdate {
  switch (req.update_ttl) {
    case 'overwrite_to_milliseconds':
      return { kind: 'overwrite', ttlMs: req.overwrite_to_milliseconds };
    case 'increase_to_milliseconds':
      return { kind: 'increaseTo', ttlMs: req.increase_to_milliseconds };
    case 'decrease_to_milliseconds':
      return { kind: 'decreaseTo', ttlMs: req.decrease_to_milliseconds };
    case 'none':
      throw new CacheError(
        ErrorCode.INVALID_ARGUMENT,
        'UpdateTtl needs one of increase_to, decrease_to or overwrite_to',
      );
  }
}

/** Handlers for every data-plane RPC: scalars here, collections and hash-conditioned writes from collection-plane.ts. */
export function dataPlaneHandlers({ service, auth, onUnexpected }: DataPlaneDeps): UntypedServiceImplementation {
  const deps = { auth, onUnexpected };
  const handlers = {
    Get: dataUnary(deps, (p, cache, req: pb._GetRequest) => {
      const value = service.getNow(p, cache, req.cache_key);
      return value instanceof Promise ? value.then(getResponse) : getResponse(value);
    }),
    Set: dataUnary(deps, (p, cache, req: pb._SetRequest) => {
      const done = service.setNow(p, cache, req.cache_key, req.cache_body, req.ttl_milliseconds);
      return done instanceof Promise ? done.then(setOk) : SET_OK;
    }),
    Delete: dataUnary(deps, async (p, cache, req: pb._DeleteRequest) => {
      await service.delete(p, cache, req.cache_key);
      return DELETED;
    }),
    SetIf: dataUnary(deps, async (p, cache, req: pb._SetIfRequest) =>
      (await service.setIf(p, cache, req.cache_key, req.cache_body, req.ttl_milliseconds, setIfCondition(req)))
        ? SETIF_STORED
        : SETIF_NOT_STORED,
    ),
    SetIfNotExists: dataUnary(deps, async (p, cache, req: pb._SetIfNotExistsRequest) =>
      (await service.setIf(p, cache, req.cache_key, req.cache_body, req.ttl_milliseconds, ABSENT))
        ? SETINE_STORED
        : SETINE_NOT_STORED,
    ),
    Increment: dataUnary(deps, async (p, cache, req: pb._IncrementRequest) => {
      const value = await service.increment(p, cache, req.cache_key, BigInt(req.amount), req.ttl_milliseconds);
      // int64 on the wire is a JS number in these message classes; values past 2^53 lose precision there,
      // not in storage (the engine keeps exact decimal text).
      return new pb._IncrementResponse({ value: Number(value) });
    }),
    ItemGetTtl: dataUnary(deps, async (p, cache, req: pb._ItemGetTtlRequest) => {
      const ttl = await service.itemGetTtl(p, cache, req.cache_key);
      return ttl === undefined
        ? TTL_MISSING
        : new pb._ItemGetTtlResponse({ found: new pb._ItemGetTtlResponse._Found({ remaining_ttl_millis: ttl }) });
    }),
    ItemGetType: dataUnary(deps, async (p, cache, req: pb._ItemGetTypeRequest) => {
      const type = await service.itemGetType(p, cache, req.cache_key);
      return type === undefined ? TYPE_MISSING : ITEM_TYPE[type];
    }),
    UpdateTtl: dataUnary(
      deps,
      async (p, cache, req: pb._UpdateTtlRequest) =>
        UPDATE_TTL[await service.updateTtl(p, cache, req.cache_key, ttlUpdate(req))],
    ),
    KeysExist: dataUnary(
      deps,
      async (p, cache, req: pb._KeysExistRequest) =>
        new pb._KeysExistResponse({ exists: await service.keysExist(p, cache, req.cache_keys) }),
    ),
    GetBatch: dataStream(deps, async (p, cache, req: pb._GetBatchRequest) => {
      const values = await service.getBatch(
        p,
        cache,
        req.items.map((item) => item.cache_key),
      );
      return values.map((v) =>
        v === undefined ? MISS : new pb._GetResponse({ result: pb.ECacheResult.Hit, cache_body: v }),
      );
    }),
    SetBatch: dataStream(deps, async (p, cache, req: pb._SetBatchRequest) => {
      const items = req.items.map((item) => ({
        key: item.cache_key,
        value: item.cache_body,
        ttlMs: item.ttl_milliseconds,
      }));
      await service.setBatch(p, cache, items);
      return items.map(() => SET_OK);
    }),
    ...collectionHandlers(service.collections, deps),
  };
  return handlers as unknown as UntypedServiceImplementation;
}
