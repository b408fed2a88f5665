/**
 * The official @gomomento/sdk `PreviewLeaderboardClient` against a server booted in-process: every call of
 * Momento's leaderboard service, their limits and errors, permissions, and leaderboards living in (and
 * leaving with) their cache. `GetCompetitionRank` is on the wire but not in this SDK version, so it goes
 * through a bare grpc-js client with the generated messages. Time is a ManualClock shared by the engine.
 * gateway-wire.test.ts runs this file again on Valkey gateways.
 */
import { encodeApiKey, ManualClock } from '@cachette/core';
import { leaderboard as lbPb } from '@gomomento/generated-types';
import {
  type CacheClient,
  type ILeaderboard,
  LeaderboardConfigurations,
  LeaderboardOrder,
  MomentoErrorCode,
  PreviewLeaderboardClient,
} from '@gomomento/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Booted, boot, keyCredentials, uniqueName } from './support/boot.ts';
import { expectSdkError } from './support/expect-error.ts';
import { RawClient } from './support/raw-client.ts';

import pb = lbPb.leaderboard;

let b: Booted;
let client: CacheClient;
let boards: PreviewLeaderboardClient;
let raw: RawClient;
let cache: string;
let secret: string;
const clock = new ManualClock();
const made: PreviewLeaderboardClient[] = [];

function leaderboardClient(apiKey: string): PreviewLeaderboardClient {
  const c = new PreviewLeaderboardClient({
    configuration: LeaderboardConfigurations.Laptop.latest(),
    credentialProvider: keyCredentials(b.server.grpcAddress, apiKey),
  });
  made.push(c);
  return c;
}

beforeAll(async () => {
  b = await boot({ clock });
  client = await b.client();
  boards = leaderboardClient(b.server.devApiKey);
  raw = new RawClient(b.server.grpcAddress);
  secret = JSON.parse(Buffer.from(b.server.devApiKey, 'base64').toString()).api_key as string;
});
afterAll(async () => {
  for (const c of made) c.close();
  raw.close();
  await b.stop();
});
beforeEach(async () => {
  cache = uniqueName();
  expect((await client.createCache(cache)).type).toBe('Success');
});

type Fetched = { type: string; values?: () => { id: number; score: number; rank: number }[] };
/** `id:score@rank` of a successful fetch. */
function shown(r: Fetched): string[] {
  expect(r.type, String(r)).toBe('Success');
  return (r.values?.() ?? []).map((e) => `${e.id}:${e.score}@${e.rank}`);
}

/** Ids 1..5 scored 10, 20, 20, 30, 40. */
async function seeded(name = 'board'): Promise<ILeaderboard> {
  const board = boards.leaderboard(cache, name);
  const upserted = await board.upsert(
    new Map([
      [5, 40],
      [3, 20],
      [1, 10],
      [2, 20],
      [4, 30],
    ]),
  );
  expect(upserted.type).toBe('Success');
  return board;
}

async function competitionRanks(name: string, ids: number[], order?: pb._Order) {
  const request = new pb._GetCompetitionRankRequest({ leaderboard: name, ids });
  if (order !== undefined) request.order = order;
  const r = await raw.unary('/leaderboard.Leaderboard/GetCompetitionRank', request.serialize(), {
    authorization: secret,
    cache,
  });
  expect([r.code, r.details]).toEqual([0, '']);
  return pb._GetCompetitionRankResponse.deserialize(r.response!).elements.map((e) => `${e.id}:${e.score}@${e.rank}`);
}

describe('leaderboards over the official SDK', () => {
  it('upsert (Map or Record) then fetchByRank in both orders, with 0-based ranks, and length', async () => {
    const board = await seeded();
    expect((await board.upsert({ 6: 25, 1: 12.5 })).type).toBe('Success');
    expect(shown(await board.fetchByRank(0, 10))).toEqual([
      '1:12.5@0',
      '2:20@1',
      '3:20@2',
      '6:25@3',
      '4:30@4',
      '5:40@5',
    ]);
    expect(shown(await board.fetchByRank(1, 3, { order: LeaderboardOrder.Descending }))).toEqual(['4:30@1', '6:25@2']);
    const length = await board.length();
    expect(length.type === 'Success' && length.length()).toBe(6);
  });

  it('fetchByScore: minScore inclusive, maxScore exclusive, offset and count, both orders', async () => {
    const board = await seeded();
    expect(shown(await board.fetchByScore({ minScore: 20, maxScore: 40 }))).toEqual(['2:20@1', '3:20@2', '4:30@3']);
    expect(shown(await board.fetchByScore({ minScore: 20, maxScore: 40, order: LeaderboardOrder.Descending }))).toEqual(
      ['4:30@1', '3:20@2', '2:20@3'],
    );
    expect(shown(await board.fetchByScore({ offset: 1, count: 2 }))).toEqual(['2:20@1', '3:20@2']);
    expect(shown(await board.fetchByScore({ maxScore: 30, order: LeaderboardOrder.Descending, offset: 1 }))).toEqual([
      '2:20@3',
      '1:10@4',
    ]);
    expect(shown(await board.fetchByScore({ minScore: 100 }))).toEqual([]);
  });

  it('getRank answers ordinal ranks for present ids only; competition ranks share ties', async () => {
    const board = await seeded();
    expect(shown(await board.getRank([3, 99, 1]))).toEqual(['3:20@2', '1:10@0']);
    expect(shown(await board.getRank([5, 2], { order: LeaderboardOrder.Descending }))).toEqual(['5:40@0', '2:20@3']);
    expect(await competitionRanks('board', [1, 2, 3, 4, 99], pb._Order.ASCENDING)).toEqual([
      '1:10@0',
      '2:20@1',
      '3:20@1',
      '4:30@3',
    ]);
    // No order given: descending, as Momento's SDKs default it (rank 0 = the best score).
    expect(await competitionRanks('board', [5, 4, 3, 2, 1])).toEqual([
      '5:40@0',
      '4:30@1',
      '3:20@2',
      '2:20@2',
      '1:10@4',
    ]);
  });

  it('removeElements and delete; a missing leaderboard reads as empty', async () => {
    const board = await seeded();
    expect((await board.removeElements([2, 4, 77])).type).toBe('Success');
    expect(shown(await board.fetchByRank(0, 10))).toEqual(['1:10@0', '3:20@1', '5:40@2']);
    expect((await board.delete()).type).toBe('Success');
    expect(shown(await board.fetchByRank(0, 10))).toEqual([]);
    const length = await board.length();
    expect(length.type === 'Success' && length.length()).toBe(0);
    expect((await board.delete()).type).toBe('Success');
    expect(shown(await boards.leaderboard(cache, 'never').getRank([1]))).toEqual([]);
  });

  it('page limits: more than 8192 elements, ranks or ids per call is INVALID_ARGUMENT and changes nothing', async () => {
    const board = await seeded();
    const many = new Map(Array.from({ length: 8193 }, (_, i) => [i + 100, i] as [number, number]));
    expectSdkError(await board.upsert(many), MomentoErrorCode.INVALID_ARGUMENT_ERROR, '8192');
    expectSdkError(await board.fetchByRank(0, 8193), MomentoErrorCode.INVALID_ARGUMENT_ERROR, '8192');
    expectSdkError(await board.fetchByScore({ count: 8193 }), MomentoErrorCode.INVALID_ARGUMENT_ERROR, '8192');
    const ids = [...many.keys()];
    expectSdkError(await board.getRank(ids), MomentoErrorCode.INVALID_ARGUMENT_ERROR, '8192');
    expectSdkError(await board.removeElements(ids), MomentoErrorCode.INVALID_ARGUMENT_ERROR, '8192');
    // The SDK lets (0, 0) through; an empty rank range is refused by the server.
    expectSdkError(await board.fetchByRank(0, 0), MomentoErrorCode.INVALID_ARGUMENT_ERROR, 'less than');
    const huge = boards.leaderboard(cache, 'x'.repeat(5 * 1024 * 1024));
    expectSdkError(await huge.upsert({ 1: 1 }), MomentoErrorCode.LIMIT_EXCEEDED_ERROR, 'item size limit');
    expect(shown(await board.fetchByRank(0, 8192))).toHaveLength(5);
    const length = await board.length();
    expect(length.type === 'Success' && length.length()).toBe(5);
  });

  it('bad requests the SDK would not send are refused by the server', async () => {
    const send = async (method: string, body: Uint8Array, headers: Record<string, string>) =>
      raw.unary(`/leaderboard.Leaderboard/${method}`, body, {
        authorization: secret,
        ...headers,
      });
    const upsert = new pb._UpsertElementsRequest({
      leaderboard: 'b',
      elements: [new pb._Element({ id: 1, score: 1 })],
    });
    expect((await send('UpsertElements', upsert.serialize(), {})).code).toBe(3); // no cache header
    const nan = new pb._UpsertElementsRequest({ leaderboard: 'b', elements: [new pb._Element({ id: 1, score: NaN })] });
    expect((await send('UpsertElements', nan.serialize(), { cache })).code).toBe(3);
    const empty = new pb._UpsertElementsRequest({ leaderboard: '', elements: [new pb._Element({ id: 1, score: 1 })] });
    expect((await send('UpsertElements', empty.serialize(), { cache })).details).toContain('name must not be empty');
    const noRange = new pb._GetByRankRequest({ leaderboard: 'b' });
    expect((await send('GetByRank', noRange.serialize(), { cache })).details).toContain('rank_range');
    const badOrder = new pb._GetRankRequest({ leaderboard: 'b', ids: [1], order: 7 as pb._Order });
    expect((await send('GetRank', badOrder.serialize(), { cache })).code).toBe(3);
    const zeroCount = new pb._GetByScoreRequest({ leaderboard: 'b', limit_elements: 0 });
    expect((await send('GetByScore', zeroCount.serialize(), { cache })).details).toContain('count');
    // Malformed protobuf: a length that points backwards is refused before decoding.
    const bad = await send('UpsertElements', Uint8Array.from([0x12, 0xfa, 0xff, 0xff, 0xff, 0x0f]), { cache });
    expect(bad.code).toBe(3);
    const length = new pb._GetLeaderboardLengthRequest({ leaderboard: 'b' });
    const ok = await send('GetLeaderboardLength', length.serialize(), { cache });
    expect(ok.code).toBe(0);
  });

  it('a missing cache is NOT_FOUND', async () => {
    const board = boards.leaderboard('no-such-cache', 'board');
    expectSdkError(await board.upsert({ 1: 1 }), MomentoErrorCode.CACHE_NOT_FOUND_ERROR);
    expectSdkError(await board.fetchByRank(0, 1), MomentoErrorCode.CACHE_NOT_FOUND_ERROR);
  });

  it('a read-only key can fetch and rank but not upsert, remove or delete; a write-only key the reverse', async () => {
    await seeded();
    const make = async (access: 'readOnly' | 'writeOnly') => {
      const { secret } = await b.server.metadata.createApiKey({ accountId: b.server.localAccountId, access });
      return leaderboardClient(encodeApiKey(b.server.grpcAddress, secret)).leaderboard(cache, 'board');
    };
    const ro = await make('readOnly');
    expect(shown(await ro.fetchByRank(0, 2))).toEqual(['1:10@0', '2:20@1']);
    expect(shown(await ro.getRank([5]))).toEqual(['5:40@4']);
    expectSdkError(await ro.upsert({ 9: 9 }), MomentoErrorCode.PERMISSION_ERROR);
    expectSdkError(await ro.removeElements([1]), MomentoErrorCode.PERMISSION_ERROR);
    expectSdkError(await ro.delete(), MomentoErrorCode.PERMISSION_ERROR);
    const wo = await make('writeOnly');
    expect((await wo.upsert({ 9: 9 })).type).toBe('Success');
    expectSdkError(await wo.fetchByScore(), MomentoErrorCode.PERMISSION_ERROR);
    expectSdkError(await wo.length(), MomentoErrorCode.PERMISSION_ERROR);
    const length = await boards.leaderboard(cache, 'board').length();
    expect(length.type === 'Success' && length.length()).toBe(6);
  });

  it('leaderboards live in their cache: a cache key of the same name is another item; flush and delete remove them', async () => {
    const board = await seeded('shared');
    expect((await client.set(cache, 'shared', 'scalar')).type).toBe('Success');
    expect((await client.get(cache, 'shared')).value()).toBe('scalar');
    expect((await client.delete(cache, 'shared')).type).toBe('Success');
    expect(shown(await board.fetchByRank(0, 1))).toEqual(['1:10@0']);
    expect((await client.flushCache(cache)).type).toBe('Success');
    expect(shown(await board.fetchByRank(0, 10))).toEqual([]);
    await seeded('shared');
    expect((await client.deleteCache(cache)).type).toBe('Success');
    expectSdkError(await board.length(), MomentoErrorCode.CACHE_NOT_FOUND_ERROR);
    expect((await client.createCache(cache)).type).toBe('Success');
    const length = await board.length();
    expect(length.type === 'Success' && length.length()).toBe(0);
  });

  it('a leaderboard lives for the maximum TTL after its last upsert', async () => {
    const board = await seeded();
    const day = 24 * 60 * 60 * 1000;
    clock.advance(day - 1000);
    expect((await board.upsert({ 9: 1 })).type).toBe('Success');
    clock.advance(day - 1);
    expect(shown(await board.fetchByRank(0, 1))).toEqual(['9:1@0']);
    clock.advance(1);
    expect(shown(await board.fetchByRank(0, 10))).toEqual([]);
  });
  it('metering: an element counts 16 bytes in and out, an id 8, plus the name; failed calls are free', async () => {
    const account = await b.server.metadata.createAccount({
      email: `${uniqueName('m')}@example.com`,
      provider: 'local',
      region: 'local',
      plan: 'free',
    });
    const { secret: own } = await b.server.metadata.createApiKey({ accountId: account.id });
    const apiKey = encodeApiKey(b.server.grpcAddress, own, b.server.httpUrl);
    const mine = uniqueName();
    expect((await (await b.client(apiKey)).createCache(mine)).type).toBe('Success');
    const board = leaderboardClient(apiKey).leaderboard(mine, 'lb');
    expect((await board.upsert({ 1: 1, 2: 2 })).type).toBe('Success'); // in 2 + 2 × 16
    expect(shown(await board.fetchByRank(0, 10))).toHaveLength(2); // in 2, out 2 × 16
    expect(shown(await board.getRank([1, 3]))).toHaveLength(1); // in 2 + 2 × 8, out 16
    expect((await board.length()).type).toBe('Success'); // in 2
    expect((await board.removeElements([1])).type).toBe('Success'); // in 2 + 8
    expectSdkError(await board.fetchByRank(0, 9000), MomentoErrorCode.INVALID_ARGUMENT_ERROR); // not billed
    const res = await fetch(`${b.server.httpUrl}/v1/usage`, { headers: { authorization: apiKey } });
    const report = (await res.json()) as { totals: { bytesIn: number; bytesOut: number; requests: number } };
    expect(report.totals).toMatchObject({ bytesIn: 34 + 2 + 18 + 2 + 10, bytesOut: 32 + 16, requests: 5 });
  });
});
