/**
 * @module tls-certificates
 * The server's TLS certificate and key (`--tls-cert`, `--tls-key`), shared by every listener: gRPC gets it
 * through grpc-js's certificate-provider credentials, HTTPS through `setSecureContext`. When either file
 * changes (a renewal) both listeners switch to the new pair without a restart; connections already open
 * keep the pair they started with. A pair that does not load (half-written, key not matching) is reported
 * and the previous one stays in use.
 */
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { CacheError, ErrorCode } from '@cachette/core';
import { experimental, type ServerCredentials } from '@grpc/grpc-js';

type IdentityListener = experimental.IdentityCertificateUpdateListener;
type CaListener = experimental.CaCertificateUpdateListener;

/** Anything whose TLS context can be replaced (Node's `tls.Server`, `https.Server`). */
export interface SecureContextTarget {
  setSecureContext(options: { cert: Buffer; key: Buffer }): void;
}

/** A certificate/key pair read from files, reloadable, serving every TLS listener. */
export class TlsCertificates implements experimental.CertificateProvider {
  private cert: Buffer;
  private key: Buffer;
  private readonly identityListeners = new Set<IdentityListener>();
  private readonly targets = new Set<SecureContextTarget>();
  private watching = false;

  /** Reads the pair; INVALID_ARGUMENT when a file cannot be read or the key does not match. */
  constructor(
    private readonly certFile: string,
    private readonly keyFile: string,
    private readonly onReloadError: (error: Error) => void = () => {},
  ) {
    const pair = this.read();
    this.cert = pair.cert;
    this.key = pair.key;
  }

  private read(): { cert: Buffer; key: Buffer } {
    try {
      const cert = readFileSync(this.certFile);
      const key = readFileSync(this.keyFile);
      createSecureContext({ cert, key }); // throws when the key does not match or a PEM is malformed
      return { cert, key };
    } catch (e) {
      throw new CacheError(ErrorCode.INVALID_ARGUMENT, `cannot load TLS certificate or key: ${(e as Error).message}`);
    }
  }

  /** The pair, for a listener being created (`https.createServer`, Fastify's `https` option). */
  get current(): { cert: Buffer; key: Buffer } {
    return { cert: this.cert, key: this.key };
  }

  /** gRPC server credentials that follow reloads. */
  grpcCredentials(): ServerCredentials {
    // grpc-js names the parameters (ca, identity) but passes them to a constructor taking (identity, ca):
    // the first argument is the identity provider.
    return experimental.createCertificateProviderServerCredentials(this, null, false);
  }

  /** Keeps `target`'s context in step with reloads. */
  attach(target: SecureContextTarget): void {
    this.targets.add(target);
  }

  /**
   * Re-reads both files and hands the pair to every listener. Returns false (and reports the error) when
   * the new pair does not load; the previous pair then stays in use.
   */
  reload(): boolean {
    let pair: { cert: Buffer; key: Buffer };
    try {
      pair = this.read();
    } catch (e) {
      this.onReloadError(e as Error);
      return false;
    }
    this.cert = pair.cert;
    this.key = pair.key;
    for (const target of this.targets) target.setSecureContext(pair);
    for (const listener of this.identityListeners) listener({ certificate: pair.cert, privateKey: pair.key });
    return true;
  }

  /** Reloads whenever either file's modification time or size changes, checked every `intervalMs`. */
  watch(intervalMs: number): void {
    if (this.watching) return;
    this.watching = true;
    const onChange = (now: { mtimeMs: number; size: number }, before: { mtimeMs: number; size: number }) => {
      if (now.mtimeMs !== before.mtimeMs || now.size !== before.size) this.reload();
    };
    // Polling (stat), not inotify: renewals usually replace the file (rename), which inotify loses track of.
    watchFile(this.certFile, { interval: intervalMs, persistent: false }, onChange);
    watchFile(this.keyFile, { interval: intervalMs, persistent: false }, onChange);
  }

  /** Stops watching the files. */
  close(): void {
    if (!this.watching) return;
    this.watching = false;
    unwatchFile(this.certFile);
    unwatchFile(this.keyFile);
  }

  // ── grpc-js CertificateProvider ──────────────────────────────────────────────────────────────

  addIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.add(listener);
    // Asynchronously, as grpc-js's own file provider does: its server registers the watcher that applies
    // the context only after subscribing here.
    const { cert, key } = this;
    queueMicrotask(() => {
      if (this.identityListeners.has(listener)) listener({ certificate: cert, privateKey: key });
    });
  }

  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.delete(listener);
  }

  // No client certificates: the CA side is never asked for (the credentials are made without a CA provider).
  addCaCertificateListener(_listener: CaListener): void {}
  removeCaCertificateListener(_listener: CaListener): void {}
}
