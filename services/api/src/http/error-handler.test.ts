import { errorBody, toApiError } from './error-handler';
import { ConflictError, LimitReachedError, MethodNotAllowedError, NotFoundError, RateLimitedError, UnauthorizedError, UnavailableError, ValidationError } from './errors';

describe('toApiError', () => {
  it.each([
    [new ValidationError('bad'), 400, 'validation_error'],
    [new NotFoundError('gone'), 404, 'not_found'],
    [new ConflictError('state'), 409, 'conflict'],
    [new LimitReachedError('full'), 400, 'limit_reached'],
    [new UnauthorizedError('who'), 401, 'unauthorized'],
    [new RateLimitedError(3), 429, 'rate_limited'],
    [new UnavailableError('later'), 503, 'unavailable'],
    [new MethodNotAllowedError('PUT', ['GET']), 405, 'not_found'],
  ])('keeps the status and code of %p', (error, status, code) => {
    const { apiError, internal } = toApiError(error);
    expect([apiError.status, apiError.code, internal]).toEqual([status, code, false]);
  });

  it.each([
    [{ type: 'entity.too.large', status: 413 }, 413],
    [{ type: 'entity.parse.failed', status: 400 }, 400],
    [{ type: 'charset.unsupported', status: 415 }, 415],
    [{ type: 'encoding.unsupported', status: 415 }, 415],
    [Object.assign(new URIError('URI malformed'), { status: 400 }), 400],
    [Object.assign(new Error('invalid input syntax for type uuid'), { code: '22P02' }), 400],
  ])('maps the client error %p to a validation_error', (error, status) => {
    const { apiError, internal } = toApiError(error);
    expect([apiError.status, apiError.code, internal]).toEqual([status, 'validation_error', false]);
    expect(apiError.message).not.toMatch(/uuid|URI malformed/);
  });

  it('hides anything else behind an opaque internal_error', () => {
    const { apiError, internal } = toApiError(new Error('relation "webhooks" does not exist: SELECT * FROM webhooks'));
    expect([apiError.status, apiError.code, internal]).toEqual([500, 'internal_error', true]);
    expect(apiError.message).not.toMatch(/SELECT|relation/);
    expect(toApiError('a thrown string').apiError.status).toBe(500);
    expect(toApiError(Object.assign(new Error('x'), { status: 503 })).apiError.status).toBe(500);
  });
});

describe('errorBody', () => {
  it('is the body of docs/webhooks.md, with details only when there are some', () => {
    const now = new Date('2026-11-25T12:00:00.000Z');
    expect(errorBody(new NotFoundError('No webhook with this id'), now)).toEqual({
      status_code: 404,
      timestamp: '2026-11-25T12:00:00.000Z',
      code: 'not_found',
      message: 'No webhook with this id',
    });
    const validation = ValidationError.forField('url', 'body', 'must be https');
    expect(errorBody(validation, now).details).toEqual([{ field: 'url', location: 'body', message: 'must be https' }]);
  });

  it('carries the headers an error needs', () => {
    expect(new RateLimitedError(7).headers).toEqual({ 'Retry-After': '7' });
    expect(new MethodNotAllowedError('PUT', ['GET', 'POST']).headers).toEqual({ Allow: 'GET, POST' });
  });
});
