import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Tenant API keys (docs/webhooks.md "Workspaces and API keys"): `dotkey.` + 43 base64url characters of
 * 32 CSPRNG bytes. Only the SHA-256 digest is stored: a key is never shown again after
 * creation, only compared. A short prefix is kept so operators can tell keys apart.
 */
export const API_KEY_PREFIX = 'dotkey.';
export const API_KEY_HEADER = 'x-dotfile-api-key';
const API_KEY_FORMAT = /^dotkey\.[A-Za-z0-9_-]{32,128}$/;
const DISPLAY_PREFIX_LENGTH = API_KEY_PREFIX.length + 6;

export interface NewApiKey {
  key: string;
  hash: Buffer;
  displayPrefix: string;
}

export function generateApiKey(): NewApiKey {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashApiKey(key), displayPrefix: key.slice(0, DISPLAY_PREFIX_LENGTH) };
}

/** A malformed key is refused without a database round trip. */
export function isWellFormedApiKey(candidate: string): boolean {
  return API_KEY_FORMAT.test(candidate);
}

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** Constant-time equality of two digests (unequal lengths are simply unequal). */
export function digestsEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Constant-time check of the admin bearer token: both sides are hashed first, so the
 * comparison takes the same time whatever the length of the guess.
 */
export function adminTokenMatches(presented: string, expected: string): boolean {
  return timingSafeEqual(hashApiKey(presented), hashApiKey(expected));
}

/** `Authorization: Bearer <token>` → the token; anything else → undefined. */
export function bearerTokenOf(header: string | undefined): string | undefined {
  const match = /^Bearer[ ]+(\S+)[ ]*$/i.exec(header ?? '');
  return match?.[1];
}
