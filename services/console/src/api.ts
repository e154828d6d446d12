/**
 * The console's only way to the server: the public REST API under /v1, same origin, with
 * the workspace API key from sessionStorage. The key is sent in the Authorization header
 * only: never in a URL, a log or an error shown to the user.
 */

const KEY_STORAGE = 'hookstream.apiKey';

export function storedApiKey(): string | null {
  try {
    return window.sessionStorage.getItem(KEY_STORAGE);
  } catch {
    return null;
  }
}

export function storeApiKey(key: string): void {
  window.sessionStorage.setItem(KEY_STORAGE, key);
}

export function forgetApiKey(): void {
  window.sessionStorage.removeItem(KEY_STORAGE);
}

export interface FieldProblem {
  field: string;
  location: string;
  message: string;
}

/** An answer of the API other than 2xx, or no answer at all (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: FieldProblem[];
  /** For a 429 (or 503): seconds to wait, from Retry-After. */
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, code: string, message: string, details: FieldProblem[] = [], retryAfterSeconds?: number) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The message of the detail naming this field, if any. */
  fieldMessage(field: string): string | undefined {
    return this.details.find((detail) => detail.field === field || detail.field.startsWith(`${field}.`))?.message;
  }
}

type Query = Record<string, string | number | undefined>;

export function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export async function apiRequest<T>(method: string, path: string, options: { body?: unknown; query?: Query; apiKey?: string } = {}): Promise<T> {
  const apiKey = options.apiKey ?? storedApiKey();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (apiKey) headers['x-dotfile-api-key'] = apiKey;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`/v1${path}${queryString(options.query)}`, {
      method,
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'network_error', 'The API could not be reached. Check your connection and try again.');
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = (body ?? {}) as { code?: string; message?: string; details?: FieldProblem[] };
    const retryAfter = Number(response.headers.get('retry-after'));
    throw new ApiError(
      response.status,
      error.code ?? 'unknown',
      error.message ?? `The API answered ${response.status}`,
      Array.isArray(error.details) ? error.details : [],
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    );
  }
  return body as T;
}

export interface Pagination {
  page: number;
  limit: number;
  count: number;
}

export interface Webhook {
  id: string;
  name: string | null;
  url: string;
  events: string[];
  status: 'online' | 'offline';
  secret: string;
  previous_secret_expires_at: string | null;
  offline_reason: string | null;
  /** Never set offline automatically: over the failure threshold its automatic retries pause instead. */
  promoted: boolean;
  retry_state: 'normal' | 'paused' | 'resuming';
  retry_state_since: string | null;
  created_at: string;
  updated_at: string;
}

export interface CatalogEvent {
  type: string;
  family: string;
  parent: string | null;
  description: string;
}

export interface Attempt {
  id: string;
  type: string;
  retry_count: number;
  endpoint: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  request_headers: Record<string, string>;
  response_headers: Record<string, string> | null;
  response_body: string | null;
  attempted_at: string;
}

export type CallStatus = 'pending' | 'succeeded' | 'retrying' | 'failed' | 'cancelled';
export const CALL_STATUSES: readonly CallStatus[] = ['pending', 'succeeded', 'retrying', 'failed', 'cancelled'];

export interface CallLog {
  id: string;
  webhook_id: string;
  event: string;
  sub_event: string | null;
  event_id: string;
  kind: 'delivery' | 'test';
  status: CallStatus;
  status_reason: string | null;
  status_code: number | null;
  endpoint: string | null;
  retry_count: number;
  next_retry_at: string | null;
  case_id: string | null;
  individual_id: string | null;
  company_id: string | null;
  payload: Record<string, unknown> | null;
  created_at: string;
  last_attempt_at: string | null;
  attempts: Attempt[];
}

export interface WebhookStats {
  webhook_id: string;
  from: string;
  to: string;
  hours: Array<{ hour: string; succeeded: number; failed: number }>;
  failures_in_window: number;
  offline_threshold: number;
  offline_window_hours: number;
}

/** A replay of a webhook (docs/replays.md): a background job with its progress. */
export interface Replay {
  id: string;
  webhook_id: string;
  from: string;
  to: string;
  events: string[] | null;
  status: 'running' | 'done' | 'failed' | 'cancelled';
  failure_reason: string | null;
  events_scanned: number;
  calls_made: number;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

/** The answer of POST /v1/webhooks/{id}/test: the one attempt made. */
export interface TestCallResult {
  call_id: string;
  event: string;
  sub_event: string | null;
  event_id: string;
  endpoint: string;
  succeeded: boolean;
  status_code: number | null;
  error_kind: string | null;
  error: string | null;
  duration_ms: number;
  request_headers: Record<string, string>;
  response_headers: Record<string, string>;
  response_body: string | null;
  payload: Record<string, unknown>;
  attempted_at: string;
}

export interface WebhookInput {
  url?: string;
  events?: string[];
  name?: string | null;
  status?: 'online' | 'offline';
  promoted?: boolean;
}

export const api = {
  listWebhooks: (query: Query) => apiRequest<{ data: Webhook[]; pagination: Pagination }>('GET', '/webhooks', { query }),
  getWebhook: (id: string) => apiRequest<Webhook>('GET', `/webhooks/${encodeURIComponent(id)}`),
  createWebhook: (body: WebhookInput) => apiRequest<Webhook>('POST', '/webhooks', { body }),
  updateWebhook: (id: string, body: WebhookInput) => apiRequest<Webhook>('PATCH', `/webhooks/${encodeURIComponent(id)}`, { body }),
  deleteWebhook: (id: string) => apiRequest<void>('DELETE', `/webhooks/${encodeURIComponent(id)}`),
  rotateSecret: (id: string, graceHours: number) =>
    apiRequest<Webhook>('POST', `/webhooks/${encodeURIComponent(id)}/rotate-secret`, { body: { grace_period_hours: graceHours } }),
  retryFailed: (id: string, from: string, to: string) =>
    apiRequest<{ count: number }>('POST', `/webhooks/${encodeURIComponent(id)}/retry-failed`, { body: { from, to } }),
  sendTestCall: (id: string, event: string) => apiRequest<TestCallResult>('POST', `/webhooks/${encodeURIComponent(id)}/test`, { body: { event } }),
  createReplay: (id: string, body: { from: string; to: string; events?: string[] }) =>
    apiRequest<Replay>('POST', `/webhooks/${encodeURIComponent(id)}/replays`, { body }),
  listReplays: (id: string) => apiRequest<{ data: Replay[] }>('GET', `/webhooks/${encodeURIComponent(id)}/replays`),
  cancelReplay: (id: string) => apiRequest<Replay>('POST', `/replays/${encodeURIComponent(id)}/cancel`),
  webhookStats: (id: string) => apiRequest<WebhookStats>('GET', `/webhooks/${encodeURIComponent(id)}/stats`),
  catalog: () => apiRequest<{ data: CatalogEvent[] }>('GET', '/events'),
  listCalls: (query: Query) => apiRequest<{ data: CallLog[]; pagination: Pagination }>('GET', '/webhook-logs', { query }),
  getCall: (id: string) => apiRequest<CallLog>('GET', `/webhook-logs/${encodeURIComponent(id)}`),
  retryCall: (id: string) => apiRequest<CallLog>('POST', `/webhook-logs/${encodeURIComponent(id)}/retry`),
};
