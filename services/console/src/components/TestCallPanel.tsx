import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, type CatalogEvent, type TestCallResult } from '../api';
import { maskHeaders } from '../format';
import { useApi } from '../useApi';
import { ErrorMessage } from './ErrorMessage';

/** What went wrong, in words, for each error kind the API reports. */
const ERROR_KINDS: Record<string, string> = {
  http_status: 'the receiver answered with an error status',
  redirect: 'the receiver answered with a redirect, which is not followed',
  timeout: 'the receiver did not answer in time',
  connect_timeout: 'no connection could be made in time',
  connection_error: 'the connection failed',
  dns_error: 'the host name did not resolve',
  tls_error: 'the TLS handshake failed',
  target_refused: 'the address is not allowed (target safety rules)',
  endpoint_overloaded: 'too many calls to this endpoint at once',
};

/** The catalog as `<optgroup>`s per family, sub-events indented under their parent. */
function EventOptions({ catalog }: { catalog: CatalogEvent[] }) {
  const families = [...new Set(catalog.map((entry) => entry.family))];
  return (
    <>
      {families.map((family) => (
        <optgroup key={family} label={family}>
          {catalog
            .filter((entry) => entry.family === family)
            .map((entry) => (
              <option key={entry.type} value={entry.type}>
                {entry.parent ? `\u00a0\u00a0${entry.type}` : entry.type}
              </option>
            ))}
        </optgroup>
      ))}
    </>
  );
}

/**
 * "Send test event": sends the catalog's example of one event type to the webhook now,
 * signed like a real call, and shows the attempt (status, duration, response headers and
 * body, or the error). Works on an offline webhook too, to check a fix before going online.
 */
export function TestCallPanel({ webhookId, subscribed }: { webhookId: string; subscribed: readonly string[] }) {
  const catalog = useApi(() => api.catalog(), 'catalog');
  const [chosen, setChosen] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<TestCallResult | undefined>();
  const [error, setError] = useState<unknown>();
  const event = chosen ?? subscribed[0] ?? catalog.data?.data[0]?.type ?? '';

  const send = async (submit: FormEvent) => {
    submit.preventDefault();
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      setResult(await api.sendTestCall(webhookId, event));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="test-call">
      <p className="help">
        Sends the example payload of an event type to this webhook now, signed with its secret like a real call. The call is logged as a test call; it is never retried
        and never counts toward going offline. An offline webhook can be tested too: check a fix before setting it online.
      </p>
      <ErrorMessage error={catalog.error} />
      <form className="inline-form" onSubmit={(submit) => void send(submit)}>
        <label htmlFor="test-event">Event</label>
        <select id="test-event" value={event} disabled={!catalog.data} onChange={(change) => setChosen(change.target.value)}>
          {catalog.data ? <EventOptions catalog={catalog.data.data} /> : <option value="">Loading the event catalog…</option>}
        </select>
        <button type="submit" className="secondary" disabled={busy || !event}>
          {busy ? 'Sending…' : 'Send test event'}
        </button>
      </form>
      <ErrorMessage error={error} />
      {result ? (
        <div className="test-result" role="region" aria-label="Test call result">
          <p role="status" className={result.succeeded ? 'ok-text' : 'failed-text'}>
            {result.status_code !== null ? `HTTP ${result.status_code}` : `No answer: ${ERROR_KINDS[result.error_kind ?? ''] ?? result.error_kind ?? 'failed'}`}
            {' · '}
            {result.duration_ms} ms
            {result.succeeded ? ' · the receiver accepted it' : ''}
          </p>
          {result.error && result.status_code === null ? <p className="muted">{result.error}</p> : null}
          {result.status_code !== null ? (
            <>
              <h3>Response headers</h3>
              <table className="headers">
                <tbody>
                  {maskHeaders(result.response_headers).map(([name, value]) => (
                    <tr key={name}>
                      <th scope="row">{name}</th>
                      <td>{value}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <h3>Response body</h3>
              <pre data-testid="test-response-body">{result.response_body || '(empty)'}</pre>
            </>
          ) : null}
          <p>
            <Link to={`/logs/${result.call_id}`}>See it in the call log</Link>
          </p>
        </div>
      ) : null}
    </div>
  );
}
