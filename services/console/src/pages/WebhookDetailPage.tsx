import { useEffect, useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { api, type Webhook } from '../api';
import { Confirm } from '../components/Confirm';
import { CopyButton } from '../components/CopyButton';
import { ErrorMessage } from '../components/ErrorMessage';
import { StatsChart } from '../components/StatsChart';
import { ReplayPanel } from '../components/ReplayPanel';
import { TestCallPanel } from '../components/TestCallPanel';
import { formatDateTime, localInputToIso, offlineReasonText, relativeTime, retryStateText } from '../format';
import { useApi } from '../useApi';

interface LocationState {
  secret?: string;
  flash?: string;
}

export function WebhookDetailPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const location = useLocation();
  const state = (location.state ?? {}) as LocationState;
  const webhook = useApi(() => api.getWebhook(id), id);
  const stats = useApi(() => api.webhookStats(id), `stats:${id}`);
  const [shown, setShown] = useState<Webhook | undefined>();
  const [secret, setSecret] = useState<string | undefined>(state.secret);
  const [flash, setFlash] = useState<string | undefined>(state.flash);
  const [actionError, setActionError] = useState<unknown>();
  const [confirming, setConfirming] = useState<'delete' | 'rotate' | 'retry' | undefined>();
  const [graceHours, setGraceHours] = useState('24');
  const [rangeFrom, setRangeFrom] = useState('');
  const [rangeTo, setRangeTo] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (webhook.data) setShown(webhook.data);
  }, [webhook.data]);

  useEffect(() => {
    // The secret is shown once: reloading or coming back later does not show it again.
    if (state.secret) navigate(location.pathname, { replace: true, state: {} });
  }, [state.secret, location.pathname, navigate]);

  useEffect(() => {
    document.title = `${shown?.name ?? 'Webhook'} · hookstream console`;
  }, [shown]);

  const act = async (action: () => Promise<void>) => {
    setBusy(true);
    setActionError(undefined);
    setFlash(undefined);
    try {
      await action();
    } catch (caught) {
      setActionError(caught);
    } finally {
      setBusy(false);
      setConfirming(undefined);
    }
  };

  if (webhook.error) return <ErrorMessage error={webhook.error} backTo="/webhooks" backLabel="Back to the webhooks" />;
  if (!shown) return <p role="status">Loading…</p>;

  const setStatus = (status: 'online' | 'offline') =>
    act(async () => {
      setShown(await api.updateWebhook(id, { status }));
      setFlash(status === 'online' ? 'The webhook is online: calls are sent again.' : 'The webhook is offline: no calls are sent to it.');
      stats.reload();
    });

  const rotate = () =>
    act(async () => {
      const rotated = await api.rotateSecret(id, Number(graceHours));
      setShown(rotated);
      setSecret(rotated.secret);
      setFlash(
        rotated.previous_secret_expires_at
          ? `Secret rotated. Until ${formatDateTime(rotated.previous_secret_expires_at)}, calls also carry a signature with the previous secret (Dotfile-Old-Signature).`
          : 'Secret rotated. The previous secret is no longer used.',
      );
    });

  const retryRange = () =>
    act(async () => {
      const from = localInputToIso(rangeFrom);
      const to = localInputToIso(rangeTo);
      const result = await api.retryFailed(id, from ?? '', to ?? '');
      setFlash(`${result.count} failed call${result.count === 1 ? '' : 's'} queued for a retry.`);
    });

  const remove = () =>
    act(async () => {
      await api.deleteWebhook(id);
      navigate('/webhooks', { replace: true });
    });

  return (
    <section>
      <p>
        <Link to="/webhooks">← Webhooks</Link>
      </p>
      <div className="title-row">
        <h1>{shown.name ?? shown.url}</h1>
        <span className={`badge ${shown.status}`}>{shown.status}</span>
        {shown.promoted ? <span className="badge promoted">promoted</span> : null}
        {shown.retry_state === 'paused' ? <span className="badge paused">retries paused</span> : null}
      </div>
      {flash ? (
        <p className="notice" role="status">
          {flash}
        </p>
      ) : null}
      <ErrorMessage error={actionError} backTo="/webhooks" backLabel="Back to the webhooks" />
      {secret ? (
        <div className="secret" role="region" aria-label="Signing secret">
          <p>
            <strong>Signing secret</strong> (shown once: keep it now, it verifies the Dotfile-Signature of each call):
          </p>
          <code className="secret-value">{secret}</code> <CopyButton text={secret} label="Copy secret" />
        </div>
      ) : null}
      <dl className="facts">
        <dt>URL</dt>
        <dd className="url">{shown.url}</dd>
        <dt>Events</dt>
        <dd>{shown.events.join(', ')}</dd>
        <dt>Status</dt>
        <dd>{shown.status === 'online' ? 'Online: calls are sent' : offlineReasonText(shown.offline_reason)}</dd>
        <dt>Promoted</dt>
        <dd>{shown.promoted ? 'Yes: never set offline automatically; over the failure threshold its automatic retries pause instead' : 'No'}</dd>
        {retryStateText(shown) ? (
          <>
            <dt>Retries</dt>
            <dd data-testid="retry-state">{retryStateText(shown)}</dd>
          </>
        ) : null}
        {stats.data ? (
          <>
            <dt>Failures (offline rule)</dt>
            <dd>
              {stats.data.failures_in_window} of {stats.data.offline_threshold} allowed in {stats.data.offline_window_hours} h; one more than that sets it offline
            </dd>
          </>
        ) : null}
        {shown.previous_secret_expires_at ? (
          <>
            <dt>Previous secret</dt>
            <dd>
              Still signs calls (Dotfile-Old-Signature) until {formatDateTime(shown.previous_secret_expires_at)} ({relativeTime(shown.previous_secret_expires_at)})
            </dd>
          </>
        ) : null}
        <dt>Created</dt>
        <dd>{formatDateTime(shown.created_at)}</dd>
      </dl>
      {stats.data ? <StatsChart stats={stats.data} /> : <ErrorMessage error={stats.error} />}

      <div className="actions">
        <Link className="button" to={`/logs?webhook_id=${shown.id}`}>
          See its calls
        </Link>
        <Link className="button secondary" to={`/webhooks/${shown.id}/edit`}>
          Edit
        </Link>
        {shown.status === 'online' ? (
          <button type="button" className="secondary" disabled={busy} onClick={() => void setStatus('offline')}>
            Set offline
          </button>
        ) : (
          <button type="button" disabled={busy} onClick={() => void setStatus('online')}>
            Set online
          </button>
        )}
      </div>

      <h2>Send a test event</h2>
      <TestCallPanel webhookId={shown.id} subscribed={shown.events} />

      <h2>Replay events</h2>
      <ReplayPanel webhookId={shown.id} subscribed={shown.events} />

      <h2>Rotate the secret</h2>
      <form
        className="inline-form"
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          setConfirming('rotate');
        }}
      >
        <label htmlFor="grace-hours">Grace period (hours, 0 to 168)</label>
        <input id="grace-hours" type="number" min={0} max={168} step="any" value={graceHours} onChange={(event) => setGraceHours(event.target.value)} />
        <button type="submit" className="secondary" disabled={busy}>
          Rotate secret
        </button>
      </form>
      {confirming === 'rotate' ? (
        <Confirm confirmLabel="Rotate now" busy={busy} onConfirm={() => void rotate()} onCancel={() => setConfirming(undefined)}>
          A new secret signs every call from now on. During the {graceHours || 0} h grace period, calls also carry a signature made with the current secret.
        </Confirm>
      ) : null}

      <h2>Retry failed calls</h2>
      <form
        className="inline-form"
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          setConfirming('retry');
        }}
      >
        <label htmlFor="range-from">From</label>
        <input id="range-from" type="datetime-local" value={rangeFrom} onChange={(event) => setRangeFrom(event.target.value)} />
        <label htmlFor="range-to">To</label>
        <input id="range-to" type="datetime-local" value={rangeTo} onChange={(event) => setRangeTo(event.target.value)} />
        <button type="submit" className="secondary" disabled={busy}>
          Retry failed calls…
        </button>
      </form>
      {confirming === 'retry' ? (
        <Confirm confirmLabel="Retry them" busy={busy} onConfirm={() => void retryRange()} onCancel={() => setConfirming(undefined)}>
          Every failed call of this webhook created between {rangeFrom || '…'} and {rangeTo || '…'} (your local time; at most 30 days) is sent again now.
        </Confirm>
      ) : null}

      <h2>Delete</h2>
      <button type="button" className="danger" disabled={busy} onClick={() => setConfirming('delete')}>
        Delete webhook…
      </button>
      {confirming === 'delete' ? (
        <Confirm confirmLabel="Delete for good" busy={busy} onConfirm={() => void remove()} onCancel={() => setConfirming(undefined)}>
          Delete <strong>{shown.name ?? shown.url}</strong>? Nothing more is sent to it, and its calls waiting for a retry are cancelled.
        </Confirm>
      ) : null}
    </section>
  );
}
