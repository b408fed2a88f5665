/**
 * The script of the test page grpc-web-browser.test.ts loads: Momento's browser SDK, unchanged, bundled by
 * esbuild, pointed at a Cachette server by endpoint overrides. `run` does what a web app would and reports
 * plain values back to the test (it asserts nothing itself).
 */
import {
  AuthClient,
  CacheClient,
  CacheGet,
  CacheGetBatch,
  Configurations,
  CreateCache,
  CredentialProvider,
  DisposableTokenScopes,
  ExpiresIn,
  GenerateDisposableToken,
  ListCaches,
  TopicClient,
  TopicConfigurations,
  TopicPublish,
  TopicSubscribe,
} from '@gomomento/sdk-web';

interface RunArgs {
  readonly apiKey: string;
  /** The server's HTTP base URL, e.g. `http://127.0.0.1:8081`: gRPC-Web is served there. */
  readonly endpoint: string;
  readonly cacheName: string;
}

function credentials(apiKey: string, endpoint: string): CredentialProvider {
  // sdk-web ignores `secureConnection`: an endpoint with an http:// scheme is used as given, one without
  // gets https://. Without overrides it would dial https://web.cache.<key's endpoint>.
  return CredentialProvider.fromString({
    apiKey,
    endpointOverrides: { cacheEndpoint: endpoint, controlEndpoint: endpoint, tokenEndpoint: endpoint },
  });
}

async function run({ apiKey, endpoint, cacheName }: RunArgs) {
  const out: Record<string, unknown> = {};
  const client = new CacheClient({
    configuration: Configurations.Laptop.v1(),
    credentialProvider: credentials(apiKey, endpoint),
    defaultTtlSeconds: 60,
  });
  const created = await client.createCache(cacheName);
  out.created = created instanceof CreateCache.Success;
  await client.set(cacheName, 'andrew', 'brown');
  const got = await client.get(cacheName, 'andrew');
  out.get = got instanceof CacheGet.Hit ? got.valueString() : got.toString();
  await client.set(cacheName, 'second', '2');
  const batch = await client.getBatch(cacheName, ['andrew', 'nobody', 'second']);
  out.batch =
    batch instanceof CacheGetBatch.Success
      ? batch.results().map((v) => (v instanceof CacheGet.Hit ? v.valueString() : null))
      : batch.toString();
  const listed = await client.listCaches();
  out.listed = listed instanceof ListCaches.Success ? listed.getCaches().map((c) => c.getName()) : listed.toString();
  const missing = await client.get('no-such-cache', 'k');
  out.missing = missing instanceof CacheGet.Error ? missing.errorCode() : missing.toString();

  const auth = new AuthClient({ credentialProvider: credentials(apiKey, endpoint) });
  const token = await auth.generateDisposableToken(
    DisposableTokenScopes.cacheReadWrite(cacheName),
    ExpiresIn.minutes(5),
  );
  if (token instanceof GenerateDisposableToken.Success) {
    const scoped = new CacheClient({
      configuration: Configurations.Laptop.v1(),
      credentialProvider: credentials(token.authToken, endpoint),
      defaultTtlSeconds: 60,
    });
    await scoped.set(cacheName, 'from-token', 'yes');
    const viaToken = await scoped.get(cacheName, 'from-token');
    out.tokenGet = viaToken instanceof CacheGet.Hit ? viaToken.valueString() : viaToken.toString();
    const denied = await scoped.createCache(`${cacheName}-x`);
    out.tokenCreateCache = denied instanceof CreateCache.Error ? denied.errorCode() : denied.toString();
  } else {
    out.tokenGet = token.toString();
  }
  return out;
}

/** What one live subscription has seen, read by the test between steps. */
interface Watch {
  readonly items: string[];
  readonly errors: string[];
  subscription?: TopicSubscribe.Subscription;
  topics?: TopicClient;
}

const watch: Watch = { items: [], errors: [] };

/** Subscribes as a web app would; resolves once the stream is open (the SDK waits for its first message). */
async function subscribe({ apiKey, endpoint, cacheName, topic }: RunArgs & { readonly topic: string }) {
  const topics = new TopicClient({
    configuration: TopicConfigurations.Default.latest(),
    credentialProvider: credentials(apiKey, endpoint),
  });
  watch.topics = topics;
  const response = await topics.subscribe(cacheName, topic, {
    onItem: (item) => watch.items.push(String(item.value())),
    onError: (error) => watch.errors.push(error.errorCode()),
  });
  if (!(response instanceof TopicSubscribe.Subscription)) return response.toString();
  watch.subscription = response;
  return 'subscribed';
}

/** Publishes from the page through the same browser client. */
async function publish({ cacheName, topic, text }: { cacheName: string; topic: string; text: string }) {
  const published = await watch.topics?.publish(cacheName, topic, text);
  return published instanceof TopicPublish.Success ? 'published' : String(published);
}

function unsubscribe(): void {
  watch.subscription?.unsubscribe();
}

(globalThis as unknown as { cachetteSdk: unknown }).cachetteSdk = { run, subscribe, publish, unsubscribe, watch };
