import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router';
import { ApiError, api, type Webhook } from '../api';
import { ErrorMessage } from '../components/ErrorMessage';
import { EventPicker } from '../components/EventPicker';
import { useApi } from '../useApi';

/** Create a webhook, or edit one (`/webhooks/:id/edit`). */
export function WebhookFormPage() {
  const { id } = useParams();
  const navigate = useNavigate();
  const catalog = useApi(() => api.catalog(), 'catalog');
  const existing = useApi<Webhook | undefined>(() => (id ? api.getWebhook(id) : Promise.resolve(undefined)), id ?? 'new');
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<Set<string>>(new Set());
  const [promoted, setPromoted] = useState(false);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (existing.data) {
      setName(existing.data.name ?? '');
      setUrl(existing.data.url);
      setEvents(new Set(existing.data.events));
      setPromoted(existing.data.promoted);
    }
  }, [existing.data]);

  useEffect(() => {
    document.title = `${id ? 'Edit webhook' : 'New webhook'} · hookstream console`;
  }, [id]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    const body = { name: name.trim() === '' ? null : name.trim(), url: url.trim(), events: [...events], promoted };
    try {
      if (id) {
        await api.updateWebhook(id, body);
        navigate(`/webhooks/${id}`, { state: { flash: 'Webhook saved.' } });
      } else {
        const created = await api.createWebhook(body);
        navigate(`/webhooks/${created.id}`, { state: { secret: created.secret, flash: 'Webhook created.' } });
      }
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };

  const apiError = error instanceof ApiError ? error : undefined;
  const fieldError = (field: string) => apiError?.fieldMessage(field);

  if (id && existing.error) return <ErrorMessage error={existing.error} backTo="/webhooks" backLabel="Back to the webhooks" />;

  return (
    <section>
      <h1>{id ? 'Edit webhook' : 'New webhook'}</h1>
      <form onSubmit={(submitEvent) => void submit(submitEvent)} noValidate>
        <div className="field">
          <label htmlFor="webhook-name">Name (optional)</label>
          <input
            id="webhook-name"
            value={name}
            onChange={(change) => setName(change.target.value)}
            aria-invalid={fieldError('name') ? true : undefined}
            aria-describedby={fieldError('name') ? 'name-error' : undefined}
          />
          {fieldError('name') ? (
            <p id="name-error" className="field-error">
              {fieldError('name')}
            </p>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor="webhook-url">Endpoint URL</label>
          <input
            id="webhook-url"
            type="url"
            required
            value={url}
            placeholder="https://example.com/webhooks"
            onChange={(change) => setUrl(change.target.value)}
            aria-invalid={fieldError('url') ? true : undefined}
            aria-describedby={fieldError('url') ? 'url-error' : undefined}
          />
          {fieldError('url') ? (
            <p id="url-error" className="field-error">
              {fieldError('url')}
            </p>
          ) : null}
        </div>
        <ErrorMessage error={catalog.error} />
        {catalog.data ? (
          <EventPicker catalog={catalog.data.data} selected={events} onChange={setEvents} errorId={fieldError('events') ? 'events-error' : undefined} />
        ) : (
          <p role="status">Loading the event catalog…</p>
        )}
        {fieldError('events') ? (
          <p id="events-error" className="field-error">
            Events: {fieldError('events')}
          </p>
        ) : null}
        <div className="field">
          <label className="checkbox">
            <input type="checkbox" checked={promoted} onChange={(change) => setPromoted(change.target.checked)} aria-describedby="promoted-help" />{' '}
            Promoted
          </label>
          <p id="promoted-help" className="muted">
            Never set offline automatically. After too many failed calls, its automatic retries pause instead (first calls still go out) and resume, oldest
            first, once a probe call succeeds.
          </p>
        </div>
        {error && !(apiError && apiError.details.length > 0 && apiError.details.every((detail) => ['name', 'url', 'events'].includes(detail.field.split('.')[0] ?? ''))) ? (
          <ErrorMessage error={error} backTo="/webhooks" backLabel="Back to the webhooks" />
        ) : apiError ? (
          <p role="alert" className="error">
            {apiError.message}
          </p>
        ) : null}
        <div className="actions">
          <button type="submit" disabled={busy}>
            {id ? 'Save' : 'Create webhook'}
          </button>
          <button type="button" className="secondary" onClick={() => navigate(id ? `/webhooks/${id}` : '/webhooks')}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
