import type { Express, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { MethodNotAllowedError, NotFoundError, ValidationError, type FieldLocation, type FieldProblem } from './errors';

/**
 * One API operation, declared once: its route, its request schemas, its responses and
 * its handler. The same declaration is mounted on express (validating with the schemas)
 * and rendered into the OpenAPI document, which is what makes the document the truth.
 */
export type HttpMethod = 'get' | 'post' | 'patch' | 'delete';
export type Security = 'apiKey' | 'adminToken' | 'none';

/** Who a request acts for, once authenticated. */
export interface TenantAuth {
  kind: 'tenant';
  workspaceId: string;
  apiKeyId: string;
}
export interface AdminAuth {
  kind: 'admin';
}
export type AuthFor<S extends Security> = S extends 'apiKey' ? TenantAuth : S extends 'adminToken' ? AdminAuth : undefined;

export interface OperationResult {
  status: number;
  body?: unknown;
}

export interface OperationResponse {
  status: number;
  description: string;
  schema?: z.ZodType;
}

type AnyObjectSchema = z.ZodObject<z.ZodRawShape>;

export interface OperationDefinition<
  S extends Security,
  P extends AnyObjectSchema | undefined,
  Q extends AnyObjectSchema | undefined,
  B extends z.ZodType | undefined,
> {
  operationId: string;
  method: HttpMethod;
  /** OpenAPI path template: `/v1/webhooks/{id}`. Also the `route` label of metrics. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  security: S;
  params?: P;
  query?: Q;
  /** A JSON body; `required: false` lets a client send none (taken as `{}`). */
  body?: { schema: B; required: boolean; description?: string };
  success: OperationResponse;
  /** Statuses this operation can answer besides those every operation of its kind can. */
  extraErrors?: ReadonlyArray<409 | 422 | 503>;
  handle(input: {
    auth: AuthFor<S>;
    params: P extends AnyObjectSchema ? z.output<P> : Record<string, never>;
    query: Q extends AnyObjectSchema ? z.output<Q> : Record<string, never>;
    body: B extends z.ZodType ? z.output<B> : undefined;
  }): Promise<OperationResult>;
}

/** An operation with its types erased, for lists of them. */
export interface Operation {
  operationId: string;
  method: HttpMethod;
  path: string;
  tag: string;
  summary: string;
  description?: string;
  security: Security;
  params?: AnyObjectSchema;
  query?: AnyObjectSchema;
  body?: { schema: z.ZodType; required: boolean; description?: string };
  success: OperationResponse;
  extraErrors?: ReadonlyArray<409 | 422 | 503>;
  handle(input: { auth: unknown; params: unknown; query: unknown; body: unknown }): Promise<OperationResult>;
}

export function defineOperation<
  S extends Security,
  P extends AnyObjectSchema | undefined = undefined,
  Q extends AnyObjectSchema | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(definition: OperationDefinition<S, P, Q, B>): Operation {
  return definition as unknown as Operation;
}

/** What mounting needs from the rest of the app: authentication, rate limiting, the body parser. */
export interface OperationMiddleware {
  authenticate(security: Exclude<Security, 'none'>, request: Request): Promise<TenantAuth | AdminAuth>;
  /** Throws RateLimitedError when the caller is over its budget. */
  consumeRateLimit(auth: TenantAuth | AdminAuth): void;
  /** Reads a JSON body (415 for another content type, 413 past 1 MiB); undefined when there is none. */
  readJsonBody(request: Request, response: Response): Promise<unknown>;
}

export function toExpressPath(path: string): string {
  return path.replace(/\{([a-zA-Z_]+)\}/g, ':$1');
}

export function problemsOf(error: z.ZodError, location: FieldLocation): FieldProblem[] {
  return error.issues.flatMap((issue): FieldProblem[] => {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: base ? `${base}.${key}` : key,
        location,
        message: location === 'query' ? 'unknown query parameter' : 'unknown field',
      }));
    }
    return [{ field: base || '(body)', location, message: issue.message }];
  });
}

function validationFailure(problems: FieldProblem[]): ValidationError {
  const fields = [...new Set(problems.map((problem) => problem.field))];
  return new ValidationError(`Invalid request: ${fields.join(', ')}`, { details: problems });
}

/** Records which operation served a request, for the metrics `route` label. */
export function setRouteLabel(response: Response, route: string): void {
  response.locals.route = route;
}

// Operations without query parameters still refuse unknown ones, like unknown body fields.
const EMPTY_QUERY = z.object({}).strict();

function handlerFor(operation: Operation, middleware: OperationMiddleware): RequestHandler {
  return async (request, response) => {
    setRouteLabel(response, operation.path);
    let auth: TenantAuth | AdminAuth | undefined;
    if (operation.security !== 'none') {
      auth = await middleware.authenticate(operation.security, request);
      middleware.consumeRateLimit(auth);
    }

    let params: unknown = {};
    if (operation.params) {
      const parsed = operation.params.safeParse(request.params);
      // An id that is not a UUID names no resource: 404, as for an unknown id.
      if (!parsed.success) throw new NotFoundError('No such resource');
      params = parsed.data;
    }

    const problems: FieldProblem[] = [];
    let query: unknown = {};
    const querySchema = operation.query ?? EMPTY_QUERY;
    const parsedQuery = querySchema.safeParse(request.query);
    if (parsedQuery.success) query = parsedQuery.data;
    else problems.push(...problemsOf(parsedQuery.error, 'query'));

    let body: unknown;
    if (operation.body) {
      const raw = await middleware.readJsonBody(request, response);
      const parsedBody = operation.body.schema.safeParse(raw === undefined && !operation.body.required ? {} : raw);
      if (parsedBody.success) body = parsedBody.data;
      else if (raw === undefined) problems.push({ field: '(body)', location: 'body', message: 'a JSON body is required' });
      else problems.push(...problemsOf(parsedBody.error, 'body'));
    }
    if (problems.length > 0) throw validationFailure(problems);

    const result = await operation.handle({ auth, params, query, body });
    response.status(result.status);
    if (result.body === undefined) response.end();
    else response.json(result.body);
  };
}

/**
 * Mounts every operation, then, per path, answers methods no operation serves with 405
 * and `Allow` (OPTIONS with 204 and `Allow`), so clients and fuzzers learn what exists.
 */
export function mountOperations(app: Express, operations: readonly Operation[], middleware: OperationMiddleware): void {
  const methodsByPath = new Map<string, string[]>();
  for (const operation of operations) {
    app[operation.method](toExpressPath(operation.path), handlerFor(operation, middleware));
    const methods = methodsByPath.get(operation.path) ?? [];
    methods.push(operation.method.toUpperCase());
    methodsByPath.set(operation.path, methods);
  }
  for (const [path, methods] of methodsByPath) {
    const allowed = methods.includes('GET') ? [...methods, 'HEAD'] : methods;
    app.all(toExpressPath(path), (request, response) => {
      setRouteLabel(response, path);
      if (request.method === 'OPTIONS') {
        response.setHeader('Allow', [...allowed, 'OPTIONS'].join(', '));
        response.status(204).end();
        return;
      }
      throw new MethodNotAllowedError(request.method, allowed);
    });
  }
}
