import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { WebhookDetailPage } from './pages/WebhookDetailPage';
import { catalog, installFakeApi, stats, webhook } from '../test/fake-api';

const ID = '11111111-1111-4111-8111-111111111111';

function Where() {
  return <output data-testid="location">{useLocation().pathname}</output>;
}

function renderDetail(state?: Record<string, unknown>) {
  return render(
    <MemoryRouter initialEntries={[{ pathname: `/webhooks/${ID}`, state }]}>
      <Routes>
        <Route path="/webhooks/:id" element={<WebhookDetailPage />} />
        <Route path="/webhooks" element={<p>The list</p>} />
      </Routes>
      <Where />
    </MemoryRouter>,
  );
}

describe('a webhook', () => {
  it('deletes only after an explicit confirmation; Escape cancels', async () => {
    const api = installFakeApi((request) => {
      if (request.method === 'DELETE') return { status: 204 };
      if (request.path.endsWith('/stats')) return { status: 200, body: stats() };
      if (request.path === `/v1/webhooks/${ID}`) return { status: 200, body: webhook() };
      return undefined;
    });
    renderDetail();
    await userEvent.click(await screen.findByRole('button', { name: 'Delete webhook…' }));
    const dialog = screen.getByRole('alertdialog');
    expect(dialog).toHaveFocus();
    expect(dialog).toHaveTextContent('Delete Case updates?');
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(api.requests.some((request) => request.method === 'DELETE')).toBe(false);

    await userEvent.click(screen.getByRole('button', { name: 'Delete webhook…' }));
    await userEvent.click(screen.getByRole('button', { name: 'Delete for good' }));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/webhooks'));
    expect(api.requests.filter((request) => request.method === 'DELETE').map((request) => request.path)).toEqual([`/v1/webhooks/${ID}`]);
  });

  it('retries the failed calls of a range after confirming, and shows the count the API reports', async () => {
    const api = installFakeApi((request) => {
      if (request.method === 'POST' && request.path.endsWith('/retry-failed')) return { status: 202, body: { count: 3 } };
      if (request.path.endsWith('/stats')) return { status: 200, body: stats() };
      if (request.path === `/v1/webhooks/${ID}`) return { status: 200, body: webhook() };
      return undefined;
    });
    renderDetail();
    fireEvent.change(await screen.findByLabelText('From'), { target: { value: '2026-12-01T00:00' } });
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2026-12-02T00:00' } });
    await userEvent.click(screen.getByRole('button', { name: 'Retry failed calls…' }));
    expect(api.requests.some((request) => request.method === 'POST')).toBe(false);
    await userEvent.click(screen.getByRole('button', { name: 'Retry them' }));
    expect(await screen.findByText('3 failed calls queued for a retry.')).toBeVisible();
    const sent = api.requests.find((request) => request.method === 'POST')?.body as { from: string; to: string };
    expect(new Date(sent.from).getTime()).toBe(new Date('2026-12-01T00:00').getTime());
    expect(new Date(sent.to).getTime()).toBe(new Date('2026-12-02T00:00').getTime());
  });

  it('shows a promoted webhook whose retries are paused, and since when, as text (never as HTML)', async () => {
    installFakeApi((request) => {
      if (request.path.endsWith('/stats')) return { status: 200, body: stats() };
      if (request.path === `/v1/webhooks/${ID}`) {
        return {
          status: 200,
          body: webhook({ name: '<b>bold</b>', promoted: true, retry_state: 'paused', retry_state_since: '2026-12-01T11:00:00.000Z' }),
        };
      }
      return undefined;
    });
    renderDetail();
    expect(await screen.findByText('retries paused')).toBeVisible();
    expect(screen.getByText('promoted')).toBeVisible();
    expect(screen.getByTestId('retry-state')).toHaveTextContent(/^Retries paused since 2026-12-01 11:00:00 UTC: too many failed calls/);
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('<b>bold</b>');
    expect(document.querySelector('h1 b')).toBeNull();
  });

  it('shows nothing of a pause for an ordinary webhook', async () => {
    installFakeApi((request) => {
      if (request.path.endsWith('/stats')) return { status: 200, body: stats() };
      if (request.path === `/v1/webhooks/${ID}`) return { status: 200, body: webhook() };
      return undefined;
    });
    renderDetail();
    await screen.findByRole('button', { name: 'Rotate secret' });
    expect(screen.queryByText('retries paused')).toBeNull();
    expect(screen.queryByTestId('retry-state')).toBeNull();
  });

  it('shows the secret once, after creation, and says until when the previous one signs after a rotation', async () => {
    const rotated = webhook({ secret: 'dotsecret.new', previous_secret_expires_at: '2026-12-01T12:00:00.000Z' });
    installFakeApi((request) => {
      if (request.method === 'POST' && request.path.endsWith('/rotate-secret')) return { status: 200, body: rotated };
      if (request.path.endsWith('/stats')) return { status: 200, body: stats() };
      if (request.path === `/v1/webhooks/${ID}`) return { status: 200, body: webhook({ secret: 'dotsecret.first' }) };
      return undefined;
    });
    const first = renderDetail({ secret: 'dotsecret.first' });
    expect(await screen.findByText('dotsecret.first')).toBeVisible();
    first.unmount();

    // Coming back later: the secret is not shown.
    renderDetail();
    await screen.findByRole('button', { name: 'Rotate secret' });
    expect(screen.queryByText('dotsecret.first')).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Rotate secret' }));
    await userEvent.click(screen.getByRole('button', { name: 'Rotate now' }));
    expect(await screen.findByText('dotsecret.new')).toBeVisible();
    expect(screen.getByText(/Until 2026-12-01 12:00:00 UTC, calls also carry a signature with the previous secret/)).toBeVisible();
  });
  it('sends a test event of the picked type and shows the attempt: status, duration, headers and body', async () => {
    const api = installFakeApi((request) => {
      if (request.method === 'POST' && request.path.endsWith('/test')) {
        return {
          status: 200,
          body: {
            call_id: '55555555-5555-4555-8555-555555555555',
            event: 'Individual.Created',
            sub_event: null,
            event_id: '66666666-6666-4666-8666-666666666666',
            endpoint: 'https://example.com/hook',
            succeeded: false,
            status_code: 500,
            error_kind: 'http_status',
            error: 'HTTP 500',
            duration_ms: 42,
            request_headers: { 'dotfile-signature': '<masked>' },
            response_headers: { 'content-type': 'text/plain', 'x-request-id': 'abc' },
            response_body: 'receiver exploded',
            payload: { event: 'Individual.Created' },
            attempted_at: '2026-12-01T10:00:00.000Z',
          },
        };
      }
      if (request.path === '/v1/events') return { status: 200, body: catalog };
      if (request.path.endsWith('/stats')) return { status: 200, body: stats() };
      if (request.path === `/v1/webhooks/${ID}`) return { status: 200, body: webhook({ status: 'offline' }) };
      return undefined;
    });
    renderDetail();
    const picker = await screen.findByLabelText('Event');
    // The webhook's first subscribed event is picked at first.
    await waitFor(() => expect(picker).toHaveValue('Case.Updated'));
    await userEvent.selectOptions(picker, 'Individual.Created');
    await userEvent.click(screen.getByRole('button', { name: 'Send test event' }));

    const result = await screen.findByRole('region', { name: 'Test call result' });
    expect(result).toHaveTextContent('HTTP 500 · 42 ms');
    expect(result).toHaveTextContent('x-request-id');
    expect(screen.getByTestId('test-response-body')).toHaveTextContent('receiver exploded');
    expect(screen.getByRole('link', { name: 'See it in the call log' })).toHaveAttribute('href', '/logs/55555555-5555-4555-8555-555555555555');
    const sent = api.requests.filter((request) => request.method === 'POST');
    expect(sent.map((request) => [request.path, request.body])).toEqual([[`/v1/webhooks/${ID}/test`, { event: 'Individual.Created' }]]);
  });

  it('says why a test call got no answer, and shows the API’s refusal of it', async () => {
    let answer: { status: number; body: unknown; headers?: Record<string, string> } = {
      status: 200,
      body: {
        call_id: '55555555-5555-4555-8555-555555555555',
        event: 'Case.Updated',
        sub_event: null,
        event_id: '66666666-6666-4666-8666-666666666666',
        endpoint: 'https://example.com/hook',
        succeeded: false,
        status_code: null,
        error_kind: 'timeout',
        error: 'The operation was aborted due to timeout',
        duration_ms: 30000,
        request_headers: {},
        response_headers: {},
        response_body: null,
        payload: { event: 'Case.Updated' },
        attempted_at: '2026-12-01T10:00:00.000Z',
      },
    };
    installFakeApi((request) => {
      if (request.method === 'POST' && request.path.endsWith('/test')) return answer;
      if (request.path === '/v1/events') return { status: 200, body: catalog };
      if (request.path.endsWith('/stats')) return { status: 200, body: stats() };
      if (request.path === `/v1/webhooks/${ID}`) return { status: 200, body: webhook() };
      return undefined;
    });
    renderDetail();
    await waitFor(() => expect(screen.getByLabelText('Event')).toHaveValue('Case.Updated'));
    await userEvent.click(screen.getByRole('button', { name: 'Send test event' }));
    expect(await screen.findByRole('region', { name: 'Test call result' })).toHaveTextContent('No answer: the receiver did not answer in time · 30000 ms');
    expect(screen.queryByTestId('test-response-body')).toBeNull();

    answer = { status: 429, body: { status_code: 429, code: 'rate_limited', message: 'Too many requests; retry after 6 s' }, headers: { 'Retry-After': '6' } };
    await userEvent.click(screen.getByRole('button', { name: 'Send test event' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(/6 s/);
    expect(screen.queryByRole('region', { name: 'Test call result' })).toBeNull();
  });
});
