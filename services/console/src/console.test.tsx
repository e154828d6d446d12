import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { App } from './App';
import { ApiError } from './api';
import { ErrorMessage } from './components/ErrorMessage';
import { CallDetailPage } from './pages/CallDetailPage';
import { CallLogsPage } from './pages/CallLogsPage';
import { WebhookFormPage } from './pages/WebhookFormPage';
import { callLog, catalog, installFakeApi, stats, webhook } from '../test/fake-api';

const KEY = 'dfk_test_0123456789abcdef';

function LocationProbe() {
  const location = useLocation();
  return <output data-testid="location">{`${location.pathname}${location.search}`}</output>;
}

function renderAt(path: string, routes: React.ReactNode) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <Routes>{routes}</Routes>
      <LocationProbe />
    </MemoryRouter>,
  );
}

beforeEach(() => {
  window.sessionStorage.clear();
});

describe('signing in with the workspace API key', () => {
  it('says a refused key is wrong or revoked, and keeps nothing', async () => {
    const api = installFakeApi(() => ({ status: 401, body: { status_code: 401, code: 'unauthorized', message: 'Invalid API key' } }));
    render(
      <MemoryRouter initialEntries={['/webhooks']}>
        <App />
      </MemoryRouter>,
    );
    await userEvent.type(screen.getByLabelText('Workspace API key'), 'dfk_revoked');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('This API key was refused: it is wrong or has been revoked.');
    expect(window.sessionStorage.length).toBe(0);
    expect(api.requests[0]?.headers['x-dotfile-api-key']).toBe('dfk_revoked');
    expect(api.requests[0]?.url).not.toContain('dfk_revoked');
  });

  it('keeps a good key in sessionStorage only, sends it in a header, and forgets it on sign out', async () => {
    const api = installFakeApi((request) => {
      if (request.path === '/v1/webhooks') return { status: 200, body: { data: [webhook()], pagination: { page: 1, limit: 20, count: 1 } } };
      if (request.path.endsWith('/stats')) return { status: 200, body: stats() };
      return undefined;
    });
    render(
      <MemoryRouter initialEntries={['/webhooks']}>
        <App />
      </MemoryRouter>,
    );
    await userEvent.type(screen.getByLabelText('Workspace API key'), KEY);
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('link', { name: 'Case updates' })).toBeVisible();
    expect(window.sessionStorage.getItem('hookstream.apiKey')).toBe(KEY);
    expect(window.localStorage.length).toBe(0);
    expect(api.requests.every((request) => !request.url.includes(KEY) && request.headers['x-dotfile-api-key'] === KEY)).toBe(true);
    // Failures against the offline threshold, from the stats.
    expect(await screen.findByText('12 / 50')).toBeVisible();

    await userEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(window.sessionStorage.getItem('hookstream.apiKey')).toBeNull();
    expect(screen.getByLabelText('Workspace API key')).toBeVisible();
  });

  it('sends a user back to sign in when the key is revoked while they work', async () => {
    window.sessionStorage.setItem('hookstream.apiKey', KEY);
    installFakeApi(() => ({ status: 401, body: { status_code: 401, code: 'unauthorized', message: 'Invalid API key' } }));
    render(
      <MemoryRouter initialEntries={['/webhooks']}>
        <App />
      </MemoryRouter>,
    );
    expect(await screen.findByText(/Your API key was refused/)).toBeVisible();
    await userEvent.click(screen.getByRole('button', { name: 'Sign in with another key' }));
    expect(screen.getByRole('status')).toHaveTextContent('Your API key was refused (wrong or revoked)');
    expect(window.sessionStorage.getItem('hookstream.apiKey')).toBeNull();
  });
});

describe('the webhook form', () => {
  it('shows the catalog as a tree, with sub-events included by their top-level event', async () => {
    installFakeApi((request) => (request.path === '/v1/events' ? { status: 200, body: catalog } : undefined));
    renderAt('/webhooks/new', <Route path="/webhooks/new" element={<WebhookFormPage />} />);
    const sub = await screen.findByRole('checkbox', { name: /Case\.StatusUpdated/ });
    expect(sub).not.toBeChecked();
    await userEvent.click(screen.getByRole('checkbox', { name: /^Case\.Updated/ }));
    expect(sub).toBeChecked();
    expect(sub).toBeDisabled();
    expect(screen.getByText('(included by Case.Updated)')).toBeVisible();
    expect(screen.getByText(/subscribing to it already includes them/)).toBeVisible();
  });

  it('shows the API\'s validation errors next to the fields they name', async () => {
    const api = installFakeApi((request) => {
      if (request.path === '/v1/events') return { status: 200, body: catalog };
      if (request.method === 'POST' && request.path === '/v1/webhooks') {
        return {
          status: 400,
          body: {
            status_code: 400,
            code: 'validation_error',
            message: 'Invalid request',
            details: [
              { field: 'url', location: 'body', message: 'must be an https URL' },
              { field: 'events', location: 'body', message: 'must contain at least 1 item' },
            ],
          },
        };
      }
      return undefined;
    });
    renderAt('/webhooks/new', <Route path="/webhooks/new" element={<WebhookFormPage />} />);
    await screen.findByRole('checkbox', { name: /Case\.Created/ });
    await userEvent.type(screen.getByLabelText('Endpoint URL'), 'ftp://example.com');
    await userEvent.click(screen.getByRole('button', { name: 'Create webhook' }));
    const url = screen.getByLabelText('Endpoint URL');
    await waitFor(() => expect(url).toHaveAttribute('aria-invalid', 'true'));
    expect(url).toHaveAccessibleDescription('must be an https URL');
    expect(screen.getByText('Events: must contain at least 1 item')).toBeVisible();
    expect(api.requests.find((request) => request.method === 'POST')?.body).toEqual({ name: null, url: 'ftp://example.com', events: [], promoted: false });
  });
});

describe('the webhook form', () => {
  it('edits whether a webhook is promoted: the toggle shows the current value and is sent with the rest', async () => {
    const id = '11111111-1111-4111-8111-111111111111';
    const api = installFakeApi((request) => {
      if (request.path === '/v1/events') return { status: 200, body: catalog };
      if (request.path === `/v1/webhooks/${id}` && request.method === 'GET') return { status: 200, body: webhook({ promoted: true }) };
      if (request.path === `/v1/webhooks/${id}` && request.method === 'PATCH') return { status: 200, body: webhook({ promoted: false }) };
      return undefined;
    });
    renderAt(`/webhooks/${id}/edit`, <Route path="/webhooks/:id/edit" element={<WebhookFormPage />} />);
    const toggle = await screen.findByRole('checkbox', { name: 'Promoted' });
    await waitFor(() => expect(toggle).toBeChecked());
    expect(toggle).toHaveAccessibleDescription(/Never set offline automatically/);
    await userEvent.click(toggle);
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(api.requests.some((request) => request.method === 'PATCH')).toBe(true));
    expect(api.requests.find((request) => request.method === 'PATCH')?.body).toMatchObject({ promoted: false });
  });
});

describe('the call logs', () => {
  it('sends the filters of the URL to the API, and puts new filters in the URL', async () => {
    const api = installFakeApi((request) => {
      if (request.path === '/v1/webhook-logs') return { status: 200, body: { data: [callLog()], pagination: { page: 2, limit: 50, count: 51 } } };
      if (request.path === '/v1/webhooks') return { status: 200, body: { data: [webhook()], pagination: { page: 1, limit: 100, count: 1 } } };
      if (request.path === '/v1/events') return { status: 200, body: catalog };
      return undefined;
    });
    renderAt('/logs?status=failed&case_id=case-1&page=2', <Route path="/logs" element={<CallLogsPage />} />);
    expect(await screen.findByText('51 calls')).toBeVisible();
    const list = api.requests.find((request) => request.path === '/v1/webhook-logs');
    expect(Object.fromEntries(list?.search ?? [])).toEqual({ status: 'failed', case_id: 'case-1', page: '2', limit: '50', sort: 'created_at.desc' });

    await userEvent.clear(screen.getByLabelText('Case id'));
    await userEvent.type(screen.getByLabelText('Company id'), 'acme');
    await userEvent.click(screen.getByRole('button', { name: 'Apply filters' }));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/logs?status=failed&company_id=acme'));
    await userEvent.click(screen.getByRole('button', { name: /Created ↓/ }));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/logs?status=failed&company_id=acme&sort=created_at.asc'));
    const last = api.requests.filter((request) => request.path === '/v1/webhook-logs').at(-1);
    expect(last?.search.get('sort')).toBe('created_at.asc');
  });
});

describe('a call', () => {
  it('shows the payload as text, the attempts with masked signatures, and the result of a manual retry', async () => {
    let retried = false;
    const api = installFakeApi((request) => {
      if (request.method === 'POST' && request.path.endsWith('/retry')) {
        retried = true;
        return { status: 202, body: callLog({ status: 'pending', next_retry_at: null }) };
      }
      if (request.path.startsWith('/v1/webhook-logs/')) {
        if (!retried) return { status: 200, body: callLog() };
        const first = callLog().attempts[0];
        return {
          status: 200,
          body: callLog({
            status: 'succeeded',
            status_code: 200,
            next_retry_at: null,
            retry_count: 1,
            attempts: [first, { ...first, id: '55555555-5555-4555-8555-555555555555', type: 'manual_retry', retry_count: 1, status_code: 200, error: null, response_body: 'ok' }],
          }),
        };
      }
      return undefined;
    });
    const { container } = renderAt('/logs/22222222-2222-4222-8222-222222222222', <Route path="/logs/:id" element={<CallDetailPage />} />);
    expect(await screen.findByLabelText('Payload as sent')).toHaveTextContent('"name": "<img src=x onerror=alert(1)>"');
    expect(container.querySelector('img')).toBeNull();
    expect(screen.getByTestId('remaining-retries')).toHaveTextContent('4');
    expect(screen.getByText('database down')).toBeInTheDocument();
    const signature = screen.getByRole('rowheader', { name: 'dotfile-signature' }).closest('tr') as HTMLElement;
    expect(within(signature).getByRole('cell')).toHaveTextContent('***');

    await userEvent.click(screen.getByRole('button', { name: 'Retry now' }));
    expect(await screen.findByText('Retry done: HTTP 200, the call is succeeded.', {}, { timeout: 5000 })).toBeVisible();
    expect(screen.getByTestId('next-retry')).toHaveTextContent('None');
    expect(screen.getByTestId('remaining-retries')).toHaveTextContent('0');
    expect(screen.getByRole('button', { name: 'Retry now' })).toBeDisabled();
    expect(api.requests.filter((request) => request.method === 'POST')).toHaveLength(1);
  });
});

describe('API errors', () => {
  function renderError(error: unknown) {
    return render(
      <MemoryRouter>
        <ErrorMessage error={error} backTo="/webhooks" backLabel="Back to the webhooks" />
      </MemoryRouter>,
    );
  }

  it('shows the message and each field detail', () => {
    renderError(new ApiError(409, 'conflict', 'The webhook is offline', [{ field: 'status', location: 'body', message: 'must be online' }]));
    expect(screen.getByRole('alert')).toHaveTextContent('The webhook is offline');
    expect(screen.getByRole('alert')).toHaveTextContent('status: must be online');
  });

  it('tells when to try again after a 429', () => {
    renderError(new ApiError(429, 'rate_limited', 'Too many requests', [], 7));
    expect(screen.getByRole('alert')).toHaveTextContent('Too many requests. Try again in 7 s');
  });

  it('says an expired page no longer exists and offers the way back', () => {
    renderError(new ApiError(404, 'not_found', 'No webhook with this id'));
    expect(screen.getByRole('alert')).toHaveTextContent('This page has expired');
    expect(screen.getByRole('link', { name: 'Back to the webhooks' })).toHaveAttribute('href', '/webhooks');
  });
});
