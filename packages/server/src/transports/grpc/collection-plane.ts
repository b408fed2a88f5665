/**
 * @module transports/grpc/collection-plane
 * `/cache_client.Scs/*` handlers for dictionaries, lists, sets, sorted sets and hash-conditioned scalars:
 * decode the Momento message, call the collection service, encode the answer (Found/Missing where the
 * SDK reads Hit/Miss). Nothing else happens here.
 */
import { CacheError, ErrorCode } from '@cachette/core';
import type { CollectionTtl, HashCondition, IndexRange, ScoreBound, SortOrder } from '@cachette/engine';
import { cache } from '@gomomento/generated-types';
import type { CollectionService } from '../../service/collection-service.ts';
import type { HandlerDeps } from './unary.ts';
import { dataUnary } from './unary.ts';

import pb = cache.cache_client;

const HIT = pb.ECacheResult.Hit;
const MISS = pb.ECacheResult.Miss;

const DICTIONARY_SET_OK = new pb._DictionarySetResponse();
const DICTIONARY_DELETE_OK = new pb._DictionaryDeleteResponse();
const SET_UNION_OK = new pb._SetUnionResponse();
const SORTED_SET_PUT_OK = new pb._SortedSetPutResponse();
const SORTED_SET_REMOVE_OK = new pb._SortedSetRemoveResponse();
const SET_IF_HASH_NOT_STORED = new pb._SetIfHashResponse({ not_stored: new pb._SetIfHashResponse._NotStored() });

function collectionTtl(req: { ttl_milliseconds: number; refresh_ttl: boolean }): CollectionTtl {
  return { ttlMs: req.ttl_milliseconds, refreshTtl: req.refresh_ttl };
}

/** proto3 sends 0 for "no truncation". */
function truncation(size: number): number | undefined {
  return size > 0 ? size : undefined;
}

function hashCondition(req: pb._SetIfHashRequest): HashCondition {
  switch (req.condition) {
    case 'unconditional':
      return { kind: 'unconditional' };
    case 'present_and_hash_equal':
      return { kind: 'presentAndHashEqual', hash: req.present_and_hash_equal.hash_to_check };
    case 'present_and_not_hash_equal':
      return { kind: 'presentAndHashNotEqual', hash: req.present_and_not_hash_equal.hash_to_check };
    case 'absent_or_hash_equal':
      return { kind: 'absentOrHashEqual', hash: req.absent_or_hash_equal.hash_to_check };
    case 'absent_or_not_hash_equal':
      return { kind: 'absentOrHashNotEqual', hash: req.absent_or_not_hash_equal.hash_to_check };
    case 'none':
      throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'SetIfHash needs a condition');
  }
}

function listRange(req: pb._ListFetchRequest | pb._ListRetainRequest): IndexRange {
  return {
    start: req.start_index === 'inclusive_start' ? req.inclusive_start : undefined,
    end: req.end_index === 'exclusive_end' ? req.exclusive_end : undefined,
  };
}

function order(o: pb._SortedSetFetchRequest.Order | pb._SortedSetGetRankRequest.Order): SortOrder {
  return o === pb._SortedSetFetchRequest.Order.DESCENDING ? 'descending' : 'ascending';
}

function fetchBound(has: boolean, score: pb._SortedSetFetchRequest._ByScore._Score): ScoreBound | undefined {
  return has ? { score: score.score, exclusive: score.exclusive } : undefined;
}

function lengthBound(
  kind: string,
  inclusive: number,
  exclusive: number,
  prefix: 'min' | 'max',
): ScoreBound | undefined {
  if (kind === `inclusive_${prefix}`) return { score: inclusive, exclusive: false };
  if (kind === `exclusive_${prefix}`) return { score: exclusive, exclusive: true };
  return undefined;
}

const AGGREGATE = {
  [pb._SortedSetUnionStoreRequest.AggregateFunction.SUM]: 'sum',
  [pb._SortedSetUnionStoreRequest.AggregateFunction.MIN]: 'min',
  [pb._SortedSetUnionStoreRequest.AggregateFunction.MAX]: 'max',
} as const;

/** Handlers for every collection and hash-conditioned RPC of `Scs`. */
export function collectionHandlers(c: CollectionService, deps: HandlerDeps): Record<string, unknown> {
  return {
    // ── hash-conditioned scalars ──
    GetWithHash: dataUnary(deps, async (p, cacheName, req: pb._GetWithHashRequest) => {
      const r = await c.getWithHash(p, cacheName, req.cache_key);
      return r === undefined
        ? new pb._GetWithHashResponse({ missing: new pb._GetWithHashResponse._Missing() })
        : new pb._GetWithHashResponse({ found: new pb._GetWithHashResponse._Found({ value: r.value, hash: r.hash }) });
    }),
    SetIfHash: dataUnary(deps, async (p, cacheName, req: pb._SetIfHashRequest) => {
      const hash = await c.setIfHash(
        p,
        cacheName,
        req.cache_key,
        req.cache_body,
        req.ttl_milliseconds,
        hashCondition(req),
      );
      return hash === undefined
        ? SET_IF_HASH_NOT_STORED
        : new pb._SetIfHashResponse({ stored: new pb._SetIfHashResponse._Stored({ new_hash: hash }) });
    }),

    // ── dictionaries ──
    DictionarySet: dataUnary(deps, async (p, cacheName, req: pb._DictionarySetRequest) => {
      const items = req.items.map((i) => [i.field, i.value] as const);
      await c.dictionarySet(p, cacheName, req.dictionary_name, items, collectionTtl(req));
      return DICTIONARY_SET_OK;
    }),
    DictionaryGet: dataUnary(deps, async (p, cacheName, req: pb._DictionaryGetRequest) => {
      const values = await c.dictionaryGet(p, cacheName, req.dictionary_name, req.fields);
      if (values === undefined)
        return new pb._DictionaryGetResponse({ missing: new pb._DictionaryGetResponse._Missing() });
      const items = values.map((v) =>
        v === undefined
          ? new pb._DictionaryGetResponse._DictionaryGetResponsePart({ result: MISS })
          : new pb._DictionaryGetResponse._DictionaryGetResponsePart({ result: HIT, cache_body: v }),
      );
      return new pb._DictionaryGetResponse({ found: new pb._DictionaryGetResponse._Found({ items }) });
    }),
    DictionaryFetch: dataUnary(deps, async (p, cacheName, req: pb._DictionaryFetchRequest) => {
      const pairs = await c.dictionaryFetch(p, cacheName, req.dictionary_name);
      if (pairs === undefined) {
        return new pb._DictionaryFetchResponse({ missing: new pb._DictionaryFetchResponse._Missing() });
      }
      const items = pairs.map(([field, value]) => new pb._DictionaryFieldValuePair({ field, value }));
      return new pb._DictionaryFetchResponse({ found: new pb._DictionaryFetchResponse._Found({ items }) });
    }),
    DictionaryIncrement: dataUnary(deps, async (p, cacheName, req: pb._DictionaryIncrementRequest) => {
      if (!Number.isSafeInteger(req.amount)) {
        throw new CacheError(ErrorCode.INVALID_ARGUMENT, `increment amount must be an integer, got ${req.amount}`);
      }
      const value = await c.dictionaryIncrement(
        p,
        cacheName,
        req.dictionary_name,
        req.field,
        BigInt(req.amount),
        collectionTtl(req),
      );
      // int64 travels as a JS number in these message classes; storage keeps the exact decimal text.
      return new pb._DictionaryIncrementResponse({ value: Number(value) });
    }),
    DictionaryDelete: dataUnary(deps, async (p, cacheName, req: pb._DictionaryDeleteRequest) => {
      if (req.delete === 'none') throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'DictionaryDelete needs some or all');
      await c.dictionaryDelete(p, cacheName, req.dictionary_name, req.delete === 'all' ? 'all' : req.some.fields);
      return DICTIONARY_DELETE_OK;
    }),
    DictionaryLength: dataUnary(deps, async (p, cacheName, req: pb._DictionaryLengthRequest) => {
      const length = await c.dictionaryLength(p, cacheName, req.dictionary_name);
      return length === undefined
        ? new pb._DictionaryLengthResponse({ missing: new pb._DictionaryLengthResponse._Missing() })
        : new pb._DictionaryLengthResponse({ found: new pb._DictionaryLengthResponse._Found({ length }) });
    }),

    // ── lists ──
    ListPushFront: dataUnary(deps, async (p, cacheName, req: pb._ListPushFrontRequest) => {
      const ttl = collectionTtl(req);
      const size = truncation(req.truncate_back_to_size);
      const list_length = await c.listConcatenate(p, cacheName, req.list_name, 'front', [req.value], ttl, size);
      return new pb._ListPushFrontResponse({ list_length });
    }),
    ListPushBack: dataUnary(deps, async (p, cacheName, req: pb._ListPushBackRequest) => {
      const ttl = collectionTtl(req);
      const size = truncation(req.truncate_front_to_size);
      const list_length = await c.listConcatenate(p, cacheName, req.list_name, 'back', [req.value], ttl, size);
      return new pb._ListPushBackResponse({ list_length });
    }),
    ListConcatenateFront: dataUnary(deps, async (p, cacheName, req: pb._ListConcatenateFrontRequest) => {
      const ttl = collectionTtl(req);
      const size = truncation(req.truncate_back_to_size);
      const list_length = await c.listConcatenate(p, cacheName, req.list_name, 'front', req.values, ttl, size);
      return new pb._ListConcatenateFrontResponse({ list_length });
    }),
    ListConcatenateBack: dataUnary(deps, async (p, cacheName, req: pb._ListConcatenateBackRequest) => {
      const ttl = collectionTtl(req);
      const size = truncation(req.truncate_front_to_size);
      const list_length = await c.listConcatenate(p, cacheName, req.list_name, 'back', req.values, ttl, size);
      return new pb._ListConcatenateBackResponse({ list_length });
    }),
    ListPopFront: dataUnary(deps, async (p, cacheName, req: pb._ListPopFrontRequest) => {
      const r = await c.listPop(p, cacheName, req.list_name, 'front');
      return r === undefined
        ? new pb._ListPopFrontResponse({ missing: new pb._ListPopFrontResponse._Missing() })
        : new pb._ListPopFrontResponse({
            found: new pb._ListPopFrontResponse._Found({ front: r.value, list_length: r.length }),
          });
    }),
    ListPopBack: dataUnary(deps, async (p, cacheName, req: pb._ListPopBackRequest) => {
      const r = await c.listPop(p, cacheName, req.list_name, 'back');
      return r === undefined
        ? new pb._ListPopBackResponse({ missing: new pb._ListPopBackResponse._Missing() })
        : new pb._ListPopBackResponse({
            found: new pb._ListPopBackResponse._Found({ back: r.value, list_length: r.length }),
          });
    }),
    ListFetch: dataUnary(deps, async (p, cacheName, req: pb._ListFetchRequest) => {
      const values = await c.listFetch(p, cacheName, req.list_name, listRange(req));
      return values === undefined
        ? new pb._ListFetchResponse({ missing: new pb._ListFetchResponse._Missing() })
        : new pb._ListFetchResponse({ found: new pb._ListFetchResponse._Found({ values }) });
    }),
    ListLength: dataUnary(deps, async (p, cacheName, req: pb._ListLengthRequest) => {
      const length = await c.listLength(p, cacheName, req.list_name);
      return length === undefined
        ? new pb._ListLengthResponse({ missing: new pb._ListLengthResponse._Missing() })
        : new pb._ListLengthResponse({ found: new pb._ListLengthResponse._Found({ length }) });
    }),
    ListRemove: dataUnary(deps, async (p, cacheName, req: pb._ListRemoveRequest) => {
      const length = await c.listRemoveValue(p, cacheName, req.list_name, req.all_elements_with_value);
      return length === undefined
        ? new pb._ListRemoveResponse({ missing: new pb._ListRemoveResponse._Missing() })
        : new pb._ListRemoveResponse({ found: new pb._ListRemoveResponse._Found({ list_length: length }) });
    }),
    ListRetain: dataUnary(deps, async (p, cacheName, req: pb._ListRetainRequest) => {
      const length = await c.listRetain(p, cacheName, req.list_name, listRange(req), collectionTtl(req));
      return length === undefined
        ? new pb._ListRetainResponse({ missing: new pb._ListRetainResponse._Missing() })
        : new pb._ListRetainResponse({ found: new pb._ListRetainResponse._Found({ list_length: length }) });
    }),
    ListErase: dataUnary(deps, async (p, cacheName, req: pb._ListEraseRequest) => {
      if (req.erase === 'none') throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'ListErase needs some or all');
      const ranges =
        req.erase === 'all' ? 'all' : req.some.ranges.map((r) => ({ start: r.begin_index, count: r.count }));
      const length = await c.listErase(p, cacheName, req.list_name, ranges);
      return length === undefined
        ? new pb._ListEraseResponse({ missing: new pb._ListEraseResponse._Missing() })
        : new pb._ListEraseResponse({ found: new pb._ListEraseResponse._Found({ list_length: length }) });
    }),

    // ── sets ──
    SetUnion: dataUnary(deps, async (p, cacheName, req: pb._SetUnionRequest) => {
      await c.setAdd(p, cacheName, req.set_name, req.elements, collectionTtl(req));
      return SET_UNION_OK;
    }),
    SetDifference: dataUnary(deps, async (p, cacheName, req: pb._SetDifferenceRequest) => {
      if (req.difference !== 'subtrahend' || req.subtrahend.subtrahend_set === 'none') {
        // Momento's SDKs only send a subtrahend (remove these elements, or the identity: everything).
        throw new CacheError(
          ErrorCode.INVALID_ARGUMENT,
          'SetDifference needs a subtrahend (a set of elements or identity)',
        );
      }
      const elements = req.subtrahend.subtrahend_set === 'identity' ? 'all' : req.subtrahend.set.elements;
      return (await c.setRemove(p, cacheName, req.set_name, elements))
        ? new pb._SetDifferenceResponse({ found: new pb._SetDifferenceResponse._Found() })
        : new pb._SetDifferenceResponse({ missing: new pb._SetDifferenceResponse._Missing() });
    }),
    SetFetch: dataUnary(deps, async (p, cacheName, req: pb._SetFetchRequest) => {
      const elements = await c.setFetch(p, cacheName, req.set_name);
      return elements === undefined
        ? new pb._SetFetchResponse({ missing: new pb._SetFetchResponse._Missing() })
        : new pb._SetFetchResponse({ found: new pb._SetFetchResponse._Found({ elements }) });
    }),
    SetContains: dataUnary(deps, async (p, cacheName, req: pb._SetContainsRequest) => {
      const contains = await c.setContains(p, cacheName, req.set_name, req.elements);
      return contains === undefined
        ? new pb._SetContainsResponse({ missing: new pb._SetContainsResponse._Missing() })
        : new pb._SetContainsResponse({ found: new pb._SetContainsResponse._Found({ contains }) });
    }),
    SetLength: dataUnary(deps, async (p, cacheName, req: pb._SetLengthRequest) => {
      const length = await c.setLength(p, cacheName, req.set_name);
      return length === undefined
        ? new pb._SetLengthResponse({ missing: new pb._SetLengthResponse._Missing() })
        : new pb._SetLengthResponse({ found: new pb._SetLengthResponse._Found({ length }) });
    }),
    SetSample: dataUnary(deps, async (p, cacheName, req: pb._SetSampleRequest) => {
      const elements = await c.setSample(p, cacheName, req.set_name, req.limit);
      return elements === undefined
        ? new pb._SetSampleResponse({ missing: new pb._SetSampleResponse._Missing() })
        : new pb._SetSampleResponse({ found: new pb._SetSampleResponse._Found({ elements }) });
    }),
    SetPop: dataUnary(deps, async (p, cacheName, req: pb._SetPopRequest) => {
      const elements = await c.setPop(p, cacheName, req.set_name, req.count);
      return elements === undefined
        ? new pb._SetPopResponse({ missing: new pb._SetPopResponse._Missing() })
        : new pb._SetPopResponse({ found: new pb._SetPopResponse._Found({ elements }) });
    }),

    // ── sorted sets ──
    SortedSetPut: dataUnary(deps, async (p, cacheName, req: pb._SortedSetPutRequest) => {
      const elements = req.elements.map((e) => ({ value: e.value, score: e.score }));
      await c.sortedSetPut(p, cacheName, req.set_name, elements, collectionTtl(req));
      return SORTED_SET_PUT_OK;
    }),
    SortedSetFetch: dataUnary(deps, async (p, cacheName, req: pb._SortedSetFetchRequest) => {
      let elements: Awaited<ReturnType<CollectionService['sortedSetFetchByRank']>>;
      if (req.range === 'by_score') {
        const s = req.by_score;
        const range = {
          min: fetchBound(s.min === 'min_score', s.min_score),
          max: fetchBound(s.max === 'max_score', s.max_score),
          offset: s.offset,
          // The service reserves negative counts for "all elements" (the SDK sends -1 by default).
          count: s.count < 0 ? undefined : s.count,
        };
        elements = await c.sortedSetFetchByScore(p, cacheName, req.set_name, range, order(req.order));
      } else {
        const i = req.by_index;
        const range = {
          start: i.start === 'inclusive_start_index' ? i.inclusive_start_index : undefined,
          end: i.end === 'exclusive_end_index' ? i.exclusive_end_index : undefined,
        };
        elements = await c.sortedSetFetchByRank(p, cacheName, req.set_name, range, order(req.order));
      }
      if (elements === undefined)
        return new pb._SortedSetFetchResponse({ missing: new pb._SortedSetFetchResponse._Missing() });
      const found = req.with_scores
        ? new pb._SortedSetFetchResponse._Found({
            values_with_scores: new pb._SortedSetFetchResponse._Found._ValuesWithScores({
              elements: elements.map((e) => new pb._SortedSetElement({ value: e.value, score: e.score })),
            }),
          })
        : new pb._SortedSetFetchResponse._Found({
            values: new pb._SortedSetFetchResponse._Found._Values({ values: elements.map((e) => e.value) }),
          });
      return new pb._SortedSetFetchResponse({ found });
    }),
    SortedSetGetScore: dataUnary(deps, async (p, cacheName, req: pb._SortedSetGetScoreRequest) => {
      const scores = await c.sortedSetGetScores(p, cacheName, req.set_name, req.values);
      if (scores === undefined) {
        return new pb._SortedSetGetScoreResponse({ missing: new pb._SortedSetGetScoreResponse._SortedSetMissing() });
      }
      const elements = scores.map((score) =>
        score === undefined
          ? new pb._SortedSetGetScoreResponse._SortedSetGetScoreResponsePart({ result: MISS })
          : new pb._SortedSetGetScoreResponse._SortedSetGetScoreResponsePart({ result: HIT, score }),
      );
      return new pb._SortedSetGetScoreResponse({
        found: new pb._SortedSetGetScoreResponse._SortedSetFound({ elements }),
      });
    }),
    SortedSetGetRank: dataUnary(deps, async (p, cacheName, req: pb._SortedSetGetRankRequest) => {
      const rank = await c.sortedSetGetRank(p, cacheName, req.set_name, req.value, order(req.order));
      return new pb._SortedSetGetRankResponse({
        element_rank: new pb._SortedSetGetRankResponse._RankResponsePart(
          rank === undefined ? { result: MISS } : { result: HIT, rank },
        ),
      });
    }),
    SortedSetIncrement: dataUnary(deps, async (p, cacheName, req: pb._SortedSetIncrementRequest) => {
      const score = await c.sortedSetIncrement(p, cacheName, req.set_name, req.value, req.amount, collectionTtl(req));
      return new pb._SortedSetIncrementResponse({ score });
    }),
    SortedSetRemove: dataUnary(deps, async (p, cacheName, req: pb._SortedSetRemoveRequest) => {
      if (req.remove_elements === 'none') {
        throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'SortedSetRemove needs some or all');
      }
      const values = req.remove_elements === 'all' ? 'all' : req.some.values;
      await c.sortedSetRemove(p, cacheName, req.set_name, values);
      return SORTED_SET_REMOVE_OK;
    }),
    SortedSetLength: dataUnary(deps, async (p, cacheName, req: pb._SortedSetLengthRequest) => {
      const length = await c.sortedSetLength(p, cacheName, req.set_name);
      return length === undefined
        ? new pb._SortedSetLengthResponse({ missing: new pb._SortedSetLengthResponse._Missing() })
        : new pb._SortedSetLengthResponse({ found: new pb._SortedSetLengthResponse._Found({ length }) });
    }),
    SortedSetLengthByScore: dataUnary(deps, async (p, cacheName, req: pb._SortedSetLengthByScoreRequest) => {
      const min = lengthBound(req.min, req.inclusive_min, req.exclusive_min, 'min');
      const max = lengthBound(req.max, req.inclusive_max, req.exclusive_max, 'max');
      const length = await c.sortedSetLengthByScore(p, cacheName, req.set_name, min, max);
      return length === undefined
        ? new pb._SortedSetLengthByScoreResponse({ missing: new pb._SortedSetLengthByScoreResponse._Missing() })
        : new pb._SortedSetLengthByScoreResponse({ found: new pb._SortedSetLengthByScoreResponse._Found({ length }) });
    }),
    SortedSetUnionStore: dataUnary(deps, async (p, cacheName, req: pb._SortedSetUnionStoreRequest) => {
      const aggregate = AGGREGATE[req.aggregate];
      if (aggregate === undefined)
        throw new CacheError(ErrorCode.INVALID_ARGUMENT, `unknown aggregate ${req.aggregate}`);
      const sources = req.sources.map((s) => ({ key: s.set_name, weight: s.weight }));
      const length = await c.sortedSetUnionStore(p, cacheName, req.set_name, sources, aggregate, req.ttl_milliseconds);
      return new pb._SortedSetUnionStoreResponse({ length });
    }),
  };
}
