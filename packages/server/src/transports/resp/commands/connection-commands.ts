/**
 * @module transports/resp/commands/connection-commands
 * Connection commands: AUTH and HELLO (the user name names the cache, the password is a Cachette API key),
 * PING, ECHO, QUIT, RESET, SELECT 0, CLIENT …, and INFO. COMMAND lives in the command table, which it
 * describes.
 */
import { CacheError, ErrorCode } from '@cachette/core';
import { intArg, syntaxError, text, word } from '../arguments.ts';
import { DEFAULT_CACHE, type RespConnection } from '../resp-connection.ts';
import { WRONGPASS } from '../resp-errors.ts';

/** The Redis version clients are told, so they enable the commands Cachette has (Redis 7 syntax). */
export const REDIS_VERSION = '7.2.0';

const PONG = 'PONG';

/** `AUTH <api-key>` selects `default-cache`; the user name `default` (what some clients send) too. */
function cacheOfUser(user: Buffer | undefined): string {
  if (user === undefined || user.length === 0) return DEFAULT_CACHE;
  const name = text(user);
  return name === 'default' ? DEFAULT_CACHE : name;
}

/** Logs in, answering WRONGPASS for a key that does not work (other refusals keep their own words). */
async function login(c: RespConnection, user: Buffer | undefined, password: Buffer): Promise<boolean> {
  try {
    await c.login(cacheOfUser(user), text(password));
    return true;
  } catch (e) {
    if (e instanceof CacheError && e.code === ErrorCode.UNAUTHENTICATED) c.out.error(WRONGPASS);
    else c.fail(e);
    return false;
  }
}

export async function auth(c: RespConnection, argv: Buffer[]): Promise<void> {
  if (argv.length > 3) throw syntaxError();
  if (await login(c, argv.length === 3 ? argv[1] : undefined, argv[argv.length - 1]!)) c.out.ok();
}

export async function hello(c: RespConnection, argv: Buffer[]): Promise<void> {
  let protocol = c.protocol as number;
  if (argv.length > 1) {
    protocol = Number.NaN;
    try {
      protocol = intArg(argv[1]!);
    } catch {
      // answered below
    }
    if (protocol !== 2 && protocol !== 3) {
      c.out.error('NOPROTO unsupported protocol version');
      return;
    }
  }
  let name: string | undefined;
  let authed = false;
  for (let i = 2; i < argv.length; i++) {
    const option = word(argv[i]!);
    if (option === 'AUTH' && i + 2 < argv.length) {
      if (!(await login(c, argv[i + 1], argv[i + 2]!))) return;
      authed = true;
      i += 2;
    } else if (option === 'SETNAME' && i + 1 < argv.length) {
      name = clientName(argv[i + 1]!);
      i += 1;
    } else {
      c.out.error(`ERR Syntax error in HELLO option '${text(argv[i]!)}'`);
      return;
    }
  }
  if (!authed && !(await c.authenticated())) {
    c.out.error(
      'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
    );
    return;
  }
  if (name !== undefined) c.name = name;
  c.out.resp3 = protocol === 3;
  const out = c.out;
  out.map(7);
  out.bulkText('server');
  out.bulkText('redis');
  out.bulkText('version');
  out.bulkText(REDIS_VERSION);
  out.bulkText('proto');
  out.integer(protocol);
  out.bulkText('id');
  out.integer(c.id);
  out.bulkText('mode');
  out.bulkText('standalone');
  out.bulkText('role');
  out.bulkText('master');
  out.bulkText('modules');
  out.array(0);
}

export function ping(c: RespConnection, argv: Buffer[]): void {
  if (argv.length > 2) throw new CacheError(ErrorCode.INVALID_ARGUMENT, "wrong number of arguments for 'ping' command");
  if (!c.out.resp3 && c.pubsub !== undefined && c.pubsub.count > 0) {
    // RESP2 subscribe mode: Redis answers ["pong", message] so it reads like the other pushes.
    c.out.array(2);
    c.out.bulkText('pong');
    if (argv.length === 2) c.out.bulk(argv[1]);
    else c.out.bulkText('');
    return;
  }
  if (argv.length === 2) c.out.bulk(argv[1]);
  else c.out.simple(PONG);
}

export function echo(c: RespConnection, argv: Buffer[]): void {
  c.out.bulk(argv[1]);
}

export function quit(c: RespConnection): void {
  c.out.ok();
  c.endAfterReply();
}

export function reset(c: RespConnection): void {
  c.reset();
  c.out.simple('RESET');
}

export function select(c: RespConnection, argv: Buffer[]): void {
  // One cache per connection, chosen by AUTH: database 0 is the only one.
  if (intArg(argv[1]!) !== 0) throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'DB index is out of range');
  c.out.ok();
}

/** A client name: no spaces, newlines or special characters, as Redis requires. */
function clientName(b: Buffer): string | undefined {
  for (const byte of b) {
    if (byte < 33 || byte > 126) {
      throw new CacheError(
        ErrorCode.INVALID_ARGUMENT,
        'Client names cannot contain spaces, newlines or special characters.',
      );
    }
  }
  return b.length === 0 ? undefined : b.toString('latin1');
}

export function client(c: RespConnection, argv: Buffer[]): void {
  const sub = word(argv[1]!);
  const out = c.out;
  switch (sub) {
    case 'SETNAME':
      if (argv.length !== 3) break;
      c.name = clientName(argv[2]!);
      out.ok();
      return;
    case 'GETNAME':
      if (argv.length !== 2) break;
      if (c.name === undefined) out.null();
      else out.bulkText(c.name);
      return;
    case 'ID':
      if (argv.length !== 2) break;
      out.integer(c.id);
      return;
    case 'INFO':
      if (argv.length !== 2) break;
      out.verbatim(`${clientInfo(c)}\n`);
      return;
    case 'LIST':
      // Only this connection: other connections may belong to other accounts.
      out.verbatim(`${clientInfo(c)}\n`);
      return;
    case 'SETINFO':
      if (argv.length !== 4) break;
      if (word(argv[2]!) === 'LIB-NAME') c.libName = text(argv[3]!);
      else if (word(argv[2]!) === 'LIB-VER') c.libVersion = text(argv[3]!);
      else throw new CacheError(ErrorCode.INVALID_ARGUMENT, `Unrecognized option '${text(argv[2]!)}'`);
      out.ok();
      return;
    default:
      throw new CacheError(ErrorCode.INVALID_ARGUMENT, `unknown subcommand '${text(argv[1]!)}'. Try CLIENT HELP.`);
  }
  throw new CacheError(
    ErrorCode.INVALID_ARGUMENT,
    `wrong number of arguments for 'client|${sub.toLowerCase()}' command`,
  );
}

function clientInfo(c: RespConnection): string {
  const ageS = Math.floor((c.ctx.clock.nowMs() - c.createdAtMs) / 1000);
  return `id=${c.id} addr=${c.address} laddr=${c.socket.localAddress ?? ''}:${c.socket.localPort ?? 0} name=${c.name ?? ''} age=${ageS} db=0 resp=${c.protocol} lib-name=${c.libName} lib-ver=${c.libVersion} cache=${c.cache}`;
}

export function info(c: RespConnection, argv: Buffer[]): void {
  const i = c.ctx.info;
  const uptimeS = Math.floor((c.ctx.clock.nowMs() - i.startedAtMs) / 1000);
  const section = argv.length > 1 ? word(argv[1]!) : 'DEFAULT';
  const all = section === 'DEFAULT' || section === 'ALL' || section === 'EVERYTHING';
  let body = '';
  if (all || section === 'SERVER') {
    body +=
      '# Server\r\n' +
      `redis_version:${REDIS_VERSION}\r\n` +
      'redis_mode:standalone\r\n' +
      'server_name:cachette\r\n' +
      `process_id:${process.pid}\r\n` +
      `tcp_port:${i.port()}\r\n` +
      `uptime_in_seconds:${uptimeS}\r\n` +
      `uptime_in_days:${Math.floor(uptimeS / 86400)}\r\n` +
      `tls:${i.tls ? 'yes' : 'no'}\r\n` +
      `default_ttl_ms:${c.ctx.defaultTtlMs}\r\n` +
      '\r\n';
  }
  if (all || section === 'CLIENTS') body += `# Clients\r\nconnected_clients:${i.connections()}\r\n\r\n`;
  if (all || section === 'PERSISTENCE') body += '# Persistence\r\nloading:0\r\n\r\n';
  if (all || section === 'STATS') body += `# Stats\r\ntotal_commands_processed:${i.commands}\r\n\r\n`;
  if (all || section === 'REPLICATION') body += '# Replication\r\nrole:master\r\nconnected_slaves:0\r\n\r\n';
  if (all || section === 'KEYSPACE') body += `# Keyspace\r\ncache:${c.cache}\r\n`;
  c.out.verbatim(body);
}
