/**
 * `CacheClient.leaderboard(...)` against a real server over HTTP: every call, the default orders, errors as
 * values, and the official `@gomomento/sdk` PreviewLeaderboardClient reading what this SDK wrote.
 */
import { CacheClient, ErrorCode, LeaderboardFetch, LeaderboardLength } from '@cachette/sdk';
import { CredentialProvider, LeaderboardConfigurations, PreviewLeaderboardClient } from '@gomomento/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootServer, type TestServer, uniqueName } from './support/server.ts';

let booted: TestServer;
let client: CacheClient;
let cache: string;

beforeAll(async () => {
  booted = await bootServer();
  client = new CacheClient({ apiKey: booted.server.devApiKey });
  cache = uniqueName();
  expect((await client.createCache(cache)).type).toBe('Success');
});
afterAll(async () => {
  await booted.stop();
});

const shown = (r: LeaderboardFetch.Response) => {
  expect(r).toBeInstanceOf(LeaderboardFetch.Success);
  return r.type === 'Success' ? r.elements.map((e) => `${e.id}:${e.score}@${e.rank}`) : [];
};

describe('CacheClient.leaderboard', () => {
  it('upsert, fetchByRank, fetchByScore, getRank, getCompetitionRank, length, removeElements, delete', async () => {
    const board = client.leaderboard(cache, uniqueName('board'));
    expect(
      (
        await board.upsert(
          new Map([
            [1, 10],
            [2, 20],
          ]),
        )
      ).type,
    ).toBe('Success');
    expect((await board.upsert({ 3: 20, 4: Number.POSITIVE_INFINITY })).type).toBe('Error'); // JSON has no Infinity
    expect((await board.upsert({ 3: 20, 4: 30 })).type).toBe('Success');
    expect(shown(await board.fetchByRank(0, 10))).toEqual(['1:10@0', '2:20@1', '3:20@2', '4:30@3']);
    expect(shown(await board.fetchByRank(0, 2, { order: 'descending' }))).toEqual(['4:30@0', '3:20@1']);
    expect(shown(await board.fetchByScore({ minScore: 20, maxScore: 30 }))).toEqual(['2:20@1', '3:20@2']);
    expect(shown(await board.fetchByScore({ maxScore: Number.POSITIVE_INFINITY, offset: 3 }))).toEqual(['4:30@3']);
    expect(shown(await board.fetchByScore({ order: 'descending', count: 1 }))).toEqual(['4:30@0']);
    expect(shown(await board.getRank([3, 99]))).toEqual(['3:20@2']);
    expect(shown(await board.getCompetitionRank([2, 3, 4, 1]))).toEqual(['2:20@1', '3:20@1', '4:30@0', '1:10@3']);
    expect(shown(await board.getCompetitionRank([1], { order: 'ascending' }))).toEqual(['1:10@0']);
    const length = await board.length();
    expect(length).toBeInstanceOf(LeaderboardLength.Success);
    expect(length.type === 'Success' && length.length()).toBe(4);
    expect((await board.removeElements([1])).type).toBe('Success');
    expect((await board.delete()).type).toBe('Success');
    expect(shown(await board.fetchByRank(0, 10))).toEqual([]);
  });

  it('errors are values with the server code: page limit, missing cache', async () => {
    const board = client.leaderboard(cache, 'limits');
    const tooFar = await board.fetchByRank(0, 9000);
    expect(tooFar.type === 'Error' && tooFar.errorCode()).toBe(ErrorCode.INVALID_ARGUMENT);
    const missing = await client.leaderboard(uniqueName('nope'), 'b').length();
    expect(missing.type === 'Error' && missing.errorCode()).toBe(ErrorCode.NOT_FOUND);
  });

  it('the official PreviewLeaderboardClient reads what @cachette/sdk wrote', async () => {
    const name = uniqueName('shared');
    await client.leaderboard(cache, name).upsert({ 5: 1.25 });
    const momento = new PreviewLeaderboardClient({
      configuration: LeaderboardConfigurations.Laptop.latest(),
      credentialProvider: CredentialProvider.fromString({
        apiKey: booted.server.devApiKey,
        endpointOverrides: {
          cacheEndpoint: booted.server.grpcAddress,
          controlEndpoint: booted.server.grpcAddress,
          tokenEndpoint: booted.server.grpcAddress,
          secureConnection: false,
        },
      }),
    });
    try {
      const r = await momento.leaderboard(cache, name).fetchByRank(0, 5);
      expect(r.type === 'Success' && r.values()).toEqual([{ id: 5, score: 1.25, rank: 0 }]);
    } finally {
      momento.close();
    }
  });
});
