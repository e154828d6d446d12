import type { z } from 'zod';

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** JSON encoding of an internal message, checked against its schema on the way in. */
export function encodeMessage<T>(schema: z.ZodType<T>, value: T): Buffer {
  return Buffer.from(JSON.stringify(schema.parse(value)));
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
