/**
 * The API's error kinds (docs/webhooks.md "Errors"). Each class fixes the HTTP status and the
 * stable machine `code`; the one error handler turns them into the error body. Code never
 * matches on message text: it checks the class.
 */
export const ERROR_CODES = [
  'validation_error',
  'not_found',
  'unauthorized',
  'conflict',
  'range_unavailable',
  'limit_reached',
  'rate_limited',
  'unavailable',
  'internal_error',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Where a bad value was found, so a client can point at it. */
export type FieldLocation = 'body' | 'query' | 'path' | 'header';

export interface FieldProblem {
  /** Dotted path of the bad field (`events.2`), or the parameter name. */
  field: string;
  location: FieldLocation;
  message: string;
}

export abstract class ApiError extends Error {
  abstract readonly status: number;
  abstract readonly code: ErrorCode;
  readonly details: FieldProblem[] | undefined;
  /** Response headers the error needs (Retry-After, Allow). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(message: string, options: { details?: FieldProblem[]; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = new.target.name;
    this.details = options.details;
    this.headers = options.headers ?? {};
  }
}

/** 400, or 413/415 for a body that is too large or not JSON: the request itself is wrong. */
export class ValidationError extends ApiError {
  readonly status: number;
  readonly code = 'validation_error' as const;
  constructor(message: string, options: { details?: FieldProblem[]; status?: 400 | 413 | 415 } = {}) {
    super(message, options.details ? { details: options.details } : {});
    this.status = options.status ?? 400;
  }

  static forField(field: string, location: FieldLocation, message: string): ValidationError {
    return new ValidationError(message, { details: [{ field, location, message }] });
  }
}

/**
 * 404: no such resource in the caller's workspace. Another workspace's ids and ids that
 * are not UUIDs answer the same, so a key learns nothing about other tenants.
 */
export class NotFoundError extends ApiError {
  readonly status = 404;
  readonly code = 'not_found' as const;
}

/** 405 with `Allow`: the path exists, the method does not (RFC 9110 §15.5.6). */
export class MethodNotAllowedError extends ApiError {
  readonly status = 405;
  readonly code = 'not_found' as const;
  constructor(method: string, allowed: readonly string[]) {
    super(`${method} is not supported on this path; supported: ${allowed.join(', ')}`, {
      headers: { Allow: allowed.join(', ') },
    });
  }
}

/** 409: the request is valid but the resource's state forbids it now. */
export class ConflictError extends ApiError {
  readonly status = 409;
  readonly code = 'conflict' as const;
}

/**
 * 422: a replay's range starts before the oldest domain event Kafka still holds. The
 * message names that time; `details` points at `from`.
 */
export class RangeUnavailableError extends ApiError {
  readonly status = 422;
  readonly code = 'range_unavailable' as const;
}

/** 400 with its own code: a configured quota (webhooks per workspace) is used up. */
export class LimitReachedError extends ApiError {
  readonly status = 400;
  readonly code = 'limit_reached' as const;
}

export class UnauthorizedError extends ApiError {
  readonly status = 401;
  readonly code = 'unauthorized' as const;
}

export class RateLimitedError extends ApiError {
  readonly status = 429;
  readonly code = 'rate_limited' as const;
  constructor(retryAfterSeconds: number) {
    super(`Too many requests; retry after ${retryAfterSeconds} s`, { headers: { 'Retry-After': String(retryAfterSeconds) } });
  }
}

/** 503: a dependency (the broker) did not take the work; nothing was changed, retry later. */
export class UnavailableError extends ApiError {
  readonly status = 503;
  readonly code = 'unavailable' as const;
  constructor(message: string) {
    super(message, { headers: { 'Retry-After': '5' } });
  }
}

/** The JSON error body of docs/webhooks.md. */
export interface ErrorBody {
  status_code: number;
  timestamp: string;
  code: ErrorCode;
  message: string;
  details?: FieldProblem[];
}
