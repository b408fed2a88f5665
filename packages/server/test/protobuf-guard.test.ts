import { cache, control, leaderboard, token } from '@gomomento/generated-types';
import { describe, expect, it } from 'vitest';
import { checkMessage, schemaOf } from '../src/transports/grpc/protobuf-guard.ts';

import pb = cache.cache_client;

const check = (
  cls: Parameters<typeof schemaOf>[0],
  bytes: number[] | Uint8Array,
  limits?: Parameters<typeof checkMessage>[2],
) => checkMessage(Uint8Array.from(bytes), schemaOf(cls), limits);

describe('schemaOf', () => {
  it('schemaOf(_SetIfRequest) knows bytes, varint and nested-message fields', () => {
    const s = schemaOf(pb._SetIfRequest);
    expect(s.fields.get(1)).toEqual({ kind: 'bytes' });
    expect(s.fields.get(3)).toEqual({ kind: 'varint' });
    expect(s.fields.get(7)?.kind).toBe('message');
  });

  it('schemaOf(_GetBatchRequest) finds the class of a repeated message field', () => {
    const field = schemaOf(pb._GetBatchRequest).fields.get(1);
    expect(field?.kind === 'message' && field.schema.name).toBe('_GetRequest');
  });

  it('schemaOf derives every request type of every service the server routes', () => {
    const services = [
      pb.UnimplementedScsService.definition,
      control.control_client.UnimplementedScsControlService.definition,
      token.token.UnimplementedTokenService.definition,
      leaderboard.leaderboard.UnimplementedLeaderboardService.definition,
    ];
    let n = 0;
    for (const def of services) {
      for (const attrs of Object.values(def)) {
        const cls = (attrs.requestDeserialize(Buffer.alloc(0)) as object).constructor;
        expect(() => schemaOf(cls as unknown as Parameters<typeof schemaOf>[0])).not.toThrow();
        n++;
      }
    }
    expect(n).toBeGreaterThan(50);
  });
});

describe('checkMessage', () => {
  it('accepts what the generated classes serialize', () => {
    // `equal { value_to_check: "x" }` (common.Equal is not exported by the package).
    const setIf = pb._SetIfRequest.deserialize(Uint8Array.from([0x3a, 0x03, 0x0a, 0x01, 0x78]));
    setIf.cache_key = Buffer.from('k');
    setIf.ttl_milliseconds = 2 ** 40;
    expect(setIf.condition).toBe('equal');
    expect(check(pb._SetIfRequest, setIf.serialize())).toBeUndefined();
    const batch = new pb._GetBatchRequest({ items: [new pb._GetRequest({ cache_key: Buffer.from('a') })] });
    expect(check(pb._GetBatchRequest, batch.serialize())).toBeUndefined();
  });

  it('accepts unknown fields of valid wire types (newer clients)', () => {
    expect(check(pb._GetRequest, [0x0a, 0x01, 0x61, 0x78, 0x05, 0x85, 0x01, 1, 2, 3, 4])).toBeUndefined();
  });

  it('rejects a nested length that points backwards (-6 in 32 bits)', () => {
    expect(check(pb._GetBatchRequest, [0x0a, 0xfa, 0xff, 0xff, 0xff, 0x0f])).toContain('exceeds the 0 bytes left');
  });

  it('rejects a length inside a nested message that runs past that message', () => {
    // GetBatch item of 3 bytes whose cache_key claims 5.
    expect(check(pb._GetBatchRequest, [0x0a, 0x03, 0x0a, 0x05, 0x61, 0x62, 0x63])).toContain(
      'field 1 of _GetRequest: length 5 exceeds the 1 bytes left',
    );
  });

  it.each([
    [3, 'start-group'],
    [4, 'end-group'],
    [6, '6'],
    [7, '7'],
  ])('rejects wire type %i on an unknown field', (wire, name) => {
    expect(check(pb._GetRequest, [(9 << 3) | wire, 0])).toContain(`wire type ${name} is not accepted`);
  });

  it('rejects a known field sent with the wrong wire type', () => {
    expect(check(pb._SetRequest, [0x0d, 1, 2, 3, 4])).toContain('wire type fixed32, expected length-delimited');
  });

  it('rejects a varint longer than 10 bytes and one that overflows 64 bits', () => {
    expect(check(pb._SetRequest, [0x18, ...new Array(10).fill(0xff), 0x01])).toContain('longer than 10 bytes');
    expect(check(pb._SetRequest, [0x18, ...new Array(9).fill(0xff), 0x02])).toContain('overflows 64 bits');
  });

  it('rejects truncated varints and fixed-width values', () => {
    expect(check(pb._SetRequest, [0x18, 0x80])).toContain('runs past the end');
    expect(check(pb._GetRequest, [0x11, 1, 2])).toContain('8-byte value runs past the end');
  });

  it('rejects field number 0', () => {
    expect(check(pb._GetRequest, [0x00, 0x00])).toContain('invalid field number 0');
  });

  it('rejects nesting deeper than maxDepth', () => {
    // GetBatch → item (a _GetRequest) is depth 2.
    const bytes = [0x0a, 0x03, 0x0a, 0x01, 0x61];
    expect(check(pb._GetBatchRequest, bytes, { maxDepth: 1, maxFields: 100 })).toContain('nested deeper than 1');
    expect(check(pb._GetBatchRequest, bytes, { maxDepth: 2, maxFields: 100 })).toBeUndefined();
  });

  it('rejects more fields than maxFields, counting nested ones', () => {
    const items = new Array(50).fill([0x0a, 0x00]).flat();
    expect(check(pb._GetBatchRequest, items, { maxDepth: 32, maxFields: 49 })).toContain('more than 49 fields');
    expect(check(pb._GetBatchRequest, items, { maxDepth: 32, maxFields: 50 })).toBeUndefined();
  });

  it('rejects a packed field whose last varint runs past the field', () => {
    expect(check(pb._KeysExistResponse, [0x0a, 0x02, 0x01, 0x80])).toContain('runs past the end');
  });
});
