import express, { type Request, type Response } from 'express';
import { ValidationError } from './errors';

/** docs/webhooks.md "Errors": bodies over 1 MiB are refused (413). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** `application/json` or a `+json` media type, whatever the parameters. */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const mediaType = header.split(';')[0]?.trim().toLowerCase() ?? '';
  return mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType);
}

/** Whether the request carries a body at all (an empty one counts as none). */
export function hasRequestBody(request: Request): boolean {
  if (request.headers['transfer-encoding'] !== undefined) return true;
  const length = request.headers['content-length'];
  return length !== undefined && length !== '0';
}

/**
 * Reads a JSON body: none → undefined; another content type → 415; over 1 MiB → 413;
 * malformed → 400 (the parser's errors are mapped by the error handler). Only objects
 * and arrays are accepted at the top level (strict mode), so `"x"` or `1` is a 400 too.
 */
export function createJsonBodyReader(): (request: Request, response: Response) => Promise<unknown> {
  const parse = express.json({ limit: MAX_BODY_BYTES, strict: true, type: () => true });
  return (request, response) => {
    if (!hasRequestBody(request)) return Promise.resolve(undefined);
    if (!isJsonContentType(request.headers['content-type'])) {
      return Promise.reject(
        new ValidationError(`Content-Type must be application/json, not ${(request.headers['content-type'] ?? '(none)').slice(0, 100)}`, {
          status: 415,
        }),
      );
    }
    return new Promise((resolve, reject) => {
      parse(request, response, (error?: unknown) => (error ? reject(error) : resolve(request.body as unknown)));
    });
  };
}
