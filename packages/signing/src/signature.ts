import { createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { LRUCache } from 'lru-cache';

// Signing of docs/webhooks.md "Request" (verifying signatures): lowercase hex
// HMAC-SHA256 over the exact raw body bytes, keyed with the secret string's UTF-8 bytes.
// Used by hookstream's sender and by customers' receivers alike.

export const SECRET_PREFIX = 'dotsecret.';
/** ≥ 128 bits of entropy when the characters are random (docs/webhooks.md "Verifying signatures"). */
export const MIN_SECRET_RANDOM_CHARACTERS = 32;
/** An upper bound so a customer-supplied secret stays a secret, not a document. */
export const MAX_SECRET_RANDOM_CHARACTERS = 256;

// Visible ASCII only: a customer-supplied secret must survive copy-paste into environment
// files and config without quoting, whitespace trimming or Unicode normalisation surprises.
const SECRET_FORMAT = new RegExp(
  `^${SECRET_PREFIX.replace('.', '\\.')}[\\x21-\\x7e]{${MIN_SECRET_RANDOM_CHARACTERS},${MAX_SECRET_RANDOM_CHARACTERS}}$`,
);
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

/** Lowercase hex HMAC-SHA256 of the exact bytes (a string body is taken as UTF-8). */
export function signBody(rawBody: Buffer | string, secret: string): string {
  return signatureBytes(rawBody, secret).toString('hex');
}

/** `dotsecret.` + 43 base64url characters of 32 CSPRNG bytes (256 bits). */
export function generateSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** Whether a secret (generated or supplied by a customer) has the product's format. */
export function isValidSecretFormat(secret: string): boolean {
  return SECRET_FORMAT.test(secret);
}

/** Which header validated: `previous` means the sender signed with a secret it has since rotated away from. */
export type SignatureMatch = 'current' | 'previous';

export interface SignatureVerificationInput {
  rawBody: Buffer | string;
  /** Value of Dotfile-Signature, made with the webhook's current secret. */
  signature?: string | undefined;
  /** Value of Dotfile-Old-Signature, sent only during a rotation's grace period. */
  oldSignature?: string | undefined;
  /** The receiver's secret. */
  secret: string;
  /** A second secret the receiver still accepts, e.g. while it rolls out a new one. */
  previousSecret?: string;
}

export interface SignatureVerification {
  valid: boolean;
  matched: SignatureMatch | null;
}

/**
 * Accepts the request when any of the receiver's secrets produced either header, so a
 * receiver keeps working through a rotation whichever secret it holds (the guide's receiver
 * checks both headers). Comparisons are constant-time over the decoded digests; a header
 * that is not 64 hex characters simply does not match.
 */
export function verifyWebhookSignature(input: SignatureVerificationInput): SignatureVerification {
  const receiverSecrets = input.previousSecret === undefined ? [input.secret] : [input.secret, input.previousSecret];
  const expectedDigests = receiverSecrets.map((secret) => signatureBytes(input.rawBody, secret));

  // Every comparison runs whatever the outcome, so timing says nothing about which matched.
  const currentMatches = expectedDigests.map((expected) => digestMatchesHex(expected, input.signature));
  const previousMatches = expectedDigests.map((expected) => digestMatchesHex(expected, input.oldSignature));

  if (currentMatches.includes(true)) return { valid: true, matched: 'current' };
  if (previousMatches.includes(true)) return { valid: true, matched: 'previous' };
  return { valid: false, matched: null };
}

/**
 * HMAC keys already built, by secret. Node's createHmac probes a Buffer key twice (is it
 * a KeyObject? a CryptoKey?) through thrown and caught errors, which cost several times the
 * HMAC of a 1 KiB body itself; a KeyObject skips both probes. Bounded, least recently used out first: a secret
 * evicted (or rotated away from) is simply rebuilt from its UTF-8 bytes when next used.
 * The cache lives only in this module: nothing can list or read it. (lru-cache, not a Map
 * evicted through `keys().next()`: V8 keeps a Map's deleted entries until it rehashes, so
 * once full every eviction would walk past thousands of them.)
 */
const hmacKeys = new LRUCache<string, KeyObject>({ max: 10_000 });

function hmacKeyOf(secret: string): KeyObject {
  let key = hmacKeys.get(secret);
  if (key === undefined) {
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    hmacKeys.set(secret, key);
  }
  return key;
}

function signatureBytes(rawBody: Buffer | string, secret: string): Buffer {
  const hmac = createHmac('sha256', hmacKeyOf(secret));
  // A string body is hashed as its UTF-8 bytes, without copying it into a Buffer first.
  return (typeof rawBody === 'string' ? hmac.update(rawBody, 'utf8') : hmac.update(rawBody)).digest();
}

function digestMatchesHex(expected: Buffer, providedHex: string | undefined): boolean {
  // Buffer.from(…, 'hex') silently stops at the first non-hex character, so the format is
  // checked first; the length check keeps timingSafeEqual from throwing.
  if (providedHex === undefined || !SHA256_HEX.test(providedHex)) return false;
  const provided = Buffer.from(providedHex, 'hex');
  return provided.length === expected.length && timingSafeEqual(provided, expected);
}
