/**
 * @module client
 * Builds an official `@gomomento/sdk` `CacheClient` for a resolved profile and turns the SDK's errors
 * into {@link CacheError}s whose messages say what went wrong and how to fix it.
 */
import { CacheError, ErrorCode } from '@cachette/core';
import {
  CacheClient,
  Configurations,
  CredentialProvider,
  LeaderboardConfigurations,
  MomentoErrorCode,
  NoopMomentoLoggerFactory,
  PreviewLeaderboardClient,
  type SdkError,
  TopicClient,
  TopicConfigurations,
} from '@gomomento/sdk';

/** How to reach the server. */
export interface ConnectOptions {
  /** The v1 API key. */
  readonly apiKey: string;
  /** `host:port` to dial (`--endpoint`, else the key's own endpoint). */
  readonly endpoint: string;
  /** Whether `endpoint` was given explicitly (`--endpoint`) rather than taken from the key. */
  readonly endpointOverridden?: boolean;
  /** TLS on/off; `undefined` infers it from the endpoint (see {@link inferTls}). */
  readonly tls?: boolean | undefined;
  /** TTL for writes that do not pass one. */
  readonly defaultTtlSeconds: number;
}

/**
 * TLS is inferred from the port: `:443` (or no port, as in Momento's own keys) means TLS, anything else
 * plaintext, which is what `cachette server start` serves unless it is given a certificate.
 */
export function inferTls(endpoint: string): boolean {
  const port = portOf(endpoint);
  return port === undefined || port === '443';
}

function portOf(endpoint: string): string | undefined {
  const m = /:(\d+)$/.exec(endpoint);
  return m?.[1];
}

/**
 * Connects a `CacheClient`. The SDK's own logging is silenced (the CLI reports errors itself, on one line).
 * Throws `UNAVAILABLE` with the endpoint in the message when the server cannot be reached: the SDK
 * connects eagerly, so a stopped server is found here, fast, rather than on the first call.
 */
export async function connect(options: ConnectOptions): Promise<CacheClient> {
  const credentialProvider = credentialsFor(options);
  try {
    return await CacheClient.create({
      configuration: Configurations.Laptop.v1(new NoopMomentoLoggerFactory()),
      credentialProvider,
      defaultTtlSeconds: options.defaultTtlSeconds,
    });
  } catch (e) {
    throw fromSdkError(e as SdkError, { endpoint: options.endpoint });
  }
}

/**
 * An official `PreviewLeaderboardClient` with the same credentials and endpoint as {@link connect}. It
 * connects lazily: the caller closes it.
 */
export function connectLeaderboards(options: ConnectOptions): PreviewLeaderboardClient {
  return new PreviewLeaderboardClient({
    configuration: LeaderboardConfigurations.Laptop.latest(new NoopMomentoLoggerFactory()),
    credentialProvider: credentialsFor(options),
  });
}

/** A `TopicClient` for the same server and key (it connects on first use and has no close()). */
export function topicClientFor(options: ConnectOptions): TopicClient {
  return new TopicClient({
    configuration: TopicConfigurations.Default.latest(new NoopMomentoLoggerFactory()),
    credentialProvider: credentialsFor(options),
  });
}

function credentialsFor(options: ConnectOptions): CredentialProvider {
  const { apiKey, endpoint } = options;
  const secureConnection = options.tls ?? inferTls(endpoint);
  // A key without a port is a Momento cloud key: its endpoint is a cell name from which the SDK derives
  // `cache.`/`control.` hosts itself, so overriding would break it. Cachette keys always carry host:port.
  const override = options.endpointOverridden === true || portOf(endpoint) !== undefined;
  return override
    ? CredentialProvider.fromString({
        apiKey,
        endpointOverrides: {
          cacheEndpoint: endpoint,
          controlEndpoint: endpoint,
          tokenEndpoint: endpoint,
          secureConnection,
        },
      })
    : CredentialProvider.fromString({ apiKey });
}

/** What a failing call was about, to make the message actionable. */
export interface ErrorContext {
  readonly endpoint: string;
  readonly cache?: string | undefined;
  readonly key?: string | undefined;
}

const CODE_MAP: Partial<Record<MomentoErrorCode, ErrorCode>> = {
  [MomentoErrorCode.INVALID_ARGUMENT_ERROR]: ErrorCode.INVALID_ARGUMENT,
  [MomentoErrorCode.BAD_REQUEST_ERROR]: ErrorCode.INVALID_ARGUMENT,
  [MomentoErrorCode.CACHE_ALREADY_EXISTS_ERROR]: ErrorCode.ALREADY_EXISTS,
  [MomentoErrorCode.CACHE_NOT_FOUND_ERROR]: ErrorCode.NOT_FOUND,
  [MomentoErrorCode.STORE_NOT_FOUND_ERROR]: ErrorCode.NOT_FOUND,
  [MomentoErrorCode.STORE_ITEM_NOT_FOUND_ERROR]: ErrorCode.NOT_FOUND,
  [MomentoErrorCode.FUNCTION_NOT_FOUND_ERROR]: ErrorCode.NOT_FOUND,
  [MomentoErrorCode.PERMISSION_ERROR]: ErrorCode.PERMISSION_DENIED,
  [MomentoErrorCode.AUTHENTICATION_ERROR]: ErrorCode.UNAUTHENTICATED,
  [MomentoErrorCode.LIMIT_EXCEEDED_ERROR]: ErrorCode.LIMIT_EXCEEDED,
  [MomentoErrorCode.CLIENT_RESOURCE_EXHAUSTED]: ErrorCode.LIMIT_EXCEEDED,
  [MomentoErrorCode.FAILED_PRECONDITION_ERROR]: ErrorCode.FAILED_PRECONDITION,
  [MomentoErrorCode.CONNECTION_ERROR]: ErrorCode.UNAVAILABLE,
  [MomentoErrorCode.TIMEOUT_ERROR]: ErrorCode.UNAVAILABLE,
  [MomentoErrorCode.SERVER_UNAVAILABLE]: ErrorCode.UNAVAILABLE,
  [MomentoErrorCode.CANCELLED_ERROR]: ErrorCode.UNAVAILABLE,
};

/** Signs that a call never reached a server (as opposed to a server answering UNAVAILABLE itself). */
const UNREACHABLE =
  /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|No connection established|Failed to connect|connection state|Connection dropped/i;

/** Maps an SDK error to a {@link CacheError} with the reason (the server's own words) and a fix. */
export function fromSdkError(err: SdkError, ctx: ErrorContext): CacheError {
  const sdkCode = typeof err.errorCode === 'function' ? err.errorCode() : MomentoErrorCode.UNKNOWN_ERROR;
  const code = CODE_MAP[sdkCode] ?? ErrorCode.INTERNAL;
  const details = serverDetails(err);
  const cacheFlag = ctx.cache === undefined ? '' : ` --name ${ctx.cache}`;
  let message: string;
  switch (code) {
    case ErrorCode.UNAVAILABLE:
      message =
        sdkCode === MomentoErrorCode.SERVER_UNAVAILABLE && !UNREACHABLE.test(details)
          ? `the server at ${ctx.endpoint} is unavailable: ${details}`
          : `the server is unreachable at ${ctx.endpoint}: start it with \`cachette server start\`, or check --endpoint and the key's endpoint`;
      break;
    case ErrorCode.UNAUTHENTICATED:
      message = `the server at ${ctx.endpoint} rejected the API key (${details}): run \`cachette configure\` with a valid key, or check CACHETTE_API_KEY`;
      break;
    case ErrorCode.PERMISSION_DENIED:
      message = `permission denied (${details}): use a key with rights to this cache and operation`;
      break;
    case ErrorCode.NOT_FOUND:
      message =
        ctx.cache === undefined
          ? details
          : `cache '${ctx.cache}' not found in this API key's account (each key sees only its own account's caches): create it with \`cachette cache create${cacheFlag}\`, pick another with --name, or use a key of the account that owns it`;
      break;
    case ErrorCode.LIMIT_EXCEEDED:
      message = /larger than max|item.size|too large/i.test(details)
        ? `item too large: ${details}; store a smaller value (the server limits key + value size, 5 MiB by default)`
        : `limit exceeded: ${details}`;
      break;
    default:
      message = details;
  }
  const out = new CacheError(code, message);
  if (err.stack !== undefined) out.stack = `${out.name}: ${message}\nCaused by: ${err.stack}`;
  return out;
}

/** The server's own explanation (gRPC details), without the SDK's generic preamble. */
function serverDetails(err: SdkError): string {
  try {
    const details = err.transportDetails().grpc.details;
    // grpc-js prefixes details with the numeric and named status ("8 RESOURCE_EXHAUSTED: …").
    if (details) return (details.split('\n')[0] ?? details).replace(/^\d+ [A-Z_]+: /, '').trim();
  } catch {
    // Not an SdkError with transport details: fall through to the message.
  }
  const m = /: \d+ [A-Z_]+: (.*)$/s.exec(err.message);
  return (m?.[1] ?? err.message).trim();
}
