/**
 * @module transports/grpc/protobuf-guard
 * A bounded, linear-time check of a request's protobuf structure, run before any byte reaches
 * google-protobuf. google-protobuf's `BinaryReader` trusts declared lengths: a nested message whose length
 * varint decodes to a negative 32-bit number moves its cursor *backwards*, so six bytes
 * (`0a fa ff ff ff 0f` on `GetBatch`) make it re-read the same field forever — the event loop stalls and
 * no client is answered. Huge lengths make it walk (and allocate for) memory that was never sent. The
 * guard walks each message once against what its type allows and rejects anything else, so decoding is
 * linear in the input and allocates a bounded multiple of it.
 *
 * What each request type allows is derived, once per type, from the generated classes of
 * `@gomomento/generated-types` (their `deserialize` switch names each field's reader); an unknown reader
 * shape fails loudly when the server starts, so an upgrade of that package cannot silently weaken the guard.
 */

/** How a field is encoded on the wire. */
type FieldRule =
  | { readonly kind: 'varint' }
  | { readonly kind: 'fixed64' }
  | { readonly kind: 'fixed32' }
  | { readonly kind: 'bytes' }
  | { readonly kind: 'packed' }
  | { readonly kind: 'message'; readonly schema: MessageSchema };

/** The fields a message type declares, by field number. Undeclared fields are skipped (proto3). */
export interface MessageSchema {
  readonly name: string;
  readonly fields: Map<number, FieldRule>;
}

/** Bounds on a request's structure. */
export interface GuardLimits {
  /** Deepest nesting of messages accepted. Default 32 (Momento's requests nest at most ~6 deep). */
  readonly maxDepth: number;
  /**
   * Most fields (and packed elements) in one request, counted over every nesting level. Each decoded
   * field costs google-protobuf an object or array slot; this caps allocation at a fixed bound however the
   * bytes are arranged (a 5 MB request of empty sub-messages would otherwise be 2.5 M objects).
   * Default 100 000.
   */
  readonly maxFields: number;
}

export const defaultGuardLimits: GuardLimits = { maxDepth: 32, maxFields: 100_000 };

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;
const WIRE_NAMES = ['varint', 'fixed64', 'length-delimited', 'start-group', 'end-group', 'fixed32', '6', '7'];

const EXPECTED_WIRE: Record<FieldRule['kind'], number> = {
  varint: WIRE_VARINT,
  fixed64: WIRE_FIXED64,
  fixed32: WIRE_FIXED32,
  bytes: WIRE_LEN,
  packed: WIRE_LEN,
  message: WIRE_LEN,
};

/** Thrown inside the walk; caught once at the top. */
class Malformed extends Error {}

/**
 * Checks `bytes` as a message of `schema`. Returns `undefined` when google-protobuf may decode it, or a
 * reason ("field 1 of _GetBatchRequest: length 4294967290 exceeds the 0 bytes left") to put in the
 * INVALID_ARGUMENT answer. Time is linear in `bytes.length`; it allocates nothing per field.
 */
export function checkMessage(
  bytes: Uint8Array,
  schema: MessageSchema,
  limits: GuardLimits = defaultGuardLimits,
): string | undefined {
  const walker = { bytes, pos: 0, fields: 0, limits };
  try {
    walkMessage(walker, schema, bytes.length, 1);
    return undefined;
  } catch (e) {
    if (e instanceof Malformed) return e.message;
    throw e;
  }
}

interface Walker {
  readonly bytes: Uint8Array;
  pos: number;
  fields: number;
  readonly limits: GuardLimits;
}

/**
 * Reads a varint at `w.pos` (at most 10 bytes, all before `end`) and returns its value as a double
 * (exact below 2^53, which is all a caller compares it with).
 */
function readVarint(w: Walker, end: number, what: string): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (w.pos >= end) throw new Malformed(`${what}: varint runs past the end`);
    const b = w.bytes[w.pos++] as number;
    value += (b & 0x7f) * scale;
    if (b < 0x80) {
      // The tenth byte may only carry bit 63.
      if (i === 9 && b > 1) throw new Malformed(`${what}: varint overflows 64 bits`);
      return value;
    }
    scale *= 128;
  }
  throw new Malformed(`${what}: varint longer than 10 bytes`);
}

function walkMessage(w: Walker, schema: MessageSchema, end: number, depth: number): void {
  if (depth > w.limits.maxDepth) throw new Malformed(`messages nested deeper than ${w.limits.maxDepth}`);
  while (w.pos < end) {
    const tag = readVarint(w, end, `tag in ${schema.name}`);
    const wire = tag % 8;
    const field = Math.floor(tag / 8);
    // google-protobuf reads tags as 32-bit numbers; field numbers are 1 … 2^29 - 1.
    if (field < 1 || field > 0x1fffffff) throw new Malformed(`${schema.name}: invalid field number ${field}`);
    if (++w.fields > w.limits.maxFields) throw new Malformed(`more than ${w.limits.maxFields} fields`);
    const rule = schema.fields.get(field);
    const where = `field ${field} of ${schema.name}`;
    if (rule !== undefined && EXPECTED_WIRE[rule.kind] !== wire) {
      throw new Malformed(`${where}: wire type ${WIRE_NAMES[wire]}, expected ${WIRE_NAMES[EXPECTED_WIRE[rule.kind]]}`);
    }
    switch (wire) {
      case WIRE_VARINT:
        readVarint(w, end, where);
        break;
      case WIRE_FIXED64:
        skip(w, end, 8, where);
        break;
      case WIRE_FIXED32:
        skip(w, end, 4, where);
        break;
      case WIRE_LEN: {
        const length = readVarint(w, end, `${where} length`);
        if (length > end - w.pos) {
          throw new Malformed(`${where}: length ${length} exceeds the ${end - w.pos} bytes left`);
        }
        const fieldEnd = w.pos + length;
        if (rule?.kind === 'message') {
          walkMessage(w, rule.schema, fieldEnd, depth + 1);
        } else if (rule?.kind === 'packed') {
          while (w.pos < fieldEnd) {
            if (++w.fields > w.limits.maxFields) throw new Malformed(`more than ${w.limits.maxFields} fields`);
            readVarint(w, fieldEnd, where);
          }
        } else {
          w.pos = fieldEnd;
        }
        break;
      }
      default:
        // Groups (3, 4) are not used by Momento's proto3 messages; 6 and 7 are not wire types at all.
        throw new Malformed(`${where}: wire type ${WIRE_NAMES[wire]} is not accepted`);
    }
  }
}

function skip(w: Walker, end: number, n: number, where: string): void {
  if (end - w.pos < n) throw new Malformed(`${where}: ${n}-byte value runs past the end`);
  w.pos += n;
}

/** A generated message class of `@gomomento/generated-types` (protoc-gen-ts). */
export interface GeneratedMessageClass {
  readonly name: string;
  deserialize(bytes: Uint8Array): object;
}

const schemas = new Map<GeneratedMessageClass, MessageSchema>();

const SCALAR_READERS: Record<string, FieldRule['kind']> = {
  readBytes: 'bytes',
  readString: 'bytes',
  readBool: 'varint',
  readEnum: 'varint',
  readInt32: 'varint',
  readInt64: 'varint',
  readUint32: 'varint',
  readUint64: 'varint',
  readSint32: 'varint',
  readSint64: 'varint',
  readDouble: 'fixed64',
  readFixed64: 'fixed64',
  readSfixed64: 'fixed64',
  readFloat: 'fixed32',
  readFixed32: 'fixed32',
  readSfixed32: 'fixed32',
  readPackedBool: 'packed',
  readPackedEnum: 'packed',
  readPackedUint32: 'packed',
  readPackedUint64: 'packed',
  readPackedInt32: 'packed',
  readPackedInt64: 'packed',
};

function tagBytes(field: number, wire: number): number[] {
  const out: number[] = [];
  let v = field * 8 + wire;
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/**
 * The schema of a generated message class, derived from its `deserialize` switch: each `case N:` names
 * the reader of field N. A message field's class is found by decoding an empty instance of it
 * (`tag(N), 0`) and looking at what lands in the property. Memoized; recursive types are fine.
 * Throws when a case has a shape this guard does not know (a newer code generator): fail at start-up,
 * not open.
 */
export function schemaOf(cls: GeneratedMessageClass): MessageSchema {
  const known = schemas.get(cls);
  if (known) return known;
  const fields = new Map<number, FieldRule>();
  const schema: MessageSchema = { name: cls.name, fields };
  schemas.set(cls, schema);
  const source = cls.deserialize.toString();
  const body = source.split('switch (reader.getFieldNumber()) {')[1];
  if (body === undefined) {
    // A message without fields has no switch: every field is unknown and skipped.
    if (/reader\.skipField\(\)/.test(source) && !/case \d+:/.test(source)) return schema;
    throw new Error(`protobuf-guard: cannot read the fields of ${cls.name}`);
  }
  for (const m of body.matchAll(/case (\d+):([\s\S]*?)break;/g)) {
    const field = Number(m[1]);
    const statement = m[2] ?? '';
    if (statement.includes('readMessage(')) {
      const prop = /readMessage\(message\.(\w+)/.exec(statement)?.[1];
      if (prop === undefined || statement.includes('Map.deserializeBinary')) {
        throw new Error(`protobuf-guard: unsupported field ${field} of ${cls.name}: ${statement.trim()}`);
      }
      const decoded = cls.deserialize(Uint8Array.from([...tagBytes(field, WIRE_LEN), 0])) as Record<string, unknown>;
      const value = decoded[prop];
      const sample = Array.isArray(value) ? value[0] : value;
      const nested = (sample as { constructor?: unknown } | undefined)?.constructor as
        | GeneratedMessageClass
        | undefined;
      if (nested === undefined || typeof nested.deserialize !== 'function') {
        throw new Error(`protobuf-guard: cannot find the class of field ${field} of ${cls.name}`);
      }
      fields.set(field, { kind: 'message', schema: schemaOf(nested) });
      continue;
    }
    const reader = /reader\.(read\w+)\(\)/.exec(statement)?.[1];
    const kind = reader === undefined ? undefined : SCALAR_READERS[reader];
    if (kind === undefined || kind === 'message') {
      throw new Error(`protobuf-guard: unsupported field ${field} of ${cls.name}: ${statement.trim()}`);
    }
    fields.set(field, { kind } as FieldRule);
  }
  return schema;
}
