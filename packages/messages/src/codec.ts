import type { z } from 'zod';

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * JSON encoding of an internal message. The type already holds the contract on the way
 * out; the schema checks every message on the way in (`decodeMessage`), where input can
 * be anything. Re-validating here cost the hot paths several percent of their CPU.
 */
export function encodeMessage<T>(_schema: z.ZodType<T>, value: T): Buffer {
  return Buffer.from(JSON.stringify(value));
}

export function decodeMessage<T>(schema: z.ZodType<T>, bytes: Buffer | null): DecodeResult<T> {
  if (bytes === null) return { ok: false, error: 'empty message' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    return { ok: false, error: `not JSON: ${(error as Error).message}` };
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    return { ok: false, error: result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ') };
  }
  return { ok: true, value: result.data };
}
