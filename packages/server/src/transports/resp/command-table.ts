/**
 * @module transports/resp/command-table
 * Every Redis command Cachette answers, with Redis's arity, flags and key positions (what `COMMAND`
 * reports, so clients that read it route and validate correctly). Anything not here answers
 * `ERR unknown command …` and the connection stays usable.
 */
import * as conn from './commands/connection-commands.ts';
import * as hash from './commands/hash-commands.ts';
import * as keys from './commands/key-commands.ts';
import * as list from './commands/list-commands.ts';
import * as pubsub from './commands/pubsub-commands.ts';
import * as sets from './commands/set-commands.ts';
import * as zset from './commands/sorted-set-commands.ts';
import * as str from './commands/string-commands.ts';
import type { CommandHandler, CommandLookup, CommandSpec, RespConnection } from './resp-connection.ts';

type Row = [
  name: string,
  arity: number,
  flags: string,
  firstKey: number,
  lastKey: number,
  step: number,
  run: CommandHandler,
];

const R = 'readonly fast';
const W = 'write denyoom';
const C = 'fast no-auth';

const rows: Row[] = [
  // connection
  ['auth', -2, `${C} noscript loading stale`, 0, 0, 0, conn.auth],
  ['hello', -1, `${C} noscript loading stale`, 0, 0, 0, conn.hello],
  ['quit', -1, `${C} noscript loading stale`, 0, 0, 0, conn.quit],
  ['reset', 1, `${C} noscript loading stale`, 0, 0, 0, conn.reset],
  ['ping', -1, 'fast', 0, 0, 0, conn.ping],
  ['echo', 2, 'fast', 0, 0, 0, conn.echo],
  ['select', 2, 'loading stale fast', 0, 0, 0, conn.select],
  ['client', -2, 'noscript loading stale', 0, 0, 0, conn.client],
  ['info', -1, 'loading stale', 0, 0, 0, conn.info],
  ['command', -1, 'loading stale', 0, 0, 0, command],
  // strings
  ['get', 2, R, 1, 1, 1, str.get],
  ['set', -3, W, 1, 1, 1, str.set],
  ['setex', 4, W, 1, 1, 1, str.setex],
  ['psetex', 4, W, 1, 1, 1, str.psetex],
  ['setnx', 3, `${W} fast`, 1, 1, 1, str.setnx],
  ['getdel', 2, 'write fast', 1, 1, 1, str.getdel],
  ['getex', -2, 'write fast', 1, 1, 1, str.getex],
  ['mget', -2, R, 1, -1, 1, str.mget],
  ['mset', -3, W, 1, -1, 2, str.mset],
  ['incr', 2, `${W} fast`, 1, 1, 1, str.incr],
  ['decr', 2, `${W} fast`, 1, 1, 1, str.decr],
  ['incrby', 3, `${W} fast`, 1, 1, 1, str.incrby],
  ['decrby', 3, `${W} fast`, 1, 1, 1, str.decrby],
  ['strlen', 2, R, 1, 1, 1, str.strlen],
  // keys
  ['del', -2, 'write', 1, -1, 1, keys.del],
  ['unlink', -2, 'write fast', 1, -1, 1, keys.del],
  ['exists', -2, R, 1, -1, 1, keys.exists],
  ['expire', -3, 'write fast', 1, 1, 1, keys.expire],
  ['pexpire', -3, 'write fast', 1, 1, 1, keys.pexpire],
  ['expireat', -3, 'write fast', 1, 1, 1, keys.expireat],
  ['pexpireat', -3, 'write fast', 1, 1, 1, keys.pexpireat],
  ['ttl', 2, R, 1, 1, 1, keys.ttl],
  ['pttl', 2, R, 1, 1, 1, keys.pttl],
  ['type', 2, R, 1, 1, 1, keys.type],
  ['persist', 2, 'write fast', 1, 1, 1, keys.persist],
  ['flushdb', -1, 'write', 0, 0, 0, keys.flushdb],
  // hashes
  ['hset', -4, `${W} fast`, 1, 1, 1, hash.hset],
  ['hmset', -4, `${W} fast`, 1, 1, 1, hash.hmset],
  ['hget', 3, R, 1, 1, 1, hash.hget],
  ['hmget', -3, R, 1, 1, 1, hash.hmget],
  ['hgetall', 2, 'readonly', 1, 1, 1, hash.hgetall],
  ['hkeys', 2, 'readonly', 1, 1, 1, hash.hkeys],
  ['hvals', 2, 'readonly', 1, 1, 1, hash.hvals],
  ['hdel', -3, 'write fast', 1, 1, 1, hash.hdel],
  ['hlen', 2, R, 1, 1, 1, hash.hlen],
  ['hincrby', 4, `${W} fast`, 1, 1, 1, hash.hincrby],
  ['hexists', 3, R, 1, 1, 1, hash.hexists],
  // lists
  ['lpush', -3, `${W} fast`, 1, 1, 1, list.lpush],
  ['rpush', -3, `${W} fast`, 1, 1, 1, list.rpush],
  ['lpop', -2, 'write fast', 1, 1, 1, list.lpop],
  ['rpop', -2, 'write fast', 1, 1, 1, list.rpop],
  ['lrange', 4, 'readonly', 1, 1, 1, list.lrange],
  ['llen', 2, R, 1, 1, 1, list.llen],
  ['lrem', 4, 'write', 1, 1, 1, list.lrem],
  ['ltrim', 4, 'write', 1, 1, 1, list.ltrim],
  // sets
  ['sadd', -3, `${W} fast`, 1, 1, 1, sets.sadd],
  ['srem', -3, 'write fast', 1, 1, 1, sets.srem],
  ['smembers', 2, 'readonly', 1, 1, 1, sets.smembers],
  ['sismember', 3, R, 1, 1, 1, sets.sismember],
  ['smismember', -3, R, 1, 1, 1, sets.smismember],
  ['scard', 2, R, 1, 1, 1, sets.scard],
  ['spop', -2, 'write fast', 1, 1, 1, sets.spop],
  ['srandmember', -2, 'readonly', 1, 1, 1, sets.srandmember],
  // sorted sets
  ['zadd', -4, `${W} fast`, 1, 1, 1, zset.zadd],
  ['zrem', -3, 'write fast', 1, 1, 1, zset.zrem],
  ['zscore', 3, R, 1, 1, 1, zset.zscore],
  ['zincrby', 4, `${W} fast`, 1, 1, 1, zset.zincrby],
  ['zrank', -3, R, 1, 1, 1, zset.zrank],
  ['zrevrank', -3, R, 1, 1, 1, zset.zrevrank],
  ['zcard', 2, R, 1, 1, 1, zset.zcard],
  ['zcount', 4, R, 1, 1, 1, zset.zcount],
  ['zrange', -4, 'readonly', 1, 1, 1, zset.zrange],
  ['zrevrange', -4, 'readonly', 1, 1, 1, zset.zrevrange],
  ['zrangebyscore', -4, 'readonly', 1, 1, 1, zset.zrangebyscore],
  ['zrevrangebyscore', -4, 'readonly', 1, 1, 1, zset.zrevrangebyscore],
  ['zunionstore', -4, W, 1, 1, 1, zset.zunionstore],
  // pub/sub, onto topics
  ['publish', 3, 'pubsub loading stale fast', 0, 0, 0, pubsub.publish],
  ['subscribe', -2, 'pubsub noscript loading stale', 0, 0, 0, pubsub.subscribe],
  ['unsubscribe', -1, 'pubsub noscript loading stale', 0, 0, 0, pubsub.unsubscribe],
  ['psubscribe', -2, 'pubsub noscript loading stale', 0, 0, 0, pubsub.psubscribe],
  ['punsubscribe', -1, 'pubsub noscript loading stale', 0, 0, 0, pubsub.punsubscribe],
];

/** What a RESP2 connection with subscriptions may still run (Redis's list). */
const SUBSCRIBE_MODE = new Set(['subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe', 'ping', 'quit', 'reset']);

/** Commands by lower-case name. */
const byName = new Map<string, CommandSpec>();
for (const [name, arity, flags, firstKey, lastKey, step, run] of rows) {
  const flagList = flags.split(' ');
  byName.set(name, {
    name,
    arity,
    auth: !flagList.includes('no-auth'),
    inSubscribeMode: SUBSCRIBE_MODE.has(name),
    run,
    flags: flagList,
    firstKey,
    lastKey,
    step,
  });
}
/**
 * Names of up to 4 bytes (GET, SET, DEL, INCR, MGET, HSET, PING… most of the traffic) by their lower-cased
 * bytes as one small integer, per length: found with no string made and no string hashed.
 */
const SHORT = 4;
const shortNames: Map<number, CommandSpec>[] = Array.from({ length: SHORT + 1 }, () => new Map());
/** Longer names under lower- and upper-case spellings: redis-benchmark and redis-cli send them upper, ioredis lower. */
const longNames = new Map<string, CommandSpec>();
for (const [name, spec] of byName) {
  if (name.length <= SHORT) {
    shortNames[name.length]!.set(foldedCode(Buffer.from(name, 'latin1')), spec);
  } else {
    longNames.set(name, spec);
    longNames.set(name.toUpperCase(), spec);
  }
}

/** The bytes of `name` (≤ 4), ASCII letters lower-cased, as one integer below 2^32. */
function foldedCode(name: Uint8Array): number {
  let code = 0;
  for (let i = 0; i < name.length; i++) {
    const b = name[i]!;
    code = code * 256 + (b >= 65 && b <= 90 ? b + 32 : b);
  }
  return code;
}

/** Finds a command in any case: short names by their bytes, others exact-case first, then lower-cased. */
export const lookupCommand: CommandLookup = (name) => {
  if (name.length <= SHORT) return shortNames[name.length]!.get(foldedCode(name));
  if (name.length > 20) return undefined;
  const raw = name.toString('latin1');
  return longNames.get(raw) ?? longNames.get(raw.toLowerCase());
};

/** All command names, for COMMAND LIST and the fuzzer. */
export const commandNames: readonly string[] = [...byName.keys()];

/** COMMAND, COMMAND COUNT, COMMAND LIST, COMMAND INFO name…, COMMAND DOCS (empty: clients only show hints). */
function command(c: RespConnection, argv: Buffer[]): void {
  const out = c.out;
  const sub = argv.length > 1 ? argv[1]!.toString('latin1').toUpperCase() : '';
  if (sub === '') {
    out.array(byName.size);
    for (const spec of byName.values()) writeInfo(c, spec);
  } else if (sub === 'COUNT') {
    out.integer(byName.size);
  } else if (sub === 'LIST') {
    out.array(byName.size);
    for (const name of byName.keys()) out.bulkText(name);
  } else if (sub === 'INFO') {
    out.array(argv.length - 2);
    for (let i = 2; i < argv.length; i++) {
      const spec = byName.get(argv[i]!.toString('latin1').toLowerCase());
      if (spec === undefined) out.nullArray();
      else writeInfo(c, spec);
    }
  } else if (sub === 'DOCS') {
    out.map(0);
  } else {
    out.error(`ERR unknown subcommand '${argv[1]!.toString('latin1')}'. Try COMMAND HELP.`);
  }
}

function writeInfo(c: RespConnection, spec: CommandSpec): void {
  const out = c.out;
  out.array(6);
  out.bulkText(spec.name);
  out.integer(spec.arity);
  out.set(spec.flags.length);
  for (const f of spec.flags) out.simple(f);
  out.integer(spec.firstKey);
  out.integer(spec.lastKey);
  out.integer(spec.step);
}
