/**
 * @module transports/grpc/data-plane
 * `/cache_client.Scs/*` handlers: decode the Momento message, call the service, encode the answer.
 * Nothing else happens here: no engine, no metadata store, no limits.
 */
import { CacheError, ErrorCode, type SetCondition, type TtlUpdate } from '@cachette/engine';
import { cache } from '@gomomento/generated-types';
import type {
  ServerUnaryCall,
  ServerWritableStream,
  sendUnaryData,
  UntypedHandleCall,
  UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { CacheService } from '../../service/cache-service.ts';
import type { Authenticator } from '../../service/principal.ts';
import { cacheNameOf, tokenOf } from './call-context.ts';
import { toGrpcError, type UnexpectedErrorSink } from './status.ts';

import pb = cache.cache_client;

type Unary<Req, Res> = (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => Promise<void>;

export interface DataPlaneDeps {
  readonly service: CacheService;
  readonly auth: Authenticator;
  readonly onUnexpected: UnexpectedErrorSink;
}

// Shared immutable responses: the common answers need no allocation per call.
const MISS = new pb._GetResponse({ result: pb.ECacheResult.Miss });
const SET_OK = new pb._SetResponse({ result: pb.ECacheResult.Ok });
const DELETED = new pb._DeleteResponse();
const SETIF_STORED = new pb._SetIfResponse({ stored: new pb._SetIfResponse._Stored() });
const SETIF_NOT_STORED = new pb._SetIfResponse({ not_stored: new pb._SetIfResponse._NotStored() });
const SETINE_STORED = new pb._SetIfNotExistsResponse({ stored: new pb._SetIfNotExistsResponse._Stored() });
const SETINE_NOT_STORED = new pb._SetIfNotExistsResponse({ not_stored: new pb._SetIfNotExistsResponse._NotStored() });
const TTL_MISSING = new pb._ItemGetTtlResponse({ missing: new pb._ItemGetTtlResponse._Missing() });
const TYPE_MISSING = new pb._ItemGetTypeResponse({ missing: new pb._ItemGetTypeResponse._Missing() });
const TYPE_SCALAR = new pb._ItemGetTypeResponse({
  found: new pb._ItemGetTypeResponse._Found({ item_type: pb._ItemGetTypeResponse.ItemType.SCALAR }),
});
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

/** Handlers for every scalar data-plane RPC; the rest of `Scs` answers UNIMPLEMENTED. */
export function dataPlaneHandlers({ service, auth, onUnexpected }: DataPlaneDeps): UntypedServiceImplementation {
  const Get: Unary<pb._GetRequest, pb._GetResponse> = async (call, callback) => {
    try {
      const principal = await auth.authenticate(tokenOf(call.metadata));
      const value = await service.get(principal, cacheNameOf(call.metadata), call.request.cache_key);
      callback(
        null,
        value === undefined ? MISS : new pb._GetResponse({ result: pb.ECacheResult.Hit, cache_body: value }),
      );
    } catch (e) {
      callback(toGrpcError(e, onUnexpected));
    }
  };

  const SetItem: Unary<pb._SetRequest, pb._SetResponse> = async (call, callback) => {
    try {
      const principal = await auth.authenticate(tokenOf(call.metadata));
      const req = call.request;
      await service.set(principal, cacheNameOf(call.metadata), req.cache_key, req.cache_body, req.ttl_milliseconds);
      callback(null, SET_OK);
    } catch (e) {
      callback(toGrpcError(e, onUnexpected));
    }
  };

  const Delete: Unary<pb._DeleteRequest, pb._DeleteResponse> = async (call, callback) => {
    try {
      const principal = await auth.authenticate(tokenOf(call.metadata));
      await service.delete(principal, cacheNameOf(call.metadata), call.request.cache_key);
      callback(null, DELETED);
    } catch (e) {
      callback(toGrpcError(e, onUnexpected));
    }
  };

  const SetIf: Unary<pb._SetIfRequest, pb._SetIfResponse> = async (call, callback) => {
    try {
      const principal = await auth.authenticate(tokenOf(call.metadata));
      const req = call.request;
      const stored = await service.setIf(
        principal,
        cacheNameOf(call.metadata),
        req.cache_key,
        req.cache_body,
        req.ttl_milliseconds,
        setIfCondition(req),
      );
      callback(null, stored ? SETIF_STORED : SETIF_NOT_STORED);
    } catch (e) {
      callback(toGrpcError(e, onUnexpected));
    }
  };

  const SetIfNotExists: Unary<pb._SetIfNotExistsRequest, pb._SetIfNotExistsResponse> = async (call, callback) => {
    try {
      const principal = await auth.authenticate(tokenOf(call.metadata));
      const req = call.request;
      const stored = await service.setIf(
        principal,
        cacheNameOf(call.metadata),
        req.cache_key,
        req.cache_body,
        req.ttl_milliseconds,
        {
          kind: 'absent',
        },
      );
      callback(null, stored ? SETINE_STORED : SETINE_NOT_STORED);
    } catch (e) {
      callback(toGrpcError(e, onUnexpected));
    }
  };

  const Increment: Unary<pb._IncrementRequest, pb._IncrementResponse> = async (call, callback) => {
    try {
      const principal = await auth.authenticate(tokenOf(call.metadata));
      const req = call.request;
      const value = await service.increment(
        principal,
        cacheNameOf(call.metadata),
        req.cache_key,
        BigInt(req.amount),
        req.ttl_milliseconds,
      );
      // int64 on the wire is a JS number in these message classes; values past 2^53 lose precision there,
      // not in storage (the engine keeps exact decimal text).
      callback(null, new pb._IncrementResponse({ value: Number(value) }));
    } catch (e) {
      callback(toGrpcError(e, onUnexpected));
    }
  };

  const ItemGetTtl: Unary<pb._ItemGetTtlRequest, pb._ItemGetTtlResponse> = async (call, callback) => {
    try {
      const principal = await auth.authenticate(tokenOf(call.metadata));
      const ttl = await service.itemGetTtl(principal, cacheNameOf(call.metadata), call.request.cache_key);
      callback(
        null,
        ttl === undefined
          ? TTL_MISSING
          : new pb._ItemGetTtlResponse({ found: new pb._ItemGetTtlResponse._Found({ remaining_ttl_millis: ttl }) }),
      );
    } catch (e) {
      callback(toGrpcError(e, onUnexpected));
    }
  };

  const ItemGetType: Unary<pb._ItemGetTypeRequest, pb._ItemGetTypeResponse> = async (call, callback) => {
    try {
      const principal = await auth.authenticate(tokenOf(call.metadata));
      const type = await service.itemGetType(principal, cacheNameOf(call.metadata), call.request.cache_key);
      callback(null, type === undefined ? TYPE_MISSING : TYPE_SCALAR);
    } catch (e) {
      callback(toGrpcError(e, onUnexpected));
    }
  };

  const UpdateTtl: Unary<pb._UpdateTtlRequest, pb._UpdateTtlResponse> = async (call, callback) => {
    try {
      const principal = await auth.authenticate(tokenOf(call.metadata));
      const result = await service.updateTtl(
        principal,
        cacheNameOf(call.metadata),
        call.request.cache_key,
        ttlUpdate(call.request),
      );
      callback(null, UPDATE_TTL[result]);
    } catch (e) {
      callback(toGrpcError(e, onUnexpected));
    }
  };

  const KeysExist: Unary<pb._KeysExistRequest, pb._KeysExistResponse> = async (call, callback) => {
    try {
      const principal = await auth.authenticate(tokenOf(call.metadata));
      const exists = await service.keysExist(principal, cacheNameOf(call.metadata), call.request.cache_keys);
      callback(null, new pb._KeysExistResponse({ exists }));
    } catch (e) {
      callback(toGrpcError(e, onUnexpected));
    }
  };

  const GetBatch = async (call: ServerWritableStream<pb._GetBatchRequest, pb._GetResponse>): Promise<void> => {
    try {
      const principal = await auth.authenticate(tokenOf(call.metadata));
      const keys = call.request.items.map((item) => item.cache_key);
      const values = await service.getBatch(principal, cacheNameOf(call.metadata), keys);
      for (const value of values) {
        call.write(
          value === undefined ? MISS : new pb._GetResponse({ result: pb.ECacheResult.Hit, cache_body: value }),
        );
      }
      call.end();
    } catch (e) {
      // grpc-js turns an 'error' event on a server stream into the call's final status.
      call.emit('error', toGrpcError(e, onUnexpected));
    }
  };

  const SetBatch = async (call: ServerWritableStream<pb._SetBatchRequest, pb._SetResponse>): Promise<void> => {
    try {
      const principal = await auth.authenticate(tokenOf(call.metadata));
      const items = call.request.items.map((item) => ({
        key: item.cache_key,
        value: item.cache_body,
        ttlMs: item.ttl_milliseconds,
      }));
      await service.setBatch(principal, cacheNameOf(call.metadata), items);
      for (let i = 0; i < items.length; i++) call.write(SET_OK);
      call.end();
    } catch (e) {
      // grpc-js turns an 'error' event on a server stream into the call's final status.
      call.emit('error', toGrpcError(e, onUnexpected));
    }
  };

  const handlers: Record<string, UntypedHandleCall> = {
    Get,
    Set: SetItem,
    Delete,
    SetIf,
    SetIfNotExists,
    Increment,
    ItemGetTtl,
    ItemGetType,
    UpdateTtl,
    KeysExist,
    GetBatch,
    SetBatch,
  } as Record<string, UntypedHandleCall>;
  return handlers;
}
