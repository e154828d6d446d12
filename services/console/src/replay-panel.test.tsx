import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { ReplayPanel } from './components/ReplayPanel';
import { installFakeApi } from '../test/fake-api';

const WEBHOOK = '11111111-1111-4111-8111-111111111111';
const REPLAY = '22222222-2222-4222-8222-222222222222';

function replay(overrides: Record<string, unknown> = {}) {
  return {
    id: REPLAY,
    webhook_id: WEBHOOK,
    from: '2026-12-01T00:00:00.000Z',
    to: '2026-12-02T00:00:00.000Z',
    events: ['Case.Created'],
    status: 'running',
    failure_reason: null,
    events_scanned: 1200,
    calls_made: 300,
    created_at: '2026-12-05T10:00:00.000Z',
    updated_at: '2026-12-05T10:00:05.000Z',
    finished_at: null,
    ...overrides,
  };
}

function renderPanel() {
  return render(
    <MemoryRouter>
      <ReplayPanel webhookId={WEBHOOK} subscribed={['Case.Created', 'Case.Updated']} />
    </MemoryRouter>,
  );
}

describe('the replay form', () => {
  it('starts a replay of the chosen range and event types, shows its progress and cancels it', async () => {
    let replays: unknown[] = [];
    const api = installFakeApi((request) => {
      if (request.method === 'POST' && request.path === `/v1/webhooks/${WEBHOOK}/replays`) {
        replays = [replay()];
        return { status: 202, body: replay() };
      }
      if (request.method === 'POST' && request.path === `/v1/replays/${REPLAY}/cancel`) {
        replays = [replay({ status: 'cancelled', finished_at: '2026-12-05T10:00:09.000Z' })];
        return { status: 200, body: replays[0] };
      }
      if (request.path === `/v1/webhooks/${WEBHOOK}/replays`) return { status: 200, body: { data: replays } };
      return undefined;
    });
    renderPanel();
    fireEvent.change(await screen.findByLabelText('Replay from'), { target: { value: '2026-12-01T00:00' } });
    fireEvent.change(screen.getByLabelText('Replay to'), { target: { value: '2026-12-02T00:00' } });
    await userEvent.click(screen.getByRole('checkbox', { name: 'Case.Created' }));
    await userEvent.click(screen.getByRole('button', { name: 'Replay events' }));

    const sent = api.requests.find((request) => request.method === 'POST')?.body as { from: string; to: string; events: string[] };
    expect(new Date(sent.from).getTime()).toBe(new Date('2026-12-01T00:00').getTime());
    expect(new Date(sent.to).getTime()).toBe(new Date('2026-12-02T00:00').getTime());
    expect(sent.events).toEqual(['Case.Created']);

    const table = await screen.findByRole('table', { name: 'Recent replays' });
    const row = within(table).getAllByRole('row')[1] as HTMLElement;
    expect(row).toHaveTextContent('Running');
    expect(row).toHaveTextContent('1200');
    expect(row).toHaveTextContent('300');

    await userEvent.click(within(row).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(within(screen.getByRole('table', { name: 'Recent replays' })).getAllByRole('row')[1]).toHaveTextContent('Cancelled'));
    expect(api.requests.filter((request) => request.method === 'POST').map((request) => request.path)).toEqual([
      `/v1/webhooks/${WEBHOOK}/replays`,
      `/v1/replays/${REPLAY}/cancel`,
    ]);
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull();
  });

  it('sends every event type when none is checked, and shows the reasons the API gives as text', async () => {
    const api = installFakeApi((request) => {
      if (request.method === 'POST') {
        return {
          status: 422,
          body: {
            status_code: 422,
            code: 'range_unavailable',
            message: 'Kafka no longer holds domain events from <b>then</b>',
            details: [{ field: 'from', location: 'body', message: 'must be at or after 2026-11-29T00:00:00.000Z, the oldest time available' }],
          },
        };
      }
      if (request.path === `/v1/webhooks/${WEBHOOK}/replays`) return { status: 200, body: { data: [] } };
      return undefined;
    });
    renderPanel();
    fireEvent.change(await screen.findByLabelText('Replay from'), { target: { value: '2026-11-01T00:00' } });
    fireEvent.change(screen.getByLabelText('Replay to'), { target: { value: '2026-11-02T00:00' } });
    await userEvent.click(screen.getByRole('button', { name: 'Replay events' }));

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Kafka no longer holds domain events from <b>then</b>');
    expect(alert.querySelector('b')).toBeNull();
    expect(alert).toHaveTextContent('the oldest time available');
    expect((api.requests.find((request) => request.method === 'POST')?.body as Record<string, unknown>).events).toBeUndefined();
  });

  it('asks for both ends of the range before sending anything', async () => {
    const api = installFakeApi((request) => (request.path === `/v1/webhooks/${WEBHOOK}/replays` ? { status: 200, body: { data: [] } } : undefined));
    renderPanel();
    await userEvent.click(await screen.findByRole('button', { name: 'Replay events' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Pick the start and the end of the range.');
    expect(api.requests.some((request) => request.method === 'POST')).toBe(false);
  });
});
