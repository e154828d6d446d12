import { OLD_SIGNATURE_HEADER, SIGNATURE_HEADER, readHeader, type HeaderValue } from './headers';
import { verifyWebhookSignature, type SignatureMatch } from './signature';

/** The public webhook guide advises rejecting timestamps older than 1-2 minutes; 2 minutes by default. */
export const DEFAULT_TOLERANCE_SECONDS = 120;

export interface WebhookVerificationInput {
  rawBody: Buffer | string;
  /** Request headers, e.g. Node's `req.headers` (lower-case names; looked up case-insensitively). */
  headers: Readonly<Record<string, HeaderValue>>;
  secret: string;
  previousSecret?: string;
  toleranceSeconds?: number;
  /** The receiver's clock, UNIX seconds: passed in so the check stays a pure function. */
  nowSeconds: number;
}

export type WebhookRejection = 'missing_signature' | 'bad_signature' | 'malformed_body' | 'timestamp_out_of_tolerance';

export type WebhookVerification =
  | { ok: true; matched: SignatureMatch; payload: Record<string, unknown> }
  | { ok: false; reason: WebhookRejection };

/**
 * Everything a receiver should check (docs/webhooks.md "Verifying signatures"): a signature header,
 * made with its secret over the raw body, then — only for an authentic body — that
 * `context.timestamp` is within the tolerance of its clock either way, against replays.
 * On success the parsed payload is returned so the body is not parsed twice.
 */
export function verifyWebhook(input: WebhookVerificationInput): WebhookVerification {
  const signature = nonEmpty(readHeader(input.headers, SIGNATURE_HEADER));
  const oldSignature = nonEmpty(readHeader(input.headers, OLD_SIGNATURE_HEADER));
  if (signature === undefined && oldSignature === undefined) {
    return { ok: false, reason: 'missing_signature' };
  }

  const verification = verifyWebhookSignature({
    rawBody: input.rawBody,
    signature,
    oldSignature,
    secret: input.secret,
    ...(input.previousSecret === undefined ? {} : { previousSecret: input.previousSecret }),
  });
  if (!verification.valid || verification.matched === null) {
    return { ok: false, reason: 'bad_signature' };
  }

  const payload = parseJsonObject(input.rawBody);
  const context = payload?.context;
  const timestamp = isRecord(context) ? context.timestamp : undefined;
  if (payload === undefined || typeof timestamp !== 'number' || !Number.isFinite(timestamp)) {
    return { ok: false, reason: 'malformed_body' };
  }

  const toleranceSeconds = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(input.nowSeconds - timestamp) > toleranceSeconds) {
    return { ok: false, reason: 'timestamp_out_of_tolerance' };
  }
  return { ok: true, matched: verification.matched, payload };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJsonObject(rawBody: Buffer | string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8'));
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
