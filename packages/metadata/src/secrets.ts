/**
 * @module secrets
 * API-key secrets: generation and the one-way hash that is all the database ever sees.
 */

import { createHash, randomBytes } from 'node:crypto';

/** Every secret starts with this, so leaked secrets are easy to spot in logs and by secret scanners. */
export const SECRET_PREFIX = 'cachette_sk_';

/** 32 bytes = 256 bits of entropy: far beyond brute force, whatever hash protects it. */
const SECRET_BYTES = 32;

/**
 * Generates a new API-key secret: {@link SECRET_PREFIX} followed by 32 random bytes in url-safe base64
 * (43 characters, no padding), so it travels in headers, URLs and JSON without escaping.
 */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64url');
}

/**
 * The stored form of a secret: SHA-256, lowercase hex (64 characters).
 *
 * A fast hash is the right choice here, unlike for passwords: a secret has 256 bits of entropy, so even
 * a stolen table cannot be reversed by guessing, and slow hashes (bcrypt, scrypt, argon2) exist only to
 * protect low-entropy human input. Being fast and deterministic also lets the hash be an indexed lookup
 * key, so authenticating a request costs one index probe instead of a scan with a per-row slow compare.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}
