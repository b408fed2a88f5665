/**
 * @module service/rate-limiter
 * A fixed-window counter per key (e.g. per e-mail address, per client network) for unauthenticated
 * endpoints such as signup. The counters live in the metadata store: every gateway sharing it enforces one
 * limit together, and no number of distinct keys can make the server forget a window (an in-memory map had
 * to be bounded, so an attacker rotating through addresses could flush it).
 */
import { isIP } from 'node:net';
import { CacheError, type Clock, ErrorCode } from '@cachette/core';
import type { MetadataStore } from '@cachette/metadata';

export interface RateLimit {
  /** Requests allowed per window. */
  readonly limit: number;
  readonly windowMs: number;
}

/** Counts requests per key in the metadata store; {@link RateLimiter.take} refuses a key over its limit. */
export class RateLimiter {
  constructor(
    private readonly metadata: MetadataStore,
    private readonly clock: Clock,
    /** Prefix of the stored bucket names, e.g. `signup:email`. */
    private readonly name: string,
    private readonly rate: RateLimit,
  ) {}

  /**
   * Counts one request for `key`; throws LIMIT_EXCEEDED (reason `operations_rate_limit_exceeded`) with the
   * seconds to wait when the window is full. `what` names the key in the message (never the key itself);
   * `hint` is appended to the message.
   */
  async take(key: string, what: string, hint = ''): Promise<void> {
    const now = this.clock.nowMs();
    const { windowMs, limit } = this.rate;
    const windowStartMs = now - (now % windowMs);
    const count = await this.metadata.incrementRateCounter(
      `${this.name}:${key}`,
      windowStartMs,
      windowStartMs - windowMs,
    );
    if (count > limit) {
      const retryAfterS = Math.max(1, Math.ceil((windowStartMs + windowMs - now) / 1000));
      throw new CacheError(
        ErrorCode.LIMIT_EXCEEDED,
        `too many requests from this ${what}; try again in ${retryAfterS} s${hint}`,
        'operations_rate_limit_exceeded',
        retryAfterS,
      );
    }
  }
}

/**
 * The rate-limit key of a client address: IPv4 addresses as they are, IPv6 addresses by their /64 (one
 * subscriber usually holds a whole /64, so counting single IPv6 addresses would give an attacker 2^64
 * fresh quotas). IPv4-mapped IPv6 (`::ffff:1.2.3.4`) counts as the IPv4 address.
 */
export function clientBucketOf(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (isIP(ip) !== 6) return ip;
  const address = ip.split('%')[0] ?? ip; // drop a zone index (fe80::1%eth0)
  const [head = '', tail = ''] = address.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = address.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const groups = address.includes('::')
    ? [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups]
    : headGroups;
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
