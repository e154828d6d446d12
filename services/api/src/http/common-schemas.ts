import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { ERROR_CODES } from './errors';

// `.openapi(...)` on zod schemas: the same schemas validate requests and generate the
// OpenAPI document (http/openapi.ts), so the two cannot drift apart.
extendZodWithOpenApi(z);

export { z };

/**
 * Free text from clients (names, filters): bounded, and without control characters, which
 * have no place in a name and which PostgreSQL refuses in text (NUL) — the API answers
 * them with a 400 instead of letting the database fail.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
export const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f]*$/;

export const safeText = (maxLength: number) =>
  z.string().max(maxLength).regex(NO_CONTROL_CHARACTERS, { message: 'must not contain control characters' });

/** Resource ids are UUIDs; any 8-4-4-4-12 hex string is accepted (PostgreSQL's uuid). */
export const resourceId = z.guid();

/** Path parameters `{id}`: a value that is not a UUID names nothing, so it answers 404. */
export const idPathParams = z.object({ id: resourceId.openapi({ description: 'Resource id (UUID)' }) }).strict();

/** ISO 8601 with a `Z` or numeric offset, as clients send it. */
export const timestampInput = z.iso.datetime({ offset: true });

/** ISO 8601 in UTC, as the API writes it (`Date.toISOString()`). */
export const timestampOutput = z.iso.datetime();

/**
 * An integer query parameter. Query strings are text, so the digits are converted first;
 * anything else (`1e3`, `0x10`, ` 5`) stays a string and fails, as the document says.
 */
export const integerQuery = (options: { min: number; max: number; default: number; description: string }) =>
  z
    .preprocess(
      (value) => (typeof value === 'string' && /^-?\d{1,15}$/.test(value) ? Number(value) : value),
      z.number().int().min(options.min).max(options.max),
    )
    .optional()
    .default(options.default)
    .openapi({ description: options.description });

/**
 * Pages beyond this would mean scanning far past what a client can page through by hand;
 * a bound also keeps OFFSET arithmetic far from overflow.
 */
export const MAX_PAGE = 10_000;

export const paginationQuery = (maxLimit: number) => ({
  page: integerQuery({ min: 1, max: MAX_PAGE, default: 1, description: 'Page number, from 1' }),
  limit: integerQuery({ min: 1, max: maxLimit, default: 20, description: `Items per page (at most ${maxLimit})` }),
});

export const paginationSchema = z
  .object({
    page: z.number().int().min(1),
    limit: z.number().int().min(1),
    count: z.number().int().min(0).openapi({ description: 'Total number of items matching the filters, across all pages' }),
  })
  .strict()
  .openapi('Pagination');

export interface Pagination {
  page: number;
  limit: number;
  count: number;
}

export const fieldProblemSchema = z
  .object({
    field: z.string().openapi({ description: 'The bad field (dotted path in the body) or parameter' }),
    location: z.enum(['body', 'query', 'path', 'header']),
    message: z.string(),
  })
  .strict()
  .openapi('FieldProblem');

export const errorSchema = z
  .object({
    status_code: z.number().int(),
    timestamp: timestampOutput,
    code: z.enum(ERROR_CODES).openapi({ description: 'Stable machine-readable code' }),
    message: z.string(),
    details: z.array(fieldProblemSchema).optional(),
  })
  .strict()
  .openapi('Error', {
    description:
      'Every error. `code` is stable: validation_error, not_found, unauthorized, conflict, limit_reached, rate_limited, unavailable, internal_error.',
  });
