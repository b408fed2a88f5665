/**
 * @module scripts
 * The Lua scripts behind every item operation. Each one runs atomically on the shard that owns its slot,
 * reads the bucket's meta key (same hash tag, so same slot) and the item keys in one go, and answers with
 * a small status code instead of raising, so the client never parses error strings for expected outcomes.
 *
 * Item value layout (see key-layout.ts for keys): `gen (8 bytes) | deadline (8-byte big-endian double, ms on
 * the engine's clock) | value bytes`. An item is live when its generation equals the bucket's current one
 * and its deadline lies after `now` (sent by the engine). Every item also carries a Redis PX TTL equal to
 * its TTL, so the server reclaims it at the same moment in real time; the header only makes the
 * engine's clock the judge, which keeps semantics identical to MemoryEngine (and testable with a fake
 * clock) and makes flush O(1): a new generation makes every older item invisible at once.
 *
 * Status codes (integers, never valid payloads of the same call): `-1` the namespace (bucket meta) does not
 * exist; `-2` not an integer; `-3` overflow; `-4` wrong type (a live item of another type is there);
 * `-5` (GET only) a native collection sits at the key, the engine asks {@link TYPE_OF} whether it is live;
 * `-6` a sorted-set increment would give NaN; `-7` a collection would pass the item-size limit.
 *
 * Collections (collection-scripts.ts) live at the same item key as native types with their header in a
 * sibling key (KEYS[3]); scripts that must see every type (delete, TTLs, exists, type, conditional
 * writes) take that key too. GET and SET stay two-key: SET replaces any type, as Redis SET does, and GET
 * learns of a collection only from the WRONGTYPE error it already pays nothing for. Reads use GETRANGE on the 16-byte header when the value itself
 * is not needed, so checking a 5 MB item never copies 5 MB into Lua.
 */

/** Status code: the namespace is missing (no meta key for this bucket). */
export const NS_MISSING = -1;
/** Status code: increment of a value that is not a canonical int64 decimal. */
export const NOT_AN_INTEGER = -2;
/** Status code: increment result outside int64. */
export const OVERFLOW = -3;

/** Status code: a live item of another type is at the key. */
export const WRONG_TYPE = -4;
/** Status code (GET): a native collection is at the key; ask TYPE_OF whether it is live. */
export const RESOLVE_TYPE = -5;
/** Status code: the score would become NaN. */
export const NOT_A_NUMBER = -6;
/** Status code: the collection would pass the item-size limit. */
export const TOO_BIG = -7;

/** Bytes before the value: generation (8) + deadline (8). */
export const HEADER_BYTES = 16;

// Shared by every script. KEYS[1] is the bucket's meta key, ARGV[1] is now in ms (engine clock).
// `live(h)` takes at least the 16-byte header and says whether it belongs to a live item.
export const PRELUDE = `
local gen = redis.call('GET', KEYS[1])
if not gen then return ${NS_MISSING} end
local now = tonumber(ARGV[1])
local function live(h)
  if not h or #h < ${HEADER_BYTES} or string.sub(h, 1, 8) ~= gen then return false end
  return struct.unpack('>d', h, 9) > now
end
local function header(deadline) return gen .. struct.pack('>d', deadline) end
`;

/**
 * get: KEYS meta, item; ARGV now. Returns the raw item (header + value), nil on a miss, RESOLVE_TYPE when a
 * native collection is there (pcall: the WRONGTYPE error is the only cost, and only for collections).
 */
export const GET = `${PRELUDE}
local raw = redis.pcall('GET', KEYS[2])
if type(raw) == 'table' then return ${RESOLVE_TYPE} end
if live(raw) then return raw end
return false
`;

/**
 * The live type at KEYS[2] (header KEYS[3] for native collections): 'string', 'hash', 'list', 'set',
 * 'zset', or 'none' (absent, expired or from an older generation). Shared by the scripts below.
 */
export const TYPE_PRELUDE = `${PRELUDE}
local function state(item, head)
  local t = redis.call('TYPE', item)['ok']
  if t == 'none' then return 'none' end
  if t == 'string' then
    if live(redis.call('GETRANGE', item, 0, ${HEADER_BYTES - 1})) then return 'string' end
    return 'none'
  end
  if live(redis.call('GET', head)) then return t end
  return 'none'
end
`;

/** typeOf: KEYS meta, item, header; ARGV now. Returns the live type (see TYPE_PRELUDE). */
export const TYPE_OF = `${TYPE_PRELUDE}
return state(KEYS[2], KEYS[3])
`;

/** set: KEYS meta, item; ARGV now, ttlMs, value. */
export const SET = `${PRELUDE}
local ttl = tonumber(ARGV[2])
redis.call('SET', KEYS[2], header(now + ttl) .. ARGV[3], 'PX', ttl)
return 1
`;

/**
 * setIf: KEYS meta, item, header; ARGV now, ttlMs, value, condition letter, compared value.
 * Conditions: a absent, p present, e equal, n notEqual, d presentAndNotEqual, o absentOrEqual.
 * Returns 1 stored, 0 not stored, WRONG_TYPE when a live collection would have to be compared.
 */
export const SET_IF = `${PRELUDE}
local cond = ARGV[4]
local present, equal = false, false
local t = redis.call('TYPE', KEYS[2])['ok']
if t == 'string' then
  if cond == 'a' or cond == 'p' then
    present = live(redis.call('GETRANGE', KEYS[2], 0, ${HEADER_BYTES - 1}))
  else
    local raw = redis.call('GET', KEYS[2])
    present = live(raw)
    equal = present and string.sub(raw, ${HEADER_BYTES + 1}) == ARGV[5]
  end
elseif t ~= 'none' and live(redis.call('GET', KEYS[3])) then
  if cond ~= 'a' and cond ~= 'p' then return ${WRONG_TYPE} end
  present = true
end
local ok
if cond == 'a' then ok = not present
elseif cond == 'p' then ok = present
elseif cond == 'e' then ok = equal
elseif cond == 'n' then ok = not equal
elseif cond == 'd' then ok = present and not equal
elseif cond == 'o' then ok = not present or equal
else return redis.error_reply('unknown condition ' .. cond) end
if not ok then return 0 end
local ttl = tonumber(ARGV[2])
redis.call('SET', KEYS[2], header(now + ttl) .. ARGV[3], 'PX', ttl)
return 1
`;

/** delete: KEYS meta, item, header; ARGV now (unused, keeps the prelude uniform). */
export const DELETE = `${PRELUDE}
redis.call('DEL', KEYS[2], KEYS[3])
return 1
`;

/**
 * setIfHash: KEYS meta, item, header; ARGV now, ttlMs, value, condition letter, hash compared (the
 * value's SHA-1 as hex text, exactly what redis.sha1hex returns).
 * Conditions: u unconditional, e presentAndHashEqual, n presentAndHashNotEqual, o absentOrHashEqual,
 * x absentOrHashNotEqual. Returns 1 stored, 0 not stored, WRONG_TYPE for a live collection.
 */
export const SET_IF_HASH = `${PRELUDE}
local cond = ARGV[4]
local present, equal = false, false
local t = redis.call('TYPE', KEYS[2])['ok']
if t == 'string' then
  if cond ~= 'u' then
    local raw = redis.call('GET', KEYS[2])
    present = live(raw)
    equal = present and redis.sha1hex(string.sub(raw, ${HEADER_BYTES + 1})) == ARGV[5]
  end
elseif t ~= 'none' and cond ~= 'u' and live(redis.call('GET', KEYS[3])) then
  return ${WRONG_TYPE}
end
local ok
if cond == 'u' then ok = true
elseif cond == 'e' then ok = equal
elseif cond == 'n' then ok = present and not equal
elseif cond == 'o' then ok = not present or equal
elseif cond == 'x' then ok = not equal
else return redis.error_reply('unknown condition ' .. cond) end
if not ok then return 0 end
local ttl = tonumber(ARGV[2])
redis.call('SET', KEYS[2], header(now + ttl) .. ARGV[3], 'PX', ttl)
return 1
`;

/**
 * increment: KEYS meta, item, header; ARGV now, ttlMs, amount (canonical decimal), 'k' to keep a live item's
 * deadline (ttlMs is then the new item's TTL). Returns the result as decimal text, or NOT_AN_INTEGER / OVERFLOW.
 *
 * Lua 5.1 numbers are doubles (exact to 2^53 only), so int64 arithmetic is done on two limbs of at most
 * 10 and 9 decimal digits: v = hi * 1e9 + lo with hi and lo of the same sign. Parsing is as strict as
 * Redis's string2ll (what INCRBY accepts): optional '-', no '+', no leading zeros, no "-0", in range.
 */
export const INCREMENT = `${PRELUDE}
local function parse(s)
  local neg = string.sub(s, 1, 1) == '-'
  local d = neg and string.sub(s, 2) or s
  local n = #d
  if n == 0 or n > 19 or string.find(d, '[^0-9]') then return nil end
  if n > 1 and string.sub(d, 1, 1) == '0' then return nil end
  if neg and d == '0' then return nil end
  local hi, lo = 0, tonumber(d)
  if n > 9 then hi = tonumber(string.sub(d, 1, n - 9)); lo = tonumber(string.sub(d, n - 8)) end
  if hi > 9223372036 or (hi == 9223372036 and lo > (neg and 854775808 or 854775807)) then return nil end
  if neg then return -hi, -lo end
  return hi, lo
end
local raw = false
local t = redis.call('TYPE', KEYS[2])['ok']
if t == 'string' then raw = redis.call('GET', KEYS[2])
elseif t ~= 'none' and live(redis.call('GET', KEYS[3])) then return ${WRONG_TYPE} end
local h1, l1 = 0, 0
if live(raw) then
  h1, l1 = parse(string.sub(raw, ${HEADER_BYTES + 1}))
  if not h1 then return ${NOT_AN_INTEGER} end
end
local h2, l2 = parse(ARGV[3])
if not h2 then return redis.error_reply('amount is not an int64: ' .. ARGV[3]) end
local h, l = h1 + h2, l1 + l2
if l >= 1e9 then l = l - 1e9; h = h + 1 elseif l <= -1e9 then l = l + 1e9; h = h - 1 end
if h > 0 and l < 0 then h = h - 1; l = l + 1e9 elseif h < 0 and l > 0 then h = h + 1; l = l - 1e9 end
if h > 9223372036 or (h == 9223372036 and l > 854775807) then return ${OVERFLOW} end
if h < -9223372036 or (h == -9223372036 and l < -854775808) then return ${OVERFLOW} end
local text
if h == 0 then
  if l == 0 then text = '0' else text = string.format('%.0f', l) end
else
  text = (h < 0 and '-' or '') .. string.format('%.0f%09.0f', math.abs(h), math.abs(l))
end
local ttl = tonumber(ARGV[2])
local deadline = now + ttl
if ARGV[4] == 'k' and live(raw) then
  deadline = struct.unpack('>d', raw, 9)
  ttl = math.ceil(deadline - now)
end
redis.call('SET', KEYS[2], header(deadline) .. text, 'PX', ttl)
return text
`;

/**
 * setReturning (Redis SET … [NX|XX] [GET] [KEEPTTL]): KEYS meta, item, header; ARGV now, ttlMs, value,
 * condition (u always, a absent, p present), 'g' to return the previous scalar, 'k' to keep a live item's
 * deadline (ttlMs is then the new item's TTL). Returns {1 stored | 0 not, previous raw item or false}, or
 * WRONG_TYPE (with 'g', a live collection is there: nothing stored). A collection replaced by the write
 * loses its header key too.
 */
export const SET_RETURNING = `${PRELUDE}
local cond, wantPrevious, keep = ARGV[4], ARGV[5] == 'g', ARGV[6] == 'k'
local present, previous, deadline, collection = false, false, nil, false
local t = redis.call('TYPE', KEYS[2])['ok']
if t == 'string' then
  local h = wantPrevious and redis.call('GET', KEYS[2]) or redis.call('GETRANGE', KEYS[2], 0, ${HEADER_BYTES - 1})
  if live(h) then
    present = true
    deadline = struct.unpack('>d', h, 9)
    if wantPrevious then previous = h end
  end
elseif t ~= 'none' then
  local h = redis.call('GET', KEYS[3])
  if live(h) then
    if wantPrevious then return ${WRONG_TYPE} end
    present = true
    deadline = struct.unpack('>d', h, 9)
  end
  collection = true
end
if (cond == 'a' and present) or (cond == 'p' and not present) then return {0, previous} end
local ttl = tonumber(ARGV[2])
local at = now + ttl
if keep and deadline then
  at = deadline
  ttl = math.ceil(deadline - now)
end
if collection then redis.call('DEL', KEYS[2], KEYS[3]) end
redis.call('SET', KEYS[2], header(at) .. ARGV[3], 'PX', ttl)
return {1, previous}
`;

/**
 * getAndExpire (Redis GETDEL, GETEX): KEYS meta, item, header; ARGV now, ttlMs or 'd' to delete. Returns the
 * raw item (header + value) and, in the same step, deletes it or sets its deadline; false on a miss;
 * WRONG_TYPE when a live collection is there (unchanged).
 */
export const GET_AND_EXPIRE = `${PRELUDE}
local t = redis.call('TYPE', KEYS[2])['ok']
if t == 'string' then
  local raw = redis.call('GET', KEYS[2])
  if not live(raw) then return false end
  if ARGV[2] == 'd' then
    redis.call('DEL', KEYS[2])
  else
    local ttl = tonumber(ARGV[2])
    redis.call('SETRANGE', KEYS[2], 8, struct.pack('>d', now + ttl))
    redis.call('PEXPIRE', KEYS[2], ttl)
  end
  return raw
elseif t ~= 'none' and live(redis.call('GET', KEYS[3])) then
  return ${WRONG_TYPE}
end
return false
`;

// The 16-byte header of any item: inside a scalar's value, in the header key of a native collection.
const HEADER_OF = `
local itemType = redis.call('TYPE', KEYS[2])['ok']
local h = false
if itemType == 'string' then h = redis.call('GETRANGE', KEYS[2], 0, ${HEADER_BYTES - 1})
elseif itemType ~= 'none' then h = redis.call('GET', KEYS[3]) end
`;

/** itemGetTtl: KEYS meta, item, header; ARGV now. Returns remaining ms (≥ 1), nil on a miss. */
export const GET_TTL = `${PRELUDE}${HEADER_OF}
if not live(h) then return false end
return struct.unpack('>d', h, 9) - now
`;

/**
 * updateTtl: KEYS meta, item, header; ARGV now, kind (o overwrite, i increaseTo, d decreaseTo), ttlMs.
 * Returns 1 set, 2 notSet, 0 missing. SETRANGE rewrites only the deadline and keeps the value in place.
 */
export const UPDATE_TTL = `${PRELUDE}${HEADER_OF}
if not live(h) then return 0 end
local ttl = tonumber(ARGV[3])
local remaining = struct.unpack('>d', h, 9) - now
local kind = ARGV[2]
if (kind == 'i' and not (ttl > remaining)) or (kind == 'd' and not (ttl < remaining)) then return 2 end
if itemType == 'string' then
  redis.call('SETRANGE', KEYS[2], 8, struct.pack('>d', now + ttl))
else
  redis.call('SETRANGE', KEYS[3], 8, struct.pack('>d', now + ttl))
  redis.call('PEXPIRE', KEYS[3], ttl)
end
redis.call('PEXPIRE', KEYS[2], ttl)
return 1
`;

/**
 * keysExist: KEYS meta, then item and header of each key; ARGV now. Returns an array of 1/0 in key order.
 */
export const EXIST = `${TYPE_PRELUDE}
local out = {}
for i = 2, #KEYS, 2 do
  out[#out + 1] = state(KEYS[i], KEYS[i + 1]) ~= 'none' and 1 or 0
end
return out
`;
