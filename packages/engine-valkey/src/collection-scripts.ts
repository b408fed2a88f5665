/**
 * @module collection-scripts
 * Lua scripts for dictionaries (native hashes), lists, sets and sorted sets (zsets). Every script takes
 * KEYS meta, item, header and ARGV[1] = now, and runs atomically on the shard owning the bucket's slot.
 *
 * A collection is the native value at the item key plus a header key holding `gen (8) | deadline (8)`,
 * the same header scalars carry inside their value (scripts.ts). It is live when the header's generation
 * is the bucket's current one and its deadline lies after `now`; both keys carry the same PX TTL so the
 * server reclaims them together. A write that finds a dead native value (flushed or expired) deletes it
 * first, so an old generation never leaks into a new collection. Redis deletes a native value when it
 * becomes empty; the scripts then drop the header too, so an emptied collection is gone.
 *
 * Replies: `false` (nil) for a missing collection on reads, status codes from scripts.ts (`-1` namespace
 * missing, `-4` wrong type, `-2`/`-3`/`-6` arithmetic, `-7` too big) as integers, otherwise the command's
 * own reply.
 *
 * Size: the header also keeps the collection's data size (bytes 17–24, a double): fields plus values,
 * elements, members plus 8 bytes per score, the total the item-size limit counts (with the name). Every
 * write works out exactly what it adds or removes before changing anything (O(1) per element it names,
 * O(k) for the k elements a truncation or retain drops) and answers TOO_BIG, changing nothing, when the
 * name plus the new size would pass the limit.
 * Variable-length arguments go to Redis in chunks of 1 000 (Lua's `unpack` stack limit is ~8 000).
 */

import { NOT_A_NUMBER, NOT_AN_INTEGER, NS_MISSING, OVERFLOW, TOO_BIG, TYPE_PRELUDE, WRONG_TYPE } from './scripts.ts';

/**
 * Placeholder for the item-size limit in the script texts, replaced when the engine registers them
 * (`withItemLimit`): a number of bytes, or `math.huge` for none.
 */
export const MAX_ITEM_BYTES_PLACEHOLDER = '__MAX_ITEM_BYTES__';

/** `lua` with the item-size limit filled in. */
export function withItemLimit(lua: string, maxItemBytes: number): string {
  return lua.replaceAll(
    MAX_ITEM_BYTES_PLACEHOLDER,
    Number.isFinite(maxItemBytes) ? String(Math.floor(maxItemBytes)) : 'math.huge',
  );
}

const COLLECTION_PRELUDE = `${TYPE_PRELUDE}
local MAX_ITEM = ${MAX_ITEM_BYTES_PLACEHOLDER}
-- The live collection's data size from its header (0 for a header written before sizes were kept).
local function sizeOf()
  local h = redis.call('GET', KEYS[3])
  if h and #h >= 24 then return struct.unpack('>d', h, 17) end
  return 0
end
-- Whether the name (item key minus the bucket prefix, as long as the meta key) plus s bytes fit the limit.
local function fits(s) return #KEYS[2] - #KEYS[1] + s <= MAX_ITEM end
-- 1 live collection of type want, 0 absent, or WRONG_TYPE.
local function readable(want)
  local t = state(KEYS[2], KEYS[3])
  if t == want then return 1 end
  if t == 'none' then return 0 end
  return ${WRONG_TYPE}
end
-- Like readable, but clears a dead native value first so a write starts from nothing.
local function writable(want)
  local t = state(KEYS[2], KEYS[3])
  if t == want then return 1 end
  if t == 'none' then
    redis.call('DEL', KEYS[2])
    return 0
  end
  return ${WRONG_TYPE}
end
-- After a write: an emptied collection loses its header; a new one, or a refreshing write, gets the TTL;
-- the header keeps the new size either way.
local function finish(existed, ttl, refresh, size)
  if redis.call('EXISTS', KEYS[2]) == 0 then
    redis.call('DEL', KEYS[3])
    return
  end
  if existed == 0 or refresh == '1' then
    redis.call('SET', KEYS[3], header(now + ttl) .. struct.pack('>d', size), 'PX', ttl)
    redis.call('PEXPIRE', KEYS[2], ttl)
  else
    redis.call('SETRANGE', KEYS[3], 16, struct.pack('>d', size))
  end
end
-- After a removal: an emptied collection loses its header, another keeps its new size.
local function tidy(size)
  if redis.call('EXISTS', KEYS[2]) == 0 then
    redis.call('DEL', KEYS[3])
  else
    redis.call('SETRANGE', KEYS[3], 16, struct.pack('>d', size))
  end
end
-- cmd item ARGV[from..] in chunks of 1000 (even, so field/value and score/member pairs stay whole).
local function chunked(cmd, from)
  local i = from
  while i <= #ARGV do
    local last = math.min(i + 999, #ARGV)
    redis.call(cmd, KEYS[2], unpack(ARGV, i, last))
    i = last + 1
  end
end
-- Like chunked, concatenating the replies.
local function gather(cmd, from)
  local out = {}
  local i = from
  while i <= #ARGV do
    local last = math.min(i + 999, #ARGV)
    local r = redis.call(cmd, KEYS[2], unpack(ARGV, i, last))
    for j = 1, #r do out[#out + 1] = r[j] end
    i = last + 1
  end
  return out
end
-- A Python-style slice [a, b) of n elements; '' is unbounded.
local function slice(n, a, b)
  local function clamp(i)
    if i < 0 then return math.max(0, n + i) end
    return math.min(n, i)
  end
  local s, e = 0, n
  if a ~= '' then s = clamp(tonumber(a)) end
  if b ~= '' then e = clamp(tonumber(b)) end
  if e < s then e = s end
  return s, e
end
`;

/** Reads: `ok` is readable(type); a miss answers nil, a wrong type its code. */
function read(type: string, body: string): string {
  return `${COLLECTION_PRELUDE}
local ok = readable('${type}')
if ok == 0 then return false end
if ok ~= 1 then return ok end
${body}`;
}

/** Removals: a miss does nothing (answers nil). */
function remove(type: string, body: string): string {
  return `${COLLECTION_PRELUDE}
local ok = readable('${type}')
if ok == 0 then return false end
if ok ~= 1 then return ok end
${body}`;
}

/** Writes: ARGV now, ttl, refresh ('1'/'0'), …; `ex` is 1 when the collection existed, `size` its size. */
function write(type: string, body: string): string {
  return `${COLLECTION_PRELUDE}
local ex = writable('${type}')
if ex ~= 0 and ex ~= 1 then return ex end
local ttl, refresh = tonumber(ARGV[2]), ARGV[3]
local size = 0
if ex == 1 then size = sizeOf() end
${body}`;
}

// ---- dictionaries (hash) --------------------------------------------------------------------------

/** ARGV now, ttl, refresh, field, value, field, value… */
export const DICTIONARY_SET = write(
  'hash',
  `local seen = {}
for i = 4, #ARGV, 2 do
  local f, v = ARGV[i], ARGV[i + 1]
  local prev = seen[f]
  if prev == nil and ex == 1 and redis.call('HEXISTS', KEYS[2], f) == 1 then prev = redis.call('HSTRLEN', KEYS[2], f) end
  if prev == nil then size = size + #f + #v else size = size + #v - prev end
  seen[f] = #v
end
if not fits(size) then return ${TOO_BIG} end
chunked('HSET', 4)
finish(ex, ttl, refresh, size)
return 1`,
);
/** ARGV now, field… → values (nil per absent field). */
export const DICTIONARY_GET = read('hash', `return gather('HMGET', 2)`);
/** ARGV now → field, value, … */
export const DICTIONARY_FETCH = read('hash', `return redis.call('HGETALL', KEYS[2])`);
/** ARGV now → number of fields. */
export const DICTIONARY_LENGTH = read('hash', `return redis.call('HLEN', KEYS[2])`);
/** ARGV now, 'a' (all) or 's' (some), field… */
export const DICTIONARY_DELETE = remove(
  'hash',
  `if ARGV[2] == 'a' then redis.call('DEL', KEYS[2], KEYS[3]) return 1 end
local size, seen = sizeOf(), {}
for i = 3, #ARGV do
  local f = ARGV[i]
  if not seen[f] and redis.call('HEXISTS', KEYS[2], f) == 1 then size = size - #f - redis.call('HSTRLEN', KEYS[2], f) end
  seen[f] = true
end
chunked('HDEL', 3)
tidy(size)
return 1`,
);
/**
 * ARGV now, ttl, refresh, field, amount → the new value as decimal text. HINCRBY parses as strictly as
 * the scalar increment (Redis's string2ll); its result is read back with HGET because Lua numbers are
 * doubles and would round values beyond 2^53.
 */
export const DICTIONARY_INCREMENT = write(
  'hash',
  `local old = redis.call('HGET', KEYS[2], ARGV[4])
local r = redis.pcall('HINCRBY', KEYS[2], ARGV[4], ARGV[5])
if type(r) == 'table' then
  if string.find(r.err, 'overflow') then return ${OVERFLOW} end
  return ${NOT_AN_INTEGER}
end
local new = redis.call('HGET', KEYS[2], ARGV[4])
if old then size = size + #new - #old else size = size + #ARGV[4] + #new end
if not fits(size) then
  -- Undone in the same script: nobody saw the new value (a new dictionary goes with its only field).
  if old then redis.call('HSET', KEYS[2], ARGV[4], old) else redis.call('HDEL', KEYS[2], ARGV[4]) end
  return ${TOO_BIG}
end
finish(ex, ttl, refresh, size)
return new`,
);

// ---- lists ----------------------------------------------------------------------------------------

/**
 * ARGV now, ttl, refresh, end ('f'/'b'), truncate size ('' for none), value… → new length. Values keep
 * their order at either end (LPUSH inserts one at a time, so the front pushes them in reverse).
 */
export const LIST_PUSH = write(
  'list',
  `local n0, k, drop = redis.call('LLEN', KEYS[2]), #ARGV - 5, 0
for i = 6, #ARGV do size = size + #ARGV[i] end
if ARGV[5] ~= '' then drop = n0 + k - tonumber(ARGV[5]) end
if drop > 0 then
  -- Truncation drops from the other end: existing elements first, then pushed ones.
  local old = math.min(drop, n0)
  if old > 0 then
    local gone
    if ARGV[4] == 'b' then gone = redis.call('LRANGE', KEYS[2], 0, old - 1)
    else gone = redis.call('LRANGE', KEYS[2], -old, -1) end
    for j = 1, #gone do size = size - #gone[j] end
  end
  for j = 1, drop - old do
    if ARGV[4] == 'b' then size = size - #ARGV[5 + j] else size = size - #ARGV[#ARGV + 1 - j] end
  end
end
if not fits(size) then return ${TOO_BIG} end
if ARGV[4] == 'b' then
  chunked('RPUSH', 6)
else
  local i = #ARGV
  while i >= 6 do
    local first = math.max(6, i - 999)
    local chunk = {}
    for j = i, first, -1 do chunk[#chunk + 1] = ARGV[j] end
    redis.call('LPUSH', KEYS[2], unpack(chunk))
    i = first - 1
  end
end
if ARGV[5] ~= '' then
  local n = tonumber(ARGV[5])
  if n == 0 then redis.call('DEL', KEYS[2])
  elseif ARGV[4] == 'b' then redis.call('LTRIM', KEYS[2], -n, -1)
  else redis.call('LTRIM', KEYS[2], 0, n - 1) end
end
finish(ex, ttl, refresh, size)
return redis.call('LLEN', KEYS[2])`,
);
/** ARGV now, end ('f'/'b') → { popped element, length left }. */
export const LIST_POP = read(
  'list',
  `local v, size = nil, sizeOf()
if ARGV[2] == 'f' then v = redis.call('LPOP', KEYS[2]) else v = redis.call('RPOP', KEYS[2]) end
tidy(size - #v)
return { v, redis.call('LLEN', KEYS[2]) }`,
);
/** ARGV now, start, end ('' unbounded) → elements. */
export const LIST_FETCH = read(
  'list',
  `local s, e = slice(redis.call('LLEN', KEYS[2]), ARGV[2], ARGV[3])
if s >= e then return {} end
return redis.call('LRANGE', KEYS[2], s, e - 1)`,
);
/** ARGV now → length. */
export const LIST_LENGTH = read('list', `return redis.call('LLEN', KEYS[2])`);
/** ARGV now, value → length left. */
export const LIST_REMOVE = remove(
  'list',
  `local size = sizeOf() - redis.call('LREM', KEYS[2], tonumber(ARGV[3] or '0'), ARGV[2]) * #ARGV[2]
tidy(size)
return redis.call('LLEN', KEYS[2])`,
);
/** ARGV now, ttl, refresh, start, end → length left. A missing list stays missing (nil). */
export const LIST_RETAIN = `${COLLECTION_PRELUDE}
local ok = readable('list')
if ok == 0 then return false end
if ok ~= 1 then return ok end
local n = redis.call('LLEN', KEYS[2])
local s, e = slice(n, ARGV[4], ARGV[5])
local size = 0
if s < e then
  size = sizeOf()
  local gone = {}
  if s > 0 then gone = redis.call('LRANGE', KEYS[2], 0, s - 1) end
  for j = 1, #gone do size = size - #gone[j] end
  gone = {}
  if e < n then gone = redis.call('LRANGE', KEYS[2], e, -1) end
  for j = 1, #gone do size = size - #gone[j] end
  redis.call('LTRIM', KEYS[2], s, e - 1)
else
  redis.call('DEL', KEYS[2])
end
finish(1, tonumber(ARGV[2]), ARGV[3], size)
return redis.call('LLEN', KEYS[2])`;
/**
 * ARGV now, 'a' (all) or 's', start, count, start, count… (positions before any removal). Rebuilds the
 * list (O(n), like Momento's erase of arbitrary ranges) keeping its PTTL.
 */
export const LIST_ERASE = remove(
  'list',
  `if ARGV[2] == 'a' then redis.call('DEL', KEYS[2], KEYS[3]) return 0 end
local all = redis.call('LRANGE', KEYS[2], 0, -1)
local drop = {}
for j = 3, #ARGV - 1, 2 do
  local s = tonumber(ARGV[j])
  for x = s, math.min(s + tonumber(ARGV[j + 1]), #all) - 1 do drop[x] = true end
end
local kept, size = {}, 0
for x = 1, #all do
  if not drop[x - 1] then
    kept[#kept + 1] = all[x]
    size = size + #all[x]
  end
end
if #kept == #all then return #all end
local pttl = redis.call('PTTL', KEYS[2])
redis.call('DEL', KEYS[2])
for j = 1, #kept, 1000 do redis.call('RPUSH', KEYS[2], unpack(kept, j, math.min(j + 999, #kept))) end
if #kept > 0 and pttl > 0 then redis.call('PEXPIRE', KEYS[2], pttl) end
tidy(size)
return #kept`,
);

// ---- sets -----------------------------------------------------------------------------------------

/** ARGV now, ttl, refresh, element… */
export const SET_ADD = write(
  'set',
  `local seen = {}
for i = 4, #ARGV do
  local m = ARGV[i]
  if not seen[m] and (ex == 0 or redis.call('SISMEMBER', KEYS[2], m) == 0) then size = size + #m end
  seen[m] = true
end
if not fits(size) then return ${TOO_BIG} end
chunked('SADD', 4)
finish(ex, ttl, refresh, size)
return 1`,
);
/** ARGV now, 'a' (all) or 's', element… */
export const SET_REMOVE = remove(
  'set',
  `if ARGV[2] == 'a' then redis.call('DEL', KEYS[2], KEYS[3]) return 1 end
local size, seen = sizeOf(), {}
for i = 3, #ARGV do
  local m = ARGV[i]
  if not seen[m] and redis.call('SISMEMBER', KEYS[2], m) == 1 then size = size - #m end
  seen[m] = true
end
chunked('SREM', 3)
tidy(size)
return 1`,
);
/** ARGV now → elements. */
export const SET_FETCH = read('set', `return redis.call('SMEMBERS', KEYS[2])`);
/** ARGV now, element… → 1/0 each. */
export const SET_CONTAINS = read('set', `return gather('SMISMEMBER', 2)`);
/** ARGV now → cardinality. */
export const SET_LENGTH = read('set', `return redis.call('SCARD', KEYS[2])`);
/** ARGV now, limit → up to limit distinct elements. */
export const SET_SAMPLE = read('set', `return redis.call('SRANDMEMBER', KEYS[2], ARGV[2])`);
/** ARGV now, count → popped elements. */
export const SET_POP = read(
  'set',
  `local size = sizeOf()
local r = redis.call('SPOP', KEYS[2], ARGV[2])
for j = 1, #r do size = size - #r[j] end
tidy(size)
return r`,
);

// ---- sorted sets (zset) ---------------------------------------------------------------------------

/** ARGV now, ttl, refresh, score, member, score, member… (scores in Redis syntax). */
/**
 * A sorted-set upsert (ARGV now, ttl…, then score, member pairs from 5). `sizeLimited`: refuse with TOO_BIG
 * when the collection's total would pass the item-size limit; leaderboards pass false, since memory, not the
 * item-size limit, bounds them (a million 16-byte elements is an ordinary leaderboard).
 */
function sortedSetPut(sizeLimited: boolean): string {
  return write(
    'zset',
    `local seen = {}
for i = 5, #ARGV, 2 do
  local m = ARGV[i]
  if not seen[m] and (ex == 0 or not redis.call('ZSCORE', KEYS[2], m)) then size = size + #m + 8 end
  seen[m] = true
end
${
  sizeLimited
    ? `if not fits(size) then return ${TOO_BIG} end
`
    : ''
}chunked('ZADD', 4)
finish(ex, ttl, refresh, size)
return 1`,
  );
}
export const SORTED_SET_PUT = sortedSetPut(true);
/** {@link SORTED_SET_PUT} without the item-size check, for leaderboards. */
export const LEADERBOARD_PUT = sortedSetPut(false);
/** ARGV now, start, end ('' unbounded), order ('a'/'d') → member, score, … */
export const SORTED_SET_BY_RANK = read(
  'zset',
  `local s, e = slice(redis.call('ZCARD', KEYS[2]), ARGV[2], ARGV[3])
if s >= e then return {} end
if ARGV[4] == 'd' then return redis.call('ZRANGE', KEYS[2], s, e - 1, 'REV', 'WITHSCORES') end
return redis.call('ZRANGE', KEYS[2], s, e - 1, 'WITHSCORES')`,
);
/** ARGV now, min, max (Redis syntax: '-inf', '(2', '3'), order ('a'/'d'), offset, count (-1 all). */
export const SORTED_SET_BY_SCORE = read(
  'zset',
  `if ARGV[4] == 'd' then
  return redis.call('ZRANGE', KEYS[2], ARGV[3], ARGV[2], 'BYSCORE', 'REV', 'LIMIT', ARGV[5], ARGV[6], 'WITHSCORES')
end
return redis.call('ZRANGE', KEYS[2], ARGV[2], ARGV[3], 'BYSCORE', 'LIMIT', ARGV[5], ARGV[6], 'WITHSCORES')`,
);
/** ARGV now, member… → scores (nil for non-members). */
export const SORTED_SET_SCORES = read('zset', `return gather('ZMSCORE', 2)`);
/** ARGV now, member, order ('a'/'d') → rank or nil. */
export const SORTED_SET_RANK = read(
  'zset',
  `if ARGV[3] == 'd' then return redis.call('ZREVRANK', KEYS[2], ARGV[2]) end
return redis.call('ZRANK', KEYS[2], ARGV[2])`,
);
/** ARGV now, ttl, refresh, member, amount → new score (text). NaN answers NOT_A_NUMBER and changes nothing. */
export const SORTED_SET_INCREMENT = write(
  'zset',
  `local grown = size
if ex == 0 or not redis.call('ZSCORE', KEYS[2], ARGV[4]) then grown = size + #ARGV[4] + 8 end
if not fits(grown) then return ${TOO_BIG} end
local r = redis.pcall('ZINCRBY', KEYS[2], ARGV[5], ARGV[4])
if type(r) == 'table' then
  finish(ex, ttl, '0', size)
  return ${NOT_A_NUMBER}
end
finish(ex, ttl, refresh, grown)
return r`,
);
/** ARGV now, 'a' (all) or 's', member… */
export const SORTED_SET_REMOVE = remove(
  'zset',
  `if ARGV[2] == 'a' then redis.call('DEL', KEYS[2], KEYS[3]) return 1 end
local size, seen = sizeOf(), {}
for i = 3, #ARGV do
  local m = ARGV[i]
  if not seen[m] and redis.call('ZSCORE', KEYS[2], m) then size = size - #m - 8 end
  seen[m] = true
end
chunked('ZREM', 3)
tidy(size)
return 1`,
);
/** ARGV now → cardinality. */
export const SORTED_SET_LENGTH = read('zset', `return redis.call('ZCARD', KEYS[2])`);
/** ARGV now, min, max (Redis syntax) → count. */
export const SORTED_SET_COUNT = read('zset', `return redis.call('ZCOUNT', KEYS[2], ARGV[2], ARGV[3])`);
/**
 * sortedSetUnionStore, in one atomic step. KEYS: the destination's meta, item, header. ARGV: now, ttl,
 * aggregate ('sum'/'min'/'max'), n, then meta, item, header and weight of each of the n sources on this
 * node, then score/member pairs already combined from sources on other nodes (read before this script;
 * none on a single node, or when every source shares the destination's node). The sources' keys are
 * arguments, not KEYS: on a cluster they sit in other buckets, hence other slots, and Valkey routes a
 * script by its declared keys, which must share one slot; `allow-cross-slot-keys` then lets the script
 * touch keys of other slots that this node serves.
 *
 * Every source is checked before anything changes (a live item of another type answers WRONG_TYPE); a
 * source that is absent, expired or from an older generation counts as empty. The union replaces whatever
 * the destination held (it may be one of the sources: it is read before it is replaced). Scores follow
 * Redis ZUNIONSTORE: a weighted NaN (0 × inf) and a NaN sum (+inf + -inf) become 0. Returns the count.
 */
export const SORTED_SET_UNION_STORE = `#!lua flags=allow-cross-slot-keys
${COLLECTION_PRELUDE}
local ttl, agg, n = tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
local function num(t)
  if t == 'inf' or t == '+inf' then return math.huge end
  if t == '-inf' then return -math.huge end
  return tonumber(t)
end
local function liveIn(g, h)
  if not h or #h < 16 or string.sub(h, 1, 8) ~= g then return false end
  return struct.unpack('>d', h, 9) > now
end
-- Source i: ARGV[4i+1] meta, ARGV[4i+2] item, ARGV[4i+3] header, ARGV[4i+4] weight.
local alive = {}
for i = 1, n do
  local g = redis.call('GET', ARGV[4 * i + 1])
  if not g then return ${NS_MISSING} end
  local item = ARGV[4 * i + 2]
  local t = redis.call('TYPE', item)['ok']
  alive[i] = false
  if t == 'string' then
    if liveIn(g, redis.call('GETRANGE', item, 0, 15)) then return ${WRONG_TYPE} end
  elseif t ~= 'none' and liveIn(g, redis.call('GET', ARGV[4 * i + 3])) then
    if t ~= 'zset' then return ${WRONG_TYPE} end
    alive[i] = true
  end
end
local union, members = {}, {}
local function add(m, s)
  if s ~= s then s = 0 end
  local prev = union[m]
  if prev == nil then
    members[#members + 1] = m
  elseif agg == 'sum' then
    s = prev + s
  elseif agg == 'min' then
    s = math.min(prev, s)
  else
    s = math.max(prev, s)
  end
  if s ~= s then s = 0 end
  union[m] = s
end
for i = 1, n do
  if alive[i] then
    local w = num(ARGV[4 * i + 4])
    local r = redis.call('ZRANGE', ARGV[4 * i + 2], 0, -1, 'WITHSCORES')
    for j = 1, #r, 2 do add(r[j], num(r[j + 1]) * w) end
  end
end
for j = 4 * n + 5, #ARGV, 2 do add(ARGV[j + 1], num(ARGV[j])) end
local size = 0
for j = 1, #members do size = size + #members[j] + 8 end
if not fits(size) then return ${TOO_BIG} end
redis.call('DEL', KEYS[2], KEYS[3])
if #members == 0 then return 0 end
local batch = {}
for j = 1, #members do
  local m = members[j]
  -- %.17g round-trips every double; Lua prints infinities as inf/-inf, which ZADD reads.
  batch[#batch + 1] = string.format('%.17g', union[m])
  batch[#batch + 1] = m
  if #batch >= 1000 or j == #members then
    redis.call('ZADD', KEYS[2], unpack(batch))
    batch = {}
  end
end
redis.call('SET', KEYS[3], header(now + ttl) .. struct.pack('>d', size), 'PX', ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
return #members`;

// ---- leaderboards (zset at the leaderboard key, member = 8-byte big-endian id) --------------------
// Upsert, remove and delete reuse SORTED_SET_PUT and SORTED_SET_REMOVE; length reuses SORTED_SET_LENGTH.

/**
 * ARGV now, order ('a'/'d'), skip min, skip max, limit min, limit max, offset, count → { first rank,
 * member, score, … }. The range's first rank is `ZCOUNT skip` (0 when skip min is ''), its end `ZCOUNT
 * limit` (the cardinality when ''), both O(log n), so the offset is a jump by rank, not a walk, and the
 * slice is one ZRANGE by index.
 */
export const LEADERBOARD_BY_SCORE = read(
  'zset',
  `local skip = 0
if ARGV[3] ~= '' then skip = redis.call('ZCOUNT', KEYS[2], ARGV[3], ARGV[4]) end
local lim
if ARGV[5] ~= '' then lim = redis.call('ZCOUNT', KEYS[2], ARGV[5], ARGV[6]) else lim = redis.call('ZCARD', KEYS[2]) end
local s = skip + tonumber(ARGV[7])
local e = math.min(lim, s + tonumber(ARGV[8]))
if s >= e then return { s } end
local r
if ARGV[2] == 'd' then r = redis.call('ZRANGE', KEYS[2], s, e - 1, 'REV', 'WITHSCORES')
else r = redis.call('ZRANGE', KEYS[2], s, e - 1, 'WITHSCORES') end
table.insert(r, 1, s)
return r`,
);

/**
 * ARGV now, kind ('o' ordinal, 'c' competition), order ('a'/'d'), member… → rank, score per member (nil,
 * nil when absent). Competition rank: how many score strictly lower (ascending) or higher (descending);
 * ZSCORE answers the exact double (%.17g), so '(' .. score is the exact exclusive bound.
 */
export const LEADERBOARD_RANKS = read(
  'zset',
  `local out = {}
for i = 4, #ARGV do
  local sc = redis.call('ZSCORE', KEYS[2], ARGV[i])
  if sc then
    local r
    if ARGV[2] == 'c' then
      if ARGV[3] == 'd' then r = redis.call('ZCOUNT', KEYS[2], '(' .. sc, '+inf')
      else r = redis.call('ZCOUNT', KEYS[2], '-inf', '(' .. sc) end
    elseif ARGV[3] == 'd' then r = redis.call('ZREVRANK', KEYS[2], ARGV[i])
    else r = redis.call('ZRANK', KEYS[2], ARGV[i]) end
    out[#out + 1] = r
    out[#out + 1] = sc
  else
    out[#out + 1] = false
    out[#out + 1] = false
  end
end
return out`,
);
