import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, type Replay } from '../api';
import { formatDateTime, localInputToIso } from '../format';
import { useApi } from '../useApi';
import { ErrorMessage } from './ErrorMessage';

/** How often the list is read again while a replay runs. */
const PROGRESS_REFRESH_MS = 2_000;

const STATUS_LABELS: Record<Replay['status'], string> = {
  running: 'Running',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

const FAILURE_REASONS: Record<string, string> = {
  webhook_offline: 'the webhook went offline',
  webhook_deleted: 'the webhook was deleted',
};

/**
 * "Replay events": sends this webhook again the events Kafka still holds in a time range
 * (docs/replays.md), optionally of some of its event types only, and follows the progress
 * of its recent replays, which can be cancelled while they run.
 */
export function ReplayPanel({ webhookId, subscribed }: { webhookId: string; subscribed: readonly string[] }) {
  const replays = useApi(() => api.listReplays(webhookId), `replays:${webhookId}`);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [only, setOnly] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const running = replays.data?.data.some((replay) => replay.status === 'running') ?? false;
  const { reload } = replays;

  useEffect(() => {
    if (!running) return undefined;
    const timer = setInterval(reload, PROGRESS_REFRESH_MS);
    return () => clearInterval(timer);
  }, [running, reload]);

  const start = async (submit: FormEvent) => {
    submit.preventDefault();
    setError(undefined);
    const fromIso = localInputToIso(from);
    const toIso = localInputToIso(to);
    if (!fromIso || !toIso) {
      setError(new Error('Pick the start and the end of the range.'));
      return;
    }
    setBusy(true);
    try {
      await api.createReplay(webhookId, { from: fromIso, to: toIso, ...(only.size > 0 ? { events: [...only] } : {}) });
      reload();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const cancel = async (replayId: string) => {
    setError(undefined);
    try {
      await api.cancelReplay(replayId);
    } catch (caught) {
      setError(caught);
    }
    reload();
  };

  const toggle = (event: string) =>
    setOnly((previous) => {
      const next = new Set(previous);
      if (next.has(event)) next.delete(event);
      else next.add(event);
      return next;
    });

  return (
    <div className="replay">
      <p className="help">
        Sends this webhook again every event of a time range that Kafka still holds and that it is subscribed to now, delivered before or not, with the same event ids as
        before. Replayed calls are signed, logged (as attempts of type replay), retried and counted toward going offline like any call, and go out at a bounded rate behind
        live traffic.
      </p>
      <form className="inline-form" onSubmit={(submit) => void start(submit)}>
        <label htmlFor="replay-from">Replay from</label>
        <input id="replay-from" type="datetime-local" value={from} onChange={(change) => setFrom(change.target.value)} />
        <label htmlFor="replay-to">Replay to</label>
        <input id="replay-to" type="datetime-local" value={to} onChange={(change) => setTo(change.target.value)} />
        <button type="submit" className="secondary" disabled={busy}>
          {busy ? 'Starting…' : 'Replay events'}
        </button>
      </form>
      <fieldset className="replay-events">
        <legend>Only these event types (none checked: all of them)</legend>
        {subscribed.map((event) => (
          <label key={event}>
            <input type="checkbox" checked={only.has(event)} onChange={() => toggle(event)} /> {event}
          </label>
        ))}
      </fieldset>
      <ErrorMessage error={error} />
      {/* A webhook that no longer exists is the page's to report. */}
      <ErrorMessage error={replays.error instanceof ApiError && replays.error.status === 404 ? undefined : replays.error} />
      {replays.data && replays.data.data.length > 0 ? (
        <table className="replays" aria-label="Recent replays">
          <thead>
            <tr>
              <th scope="col">Range</th>
              <th scope="col">Status</th>
              <th scope="col">Events scanned</th>
              <th scope="col">Calls made</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {replays.data.data.map((replay) => (
              <tr key={replay.id}>
                <td>
                  {formatDateTime(replay.from)} – {formatDateTime(replay.to)}
                  {replay.events ? <span className="muted"> · {replay.events.join(', ')}</span> : null}
                </td>
                <td>
                  {STATUS_LABELS[replay.status]}
                  {replay.failure_reason ? `: ${FAILURE_REASONS[replay.failure_reason] ?? replay.failure_reason}` : ''}
                </td>
                <td>{replay.events_scanned}</td>
                <td>{replay.calls_made}</td>
                <td>
                  {replay.status === 'running' ? (
                    <button type="button" className="secondary" onClick={() => void cancel(replay.id)}>
                      Cancel
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
