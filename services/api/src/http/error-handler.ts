import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { ApiError, NotFoundError, ValidationError, type ErrorBody } from './errors';

/**
 * body-parser reports its failures as errors with a `type`; each becomes a client error
 * with a message that says what to fix, never the parser's own text.
 */
const BODY_PARSER_ERRORS: Record<string, () => ValidationError> = {
  'entity.too.large': () => new ValidationError('The request body is larger than 1 MiB', { status: 413 }),
  'entity.parse.failed': () => new ValidationError('The request body is not valid JSON'),
  'entity.verify.failed': () => new ValidationError('The request body is not valid JSON'),
  'encoding.unsupported': () => new ValidationError('Unsupported Content-Encoding; send identity, gzip or deflate', { status: 415 }),
  'charset.unsupported': () => new ValidationError('Unsupported charset; send JSON as UTF-8', { status: 415 }),
  'request.aborted': () => new ValidationError('The request body was not received in full'),
  'request.size.invalid': () => new ValidationError('The request body does not match its Content-Length'),
  'stream.encoding.set': () => new ValidationError('The request body could not be read'),
  'parameters.too.many': () => new ValidationError('Too many parameters'),
};

/**
 * PostgreSQL "data exception" errors (SQLSTATE class 22: invalid text, out-of-range
 * numbers, invalid byte sequences) mean a value got past validation that the database
 * cannot store or compare: the client sent it, so it is a 400, not a 500. Validation is
 * meant to stop these first; the log line says which one slipped through.
 */
function isDataException(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}

function clientErrorStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

function bodyParserType(error: unknown): string | undefined {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? type : undefined;
}

export function errorBody(error: ApiError, now: Date): ErrorBody {
  return {
    status_code: error.status,
    timestamp: now.toISOString(),
    code: error.code,
    message: error.message,
    ...(error.details ? { details: error.details } : {}),
  };
}

/** Turns any thrown value into an ApiError; unknown errors become an opaque 500. */
export function toApiError(error: unknown): { apiError: ApiError; internal: boolean } {
  if (error instanceof ApiError) return { apiError: error, internal: false };
  const parserType = bodyParserType(error);
  const fromParser = parserType === undefined ? undefined : BODY_PARSER_ERRORS[parserType];
  if (fromParser) return { apiError: fromParser(), internal: false };
  if (isDataException(error)) return { apiError: new ValidationError('A value in the request is not valid'), internal: false };
  // express's own client errors (a path segment that is not valid percent-encoding, …).
  if (clientErrorStatus(error) !== undefined) return { apiError: new ValidationError('The request could not be decoded'), internal: false };
  return { apiError: new InternalError(), internal: true };
}

class InternalError extends ApiError {
  readonly status = 500;
  readonly code = 'internal_error' as const;
  constructor() {
    super('An internal error occurred; it has been logged');
  }
}

/** The last route: a path that no operation serves. */
export function notFoundHandler(): RequestHandler {
  return (request, _response, next) => next(new NotFoundError(`No route for ${request.method} ${request.path}`));
}

/**
 * The one error handler: every error body is `{ status_code, timestamp, code, message,
 * details? }`. Stack traces, SQL and driver messages go to the log only.
 */
export function errorHandler(options: { logger: Logger; now?: () => Date }): ErrorRequestHandler {
  const now = options.now ?? (() => new Date());
  return (error: unknown, request, response, next) => {
    if (response.headersSent) {
      next(error);
      return;
    }
    const { apiError, internal } = toApiError(error);
    if (internal) {
      options.logger.error({ err: error, method: request.method, route: request.route?.path }, 'request failed');
    } else if (isDataException(error)) {
      options.logger.warn({ err: error, method: request.method, route: request.route?.path }, 'database rejected a request value');
    }
    for (const [name, value] of Object.entries(apiError.headers)) response.setHeader(name, value);
    response.status(apiError.status).json(errorBody(apiError, now()));
  };
}
