import { leaderboard } from '@gomomento/generated-types';
import { describe, expect, it } from 'vitest';
import { encodeRankedElements } from '../src/transports/grpc/leaderboard-codec.ts';

import pb = leaderboard.leaderboard;

const reference = (elements: { id: number; score: number; rank: number }[]) =>
  Buffer.from(new pb._GetByRankResponse({ elements: elements.map((e) => new pb._RankedElement(e)) }).serialize());

describe('encodeRankedElements', () => {
  it('encodes byte for byte what google-protobuf serializes, default values included', () => {
    const edge = [0, 1, 127, 128, 16_383, 16_384, 2 ** 21, 2 ** 28, 2 ** 32 - 1];
    const scores = [0, -0, 1, -1.5, 0.1, 1e300, -1e-300, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    const elements = edge.flatMap((id, i) =>
      scores.map((score, j) => ({ id, score, rank: edge[(i + j) % edge.length]! })),
    );
    expect(encodeRankedElements(elements).equals(reference(elements))).toBe(true);
    expect(encodeRankedElements([]).length).toBe(0);
    for (const e of elements) expect(encodeRankedElements([e]).equals(reference([e]))).toBe(true);
  });

  it('decodes, as every fetch response type, to the elements given', () => {
    const elements = [
      { id: 5, score: 40, rank: 0 },
      { id: 4_294_967_295, score: -2.25, rank: 1 },
    ];
    const bytes = encodeRankedElements(elements);
    for (const type of [
      pb._GetByRankResponse,
      pb._GetByScoreResponse,
      pb._GetRankResponse,
      pb._GetCompetitionRankResponse,
    ]) {
      expect(type.deserialize(bytes).elements.map((e) => e.toObject())).toEqual(elements);
    }
  });
});
