/**
 * @module fuzz/lib/protobuf-gen
 * Structure-aware protobuf inputs: a random *valid* message of a request type (from the same schemas the
 * server's guard derives from `@gomomento/generated-types`), then one mutation at the protobuf level
 * (lengths past the end or pointing backwards, huge or over-long varints, wrong wire types, groups,
 * repeated singular fields, deep nesting, floods of tiny fields) and sometimes a byte-level one.
 */
import type { MessageSchema } from '../../packages/server/src/transports/grpc/protobuf-guard.ts';
import type { Rng } from './rng.ts';

/** One encoded field; `tag`/`len` override the honest encoding when a mutation says so. */
interface PField {
  field: number;
  wire: number;
  value: bigint | Uint8Array | PField[];
  tag?: number[];
  len?: number[];
}

/** Values a caller wants some bytes fields to carry (real cache names, keys), so cases reach deep code. */
export interface Vocabulary {
  readonly bytes: readonly Uint8Array[];
}

export function varint(v: bigint): number[] {
  const out: number[] = [];
  let x = BigInt.asUintN(64, v);
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
  return out;
}

const INTERESTING = [
  0n,
  1n,
  2n,
  127n,
  128n,
  1000n,
  60_000n,
  86_400_001n,
  2n ** 31n - 1n,
  2n ** 31n,
  2n ** 32n - 1n,
  2n ** 53n + 1n,
  2n ** 63n - 1n,
  2n ** 64n - 1n,
  -1n,
];

function randomValue(
  rng: Rng,
  kind: string,
  vocab: Vocabulary,
  schema: MessageSchema | undefined,
  depth: number,
): PField['value'] {
  switch (kind) {
    case 'varint':
      return rng.chance(0.7) ? rng.pick(INTERESTING) : BigInt(rng.int(2 ** 31));
    case 'fixed64':
      return rng.bytes(8);
    case 'fixed32':
      return rng.bytes(4);
    case 'packed': {
      const n = rng.size(20);
      return Uint8Array.from(Array.from({ length: n }, () => varint(rng.pick(INTERESTING))).flat());
    }
    case 'message':
      return schema === undefined || depth > 6 ? [] : randomMessage(rng, schema, vocab, depth + 1);
    default:
      return rng.chance(0.6) && vocab.bytes.length > 0 ? rng.pick(vocab.bytes) : rng.bytes(rng.size(64));
  }
}

/** A message valid for `schema`: each declared field present or not, repeated ones 0-3 times. */
export function randomMessage(rng: Rng, schema: MessageSchema, vocab: Vocabulary, depth = 0): PField[] {
  const out: PField[] = [];
  for (const [field, rule] of schema.fields) {
    if (!rng.chance(0.6)) continue;
    const times = rule.kind === 'message' && rng.chance(0.2) ? 1 + rng.int(3) : 1;
    for (let i = 0; i < times; i++) {
      const wire = rule.kind === 'varint' ? 0 : rule.kind === 'fixed64' ? 1 : rule.kind === 'fixed32' ? 5 : 2;
      out.push({
        field,
        wire,
        value: randomValue(rng, rule.kind, vocab, rule.kind === 'message' ? rule.schema : undefined, depth),
      });
    }
  }
  return out;
}

/** Wire bytes of `fields`, honouring mutation overrides. */
export function encode(fields: readonly PField[]): Buffer {
  const parts: Uint8Array[] = [];
  for (const f of fields) {
    parts.push(Uint8Array.from(f.tag ?? varint(BigInt(f.field * 8 + f.wire))));
    if (typeof f.value === 'bigint') {
      parts.push(Uint8Array.from(varint(f.value)));
    } else {
      const body = f.value instanceof Uint8Array ? f.value : encode(f.value);
      if (f.wire === 2 || f.len !== undefined) parts.push(Uint8Array.from(f.len ?? varint(BigInt(body.length))));
      parts.push(body);
    }
  }
  return Buffer.concat(parts);
}

function allNodes(fields: PField[], into: PField[] = []): PField[] {
  for (const f of fields) {
    into.push(f);
    if (Array.isArray(f.value)) allNodes(f.value, into);
  }
  return into;
}

/** Mutation names, for the report's mix. */
export const MUTATIONS = [
  'none',
  'len-past-end',
  'len-backwards',
  'len-backwards-10',
  'len-huge',
  'huge-varint',
  'overlong-varint',
  'wire-type',
  'group',
  'duplicate',
  'field-number',
  'deep-nesting',
  'tiny-field-flood',
  'truncate',
  'bit-flip',
  'append-garbage',
  'random-bytes',
] as const;
export type Mutation = (typeof MUTATIONS)[number];

/** A valid message of `schema`, then `mutation` (random if not given). Returns the bytes and what was done. */
export function mutatedMessage(
  rng: Rng,
  schema: MessageSchema,
  vocab: Vocabulary,
): { bytes: Uint8Array; mutation: Mutation } {
  const fields = randomMessage(rng, schema, vocab);
  const mutation: Mutation = rng.chance(0.15) ? 'none' : rng.pick(MUTATIONS.slice(1));
  // Make sure there is something to mutate: an extra unknown length-delimited field.
  if (fields.length === 0 || rng.chance(0.1))
    fields.push({ field: 1 + rng.int(40), wire: 2, value: rng.bytes(rng.size(16)) });
  const nodes = allNodes(fields);
  const lenNodes = nodes.filter((n) => n.wire === 2);
  const target = rng.pick(lenNodes.length > 0 && rng.chance(0.8) ? lenNodes : nodes);
  const bodyLength = () =>
    Array.isArray(target.value)
      ? encode(target.value).length
      : target.value instanceof Uint8Array
        ? target.value.length
        : 0;
  switch (mutation) {
    case 'len-past-end':
      target.wire = 2;
      target.len = varint(BigInt(bodyLength() + rng.pick([1, 2, 7, 1000, 2 ** 20, 2 ** 27])));
      break;
    case 'len-backwards': {
      // A 32-bit negative length: google-protobuf moved its cursor back by it.
      target.wire = 2;
      target.len = varint(BigInt(2 ** 32 - (1 + rng.int(16))));
      break;
    }
    case 'len-backwards-10':
      target.wire = 2;
      target.len = varint(-BigInt(1 + rng.int(16)));
      break;
    case 'len-huge':
      target.wire = 2;
      target.len = varint(rng.pick([2n ** 31n - 1n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 35n, 2n ** 64n - 1n]));
      break;
    case 'huge-varint':
      target.wire = 0;
      target.value = rng.pick([2n ** 64n - 1n, 2n ** 63n, -1n]);
      break;
    case 'overlong-varint': {
      target.tag = [...(target.tag ?? varint(BigInt(target.field * 8 + target.wire)))];
      const last = target.tag.length - 1;
      target.tag[last] = (target.tag[last] ?? 0) | 0x80;
      target.tag.push(...new Array(rng.pick([1, 8, 9, 12, 100])).fill(0x80), 0);
      break;
    }
    case 'wire-type':
      target.tag = varint(BigInt(target.field * 8 + rng.int(8)));
      break;
    case 'group': {
      const kind = rng.int(3);
      const start = varint(BigInt(target.field * 8 + 3));
      const end = varint(BigInt(target.field * 8 + 4));
      const raw = Uint8Array.from(
        kind === 0 ? start : kind === 1 ? [...start, ...end] : Array.from({ length: 500 }, () => start).flat(),
      );
      fields.splice(rng.int(fields.length + 1), 0, { field: 0, wire: -1, value: raw, tag: [] });
      break;
    }
    case 'duplicate':
      for (let i = 0, n = 1 + rng.int(5); i < n; i++) fields.push({ ...target });
      break;
    case 'field-number':
      target.tag = varint(rng.pick([0n, BigInt(target.wire), 2n ** 29n * 8n + 2n, 2n ** 32n + 2n, 2n ** 40n]));
      break;
    case 'deep-nesting': {
      // Built inside-out as bytes: a tree of this depth would cost the encoder quadratic time.
      const tag = varint(BigInt(target.field * 8 + 2));
      const lengths = [0];
      for (let i = 0, depth = rng.pick([40, 1000, 3000]); i < depth; i++) {
        const inner = lengths[lengths.length - 1] as number;
        lengths.push(tag.length + varint(BigInt(inner)).length + inner);
      }
      const out = Buffer.alloc(lengths[lengths.length - 1] as number);
      let at = 0;
      for (let i = lengths.length - 2; i >= 0; i--) {
        for (const b of [...tag, ...varint(BigInt(lengths[i] as number))]) out[at++] = b;
      }
      target.wire = -1;
      target.tag = [];
      target.value = out;
      break;
    }
    case 'tiny-field-flood': {
      // Many empty sub-messages: each costs the decoder an object, so the guard caps their number.
      const n = rng.pick([1000, 100_001, 400_000]);
      const one = [...varint(BigInt(target.field * 8 + 2)), 0];
      const flood = Buffer.alloc(n * one.length, Buffer.from(one));
      fields.push({ field: 0, wire: -1, value: flood, tag: [] });
      break;
    }
    default:
      break;
  }
  let bytes: Uint8Array = encode(fields);
  switch (mutation) {
    case 'truncate':
      bytes = bytes.subarray(0, rng.int(bytes.length + 1));
      break;
    case 'bit-flip':
      for (let i = 0, n = 1 + rng.int(4); i < n && bytes.length > 0; i++) {
        const at = rng.int(bytes.length);
        bytes[at] = (bytes[at] ?? 0) ^ (1 << rng.int(8));
      }
      break;
    case 'append-garbage':
      bytes = Uint8Array.from([...bytes, ...rng.bytes(1 + rng.int(12))]);
      break;
    case 'random-bytes':
      bytes = rng.bytes(rng.size(24));
      break;
    default:
      break;
  }
  return { bytes, mutation };
}
