/**
 * A stand-in for the API in component tests: answers `fetch` from a table of handlers
 * and records every request (method, path with query, headers, body). The real API is
 * exercised by the browser tests in packages/e2e.
 */
export interface RecordedRequest {
  method: string;
  url: string;
  path: string;
  search: URLSearchParams;
  headers: Record<string, string>;
  body: unknown;
}

type Handler = (request: RecordedRequest) => { status: number; body?: unknown; headers?: Record<string, string> } | undefined;

export function installFakeApi(handler: Handler) {
  const requests: RecordedRequest[] = [];
  const fetchImpl = async (input: string, init: { method?: string; headers?: Record<string, string>; body?: string | null } = {}) => {
    const url = new URL(input, 'http://console.test');
    const request: RecordedRequest = {
      method: init.method ?? 'GET',
      url: input,
      path: url.pathname,
      search: url.searchParams,
      headers: init.headers ?? {},
      body: init.body ? JSON.parse(init.body) : undefined,
    };
    requests.push(request);
    const answer = handler(request) ?? { status: 404, body: { status_code: 404, code: 'not_found', message: 'Not found' } };
    const headers = new Map(Object.entries(answer.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
    const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
    return {
      status: answer.status,
      ok: answer.status >= 200 && answer.status < 300,
      headers: { get: (name: string) => headers.get(name.toLowerCase()) ?? null },
      text: async () => text,
    };
  };
  (globalThis as { fetch?: unknown }).fetch = fetchImpl;
  return { requests };
}

export const catalog = {
  data: [
    { type: 'Case.Created', family: 'Case', parent: null, description: 'A case was created' },
    { type: 'Case.Updated', family: 'Case', parent: null, description: 'A case changed' },
    { type: 'Case.StatusUpdated', family: 'Case', parent: 'Case.Updated', description: 'The status of a case changed' },
    { type: 'Individual.Created', family: 'Individual', parent: null, description: 'An individual was created' },
  ],
};

export function webhook(overrides: Record<string, unknown> = {}) {
  return {
    id: '11111111-1111-4111-8111-111111111111',
    name: 'Case updates',
    url: 'https://example.com/hook',
    events: ['Case.Updated'],
    status: 'online',
    secret: 'whsec_secret',
    previous_secret_expires_at: null,
    offline_reason: null,
    promoted: false,
    retry_state: 'normal',
    retry_state_since: null,
    created_at: '2026-12-01T10:00:00.000Z',
    updated_at: '2026-12-01T10:00:00.000Z',
    ...overrides,
  };
}

export function callLog(overrides: Record<string, unknown> = {}) {
  return {
    id: '22222222-2222-4222-8222-222222222222',
    webhook_id: '11111111-1111-4111-8111-111111111111',
    event: 'Case.Updated',
    sub_event: 'Case.StatusUpdated',
    event_id: '33333333-3333-4333-8333-333333333333',
    kind: 'delivery',
    status: 'retrying',
    status_reason: null,
    status_code: 500,
    endpoint: 'https://example.com/hook',
    retry_count: 0,
    next_retry_at: '2026-12-01T11:00:00.000Z',
    case_id: 'case-1',
    individual_id: null,
    company_id: null,
    payload: { event: 'Case.Updated', data: { name: '<img src=x onerror=alert(1)>' } },
    created_at: '2026-12-01T10:00:00.000Z',
    last_attempt_at: '2026-12-01T10:00:01.000Z',
    attempts: [
      {
        id: '44444444-4444-4444-8444-444444444444',
        type: 'first_call',
        retry_count: 0,
        endpoint: 'https://example.com/hook',
        status_code: 500,
        error: 'HTTP 500',
        duration_ms: 42,
        request_headers: { 'dotfile-signature': '***', 'dotfile-remaining-retry-count': '4', 'content-type': 'application/json' },
        response_headers: { 'content-type': 'text/plain' },
        response_body: 'database down',
        attempted_at: '2026-12-01T10:00:01.000Z',
      },
    ],
    ...overrides,
  };
}

export function stats(webhookId = '11111111-1111-4111-8111-111111111111') {
  return {
    webhook_id: webhookId,
    from: '2026-11-30T11:00:00.000Z',
    to: '2026-12-01T11:00:00.000Z',
    hours: Array.from({ length: 24 }, (_, index) => ({
      hour: new Date(Date.parse('2026-11-30T11:00:00.000Z') + index * 3_600_000).toISOString(),
      succeeded: index,
      failed: index % 3,
    })),
    failures_in_window: 12,
    offline_threshold: 50,
    offline_window_hours: 24,
  };
}
