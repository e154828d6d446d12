import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, type Attempt, type CallLog } from '../api';
import { CopyButton } from '../components/CopyButton';
import { ErrorMessage } from '../components/ErrorMessage';
import { attemptOutcome, formatDateTime, maskHeaders, prettyJson, relativeTime, remainingRetries, statusReasonText } from '../format';
import { useApi } from '../useApi';

const ATTEMPT_TYPES: Record<string, string> = {
  first_call: 'First call',
  automatic_retry: 'Automatic retry',
  manual_retry: 'Manual retry',
  test: 'Test call',
  replay: 'Replay',
};

/** How often, and for how long, the page looks for the attempt of a manual retry. */
const POLL_MS = 1_000;
const POLL_LIMIT_MS = 120_000;

export function CallDetailPage() {
  const { id = '' } = useParams();
  const loaded = useApi(() => api.getCall(id), id);
  const [call, setCall] = useState<CallLog | undefined>();
  const [retry, setRetry] = useState<{ phase: 'queued' | 'done' | 'slow'; attempts: number } | undefined>();
  const [actionError, setActionError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (loaded.data) setCall(loaded.data);
  }, [loaded.data]);
  useEffect(() => {
    document.title = 'Call · hookstream console';
  }, []);

  // After a manual retry: poll until its attempt is logged, then show its result.
  useEffect(() => {
    if (retry?.phase !== 'queued') return undefined;
    const started = Date.now();
    let current = true;
    const timer = window.setInterval(() => {
      api.getCall(id).then(
        (fresh) => {
          if (!current) return;
          setCall(fresh);
          if (fresh.attempts.length > retry.attempts && fresh.status !== 'pending') setRetry({ ...retry, phase: 'done' });
          else if (Date.now() - started > POLL_LIMIT_MS) setRetry({ ...retry, phase: 'slow' });
        },
        (error: unknown) => {
          if (!current) return;
          setActionError(error);
          setRetry(undefined);
        },
      );
    }, POLL_MS);
    return () => {
      current = false;
      window.clearInterval(timer);
    };
  }, [retry, id]);

  if (loaded.error) return <ErrorMessage error={loaded.error} backTo="/logs" backLabel="Back to the call logs" />;
  if (!call) return <p role="status">Loading…</p>;

  const retryNow = async () => {
    setBusy(true);
    setActionError(undefined);
    try {
      const attemptsBefore = call.attempts.length;
      setCall(await api.retryCall(call.id));
      setRetry({ phase: 'queued', attempts: attemptsBefore });
    } catch (error) {
      setActionError(error);
    } finally {
      setBusy(false);
    }
  };

  const last = call.attempts[call.attempts.length - 1];
  // A test call is never retried: another test call is sent from the webhook's page.
  const canRetry = call.kind !== 'test' && call.status !== 'pending' && call.status !== 'succeeded';

  return (
    <section>
      <p>
        <Link to={`/logs?webhook_id=${call.webhook_id}`}>← Calls of this webhook</Link> · <Link to={`/webhooks/${call.webhook_id}`}>The webhook</Link>
      </p>
      <div className="title-row">
        <h1>
          {call.event}
          {call.sub_event ? ` (${call.sub_event})` : ''}
        </h1>
        <span className={`badge ${call.status}`} data-testid="call-status">
          {call.status}
        </span>
      </div>
      <dl className="facts">
        <dt>Created</dt>
        <dd>{formatDateTime(call.created_at)}</dd>
        <dt>Endpoint</dt>
        <dd className="url">{call.endpoint ?? '—'}</dd>
        <dt>Last answer</dt>
        <dd>{last ? attemptOutcome(last).label : '—'}</dd>
        {call.status_reason ? (
          <>
            <dt>Reason</dt>
            <dd>{statusReasonText(call.status_reason)}</dd>
          </>
        ) : null}
        <dt>Next automatic retry</dt>
        <dd data-testid="next-retry">{call.next_retry_at ? `${formatDateTime(call.next_retry_at)} (${relativeTime(call.next_retry_at)})` : 'None'}</dd>
        <dt>Automatic retries left</dt>
        <dd data-testid="remaining-retries">{remainingRetries(call)}</dd>
        <dt>Event id</dt>
        <dd>
          <code>{call.event_id}</code>
        </dd>
        {call.case_id || call.individual_id || call.company_id ? (
          <>
            <dt>Entities</dt>
            <dd>
              {[call.case_id && `case ${call.case_id}`, call.individual_id && `individual ${call.individual_id}`, call.company_id && `company ${call.company_id}`]
                .filter(Boolean)
                .join(', ')}
            </dd>
          </>
        ) : null}
      </dl>

      <div className="actions">
        <button type="button" disabled={busy || !canRetry || retry?.phase === 'queued'} onClick={() => void retryNow()}>
          Retry now
        </button>
        <button type="button" className="secondary" onClick={loaded.reload}>
          Refresh
        </button>
      </div>
      <div role="status" aria-live="polite" className="retry-state">
        {retry?.phase === 'queued' ? 'Retry queued: waiting for its attempt…' : null}
        {retry?.phase === 'done' && last ? `Retry done: ${attemptOutcome(last).label}, the call is ${call.status}.` : null}
        {retry?.phase === 'slow' ? 'The retry is queued but its attempt is not logged yet; reload this page later.' : null}
      </div>
      <ErrorMessage error={actionError} backTo="/logs" backLabel="Back to the call logs" />

      <h2>Payload</h2>
      {call.payload ? (
        <>
          <CopyButton text={prettyJson(call.payload)} label="Copy payload" />
          <pre className="json" tabIndex={0} aria-label="Payload as sent">
            {prettyJson(call.payload)}
          </pre>
        </>
      ) : (
        <p>Not stored.</p>
      )}

      <h2>Attempts</h2>
      <ol className="timeline">
        {call.attempts.map((attempt) => (
          <AttemptItem key={attempt.id} attempt={attempt} />
        ))}
      </ol>
      {call.attempts.length === 0 ? <p>No attempt logged yet.</p> : null}
    </section>
  );
}

function AttemptItem({ attempt }: { attempt: Attempt }) {
  const outcome = attemptOutcome(attempt);
  return (
    <li className={outcome.ok ? 'ok' : 'failed'}>
      <h3>
        {ATTEMPT_TYPES[attempt.type] ?? attempt.type} #{attempt.retry_count} · <span className={outcome.ok ? 'ok-text' : 'failed-text'}>{outcome.label}</span>
        {attempt.status_code !== null && attempt.error && attempt.error !== outcome.label ? ` (${attempt.error})` : ''}
      </h3>
      <p className="muted">
        {formatDateTime(attempt.attempted_at)} · {attempt.duration_ms} ms · <span className="url">{attempt.endpoint}</span>
      </p>
      <details>
        <summary>Request headers</summary>
        <Headers headers={attempt.request_headers} />
      </details>
      <details>
        <summary>Response</summary>
        {attempt.response_headers ? <Headers headers={attempt.response_headers} /> : <p>No response headers.</p>}
        {attempt.response_body !== null ? (
          <pre className="json" tabIndex={0} aria-label="Response body">
            {attempt.response_body}
          </pre>
        ) : (
          <p>No response body.</p>
        )}
      </details>
    </li>
  );
}

function Headers({ headers }: { headers: Record<string, string> | null }) {
  return (
    <table className="headers">
      <tbody>
        {maskHeaders(headers).map(([name, value]) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            <td>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
