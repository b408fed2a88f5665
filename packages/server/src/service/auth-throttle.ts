/**
 * @module service/auth-throttle
 * Failed authentications per client address, as a token bucket: an address may fail `burst` times at
 * once and earns back `perSecond` failures a second. Past that, the {@link Authenticator} refuses its
 * unknown tokens without looking them up (LIMIT_EXCEEDED), so key guessing costs the attacker time and
 * costs us no metadata lookups. Keys this process has seen valid are never throttled.
 */
import type { Clock } from '@cachette/core';

export interface AuthThrottleOptions {
  readonly burst: number;
  readonly perSecond: number;
  readonly clock: Clock;
  /** Addresses tracked at once; past it, addresses whose bucket is full again are forgotten. Default 100 000. */
  readonly maxClients?: number;
  /** Told of each failure and each refusal (metrics). */
  readonly onFailure?: () => void;
  readonly onRefusal?: () => void;
}

type Bucket = { tokens: number; atMs: number };

/** Per-address token bucket of authentication failures. */
export class AuthThrottle {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxClients: number;

  constructor(private readonly options: AuthThrottleOptions) {
    this.maxClients = options.maxClients ?? 100_000;
  }

  private refill(bucket: Bucket, now: number): void {
    bucket.tokens = Math.min(this.options.burst, bucket.tokens + ((now - bucket.atMs) / 1000) * this.options.perSecond);
    bucket.atMs = now;
  }

  /**
   * Seconds until `address` may try an unknown key again; 0 when it may now. Counts a refusal when not 0.
   */
  retryAfterSeconds(address: string): number {
    const bucket = this.buckets.get(address);
    if (bucket === undefined) return 0;
    this.refill(bucket, this.options.clock.nowMs());
    if (bucket.tokens >= 1) return 0;
    this.options.onRefusal?.();
    return this.options.perSecond > 0 ? Math.ceil((1 - bucket.tokens) / this.options.perSecond) : 3600;
  }

  /** Records a failed authentication from `address`. */
  recordFailure(address: string): void {
    const now = this.options.clock.nowMs();
    let bucket = this.buckets.get(address);
    if (bucket === undefined) {
      if (this.buckets.size >= this.maxClients) this.forgetRecovered(now);
      bucket = { tokens: this.options.burst, atMs: now };
      this.buckets.set(address, bucket);
    } else {
      this.refill(bucket, now);
    }
    bucket.tokens = Math.max(0, bucket.tokens - 1);
    this.options.onFailure?.();
  }

  /** Addresses currently refused (their bucket holds less than one failure). */
  throttledClients(): number {
    const now = this.options.clock.nowMs();
    let n = 0;
    for (const bucket of this.buckets.values()) {
      this.refill(bucket, now);
      if (bucket.tokens < 1) n++;
    }
    return n;
  }

  private forgetRecovered(now: number): void {
    for (const [address, bucket] of this.buckets) {
      this.refill(bucket, now);
      if (bucket.tokens >= this.options.burst) this.buckets.delete(address);
    }
    // Still full of throttled addresses (a distributed attack): start over rather than grow without bound.
    if (this.buckets.size >= this.maxClients) this.buckets.clear();
  }
}

/** The address part of a peer string: `127.0.0.1:5000` → `127.0.0.1`, `[::1]:5000` → `::1`. */
export function addressOfPeer(peer: string): string {
  const p = peer.startsWith('ipv4:') || peer.startsWith('ipv6:') ? peer.slice(5) : peer;
  if (p.startsWith('[')) return p.slice(1, Math.max(1, p.indexOf(']')));
  const colon = p.lastIndexOf(':');
  return colon > 0 && p.indexOf(':') === colon ? p.slice(0, colon) : p;
}
