/**
 * @module transports/grpc/leaderboard-plane
 * `/leaderboard.Leaderboard/*` handlers: decode Momento's leaderboard messages (the cache name comes in
 * the `cache` metadata header, as on the data plane), call the leaderboard service, encode the answer.
 * Nothing else happens here.
 */
import { CacheError, ErrorCode } from '@cachette/core';
import type { RankedElement, SortOrder } from '@cachette/engine';
import { leaderboard } from '@gomomento/generated-types';
import { common } from '@gomomento/generated-types/dist/common.js';
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { CacheService } from '../../service/cache-service.ts';
import { encodeRankedElements } from './leaderboard-codec.ts';
import type { HandlerDeps } from './unary.ts';
import { dataUnary } from './unary.ts';

import pb = leaderboard.leaderboard;

const EMPTY = new common._Empty();

/** Leaderboard names are strings on this wire; the engine keys them by their UTF-8 bytes. */
function nameOf(req: { leaderboard: string }): Uint8Array {
  return Buffer.from(req.leaderboard, 'utf8');
}

function orderOf(o: pb._Order): SortOrder {
  if (o === pb._Order.ASCENDING) return 'ascending';
  if (o === pb._Order.DESCENDING) return 'descending';
  throw new CacheError(ErrorCode.INVALID_ARGUMENT, `unknown order ${o}: ASCENDING (0) or DESCENDING (1)`);
}

/** The fetch answers, encoded directly (see leaderboard-codec.ts; the definition passes Buffers through). */
function ranked(elements: readonly RankedElement[]): Buffer {
  return encodeRankedElements(elements);
}

/** Handlers for every RPC of Momento's leaderboard service. */
export function leaderboardHandlers(service: CacheService, deps: HandlerDeps): UntypedServiceImplementation {
  const lb = service.leaderboards;
  const handlers = {
    UpsertElements: dataUnary(deps, async (p, cacheName, req: pb._UpsertElementsRequest) => {
      const elements = req.elements.map((e) => ({ id: e.id, score: e.score }));
      await lb.upsert(p, cacheName, nameOf(req), elements);
      return EMPTY;
    }),
    GetByRank: dataUnary(deps, async (p, cacheName, req: pb._GetByRankRequest) => {
      if (!req.has_rank_range) throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'GetByRank needs a rank_range');
      const { start_inclusive: start, end_exclusive: end } = req.rank_range;
      const elements = await lb.fetchByRank(p, cacheName, nameOf(req), start, end, orderOf(req.order));
      return ranked(elements);
    }),
    GetByScore: dataUnary(deps, async (p, cacheName, req: pb._GetByScoreRequest) => {
      // A missing score_range (or bound) is unbounded, as the SDK's explicit `unbounded_*` is.
      const r = req.score_range;
      const min = req.has_score_range && r.min === 'min_inclusive' ? r.min_inclusive : undefined;
      const max = req.has_score_range && r.max === 'max_exclusive' ? r.max_exclusive : undefined;
      const range = { min, max, offset: req.offset, count: req.limit_elements };
      const elements = await lb.fetchByScore(p, cacheName, nameOf(req), range, orderOf(req.order));
      return ranked(elements);
    }),
    GetRank: dataUnary(deps, async (p, cacheName, req: pb._GetRankRequest) => {
      const elements = await lb.getRank(p, cacheName, nameOf(req), req.ids, orderOf(req.order));
      return ranked(elements);
    }),
    GetCompetitionRank: dataUnary(deps, async (p, cacheName, req: pb._GetCompetitionRankRequest) => {
      // `order` is optional here; Momento's SDKs default competition ranks to descending (rank 0 = best).
      const order = req.has_order ? orderOf(req.order) : 'descending';
      const elements = await lb.getCompetitionRank(p, cacheName, nameOf(req), req.ids, order);
      return ranked(elements);
    }),
    GetLeaderboardLength: dataUnary(deps, async (p, cacheName, req: pb._GetLeaderboardLengthRequest) => {
      const count = await lb.length(p, cacheName, nameOf(req));
      return new pb._GetLeaderboardLengthResponse({ count });
    }),
    RemoveElements: dataUnary(deps, async (p, cacheName, req: pb._RemoveElementsRequest) => {
      await lb.remove(p, cacheName, nameOf(req), req.ids);
      return EMPTY;
    }),
    DeleteLeaderboard: dataUnary(deps, async (p, cacheName, req: pb._DeleteLeaderboardRequest) => {
      await lb.delete(p, cacheName, nameOf(req));
      return EMPTY;
    }),
  };
  return handlers as unknown as UntypedServiceImplementation;
}
