/**
 * @module bench/servers/ceiling-server
 * Child process: the transport's ceiling. A bare `@grpc/grpc-js` server with Momento's `Scs` service
 * definition (same message classes, same (de)serialization as Cachette) answering Get and Set from one
 * plain `Map`. No auth, no cache lookup, no TTL, no accounting: whatever Cachette does beyond this is the
 * cost of being a cache service rather than a gRPC server.
 *
 * argv[2]: JSON `{ "preload": number }`: keys `keyOf(0..preload-1)` are present before it reports ready.
 */
import { cache } from '@gomomento/generated-types';
import {
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type ServiceDefinition,
  type sendUnaryData,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { memoryOf, serveIpc } from '../lib/gc-watch.ts';
import type { ReadyMessage } from '../lib/ipc.ts';
import { keyOf, VALUE } from '../lib/wire.ts';

const pb = cache.cache_client;
const options = JSON.parse(process.argv[2] ?? '{}') as { preload?: number };

// latin1 strings as Map keys: one byte per char, and string lookups are cheaper than hashing bytes in JS.
const items = new Map<string, Uint8Array>();
for (let i = 0; i < (options.preload ?? 0); i++) items.set(keyOf(i).toString('latin1'), VALUE);

/** A view, not a copy, of the key bytes as a latin1 string. */
function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

const MISS = new pb._GetResponse({ result: pb.ECacheResult.Miss });
const SET_OK = new pb._SetResponse({ result: pb.ECacheResult.Ok });

const handlers = {
  Get(
    call: ServerUnaryCall<cache.cache_client._GetRequest, cache.cache_client._GetResponse>,
    callback: sendUnaryData<cache.cache_client._GetResponse>,
  ) {
    const value = items.get(latin1(call.request.cache_key));
    callback(
      null,
      value === undefined ? MISS : new pb._GetResponse({ result: pb.ECacheResult.Hit, cache_body: value }),
    );
  },
  Set(
    call: ServerUnaryCall<cache.cache_client._SetRequest, cache.cache_client._SetResponse>,
    callback: sendUnaryData<cache.cache_client._SetResponse>,
  ) {
    items.set(latin1(call.request.cache_key), call.request.cache_body);
    callback(null, SET_OK);
  },
};

const server = new Server();
server.addService(
  pb.UnimplementedScsService.definition as unknown as ServiceDefinition,
  handlers as unknown as UntypedServiceImplementation,
);
const port = await new Promise<number>((resolve, reject) =>
  server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
);

serveIpc(memoryOf, () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())));
process.send?.({ type: 'ready', port } satisfies ReadyMessage);
