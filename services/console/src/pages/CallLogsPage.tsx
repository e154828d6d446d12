import { useEffect, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { CALL_STATUSES, api } from '../api';
import { ErrorMessage } from '../components/ErrorMessage';
import { apiQuery, FILTER_NAMES, PAGE_SIZES, searchFromView, viewFromSearch, type CallLogView, type FilterName } from '../filters';
import { formatDateTime, isoToLocalInput, localInputToIso, relativeTime } from '../format';
import { useApi } from '../useApi';

const LABELS: Record<FilterName, string> = {
  webhook_id: 'Webhook',
  event: 'Event',
  status: 'Status',
  case_id: 'Case id',
  individual_id: 'Individual id',
  company_id: 'Company id',
  created_from: 'Created from',
  created_to: 'Created to',
};

export function CallLogsPage() {
  const [search, setSearch] = useSearchParams();
  const view = viewFromSearch(search);
  const key = searchFromView(view).toString();
  const calls = useApi(() => api.listCalls(apiQuery(view)), key);
  const webhooks = useApi(() => api.listWebhooks({ limit: 100, sort: 'name' }), 'webhooks');
  const catalog = useApi(() => api.catalog(), 'catalog');
  const [draft, setDraft] = useState(view.filters);

  useEffect(() => setDraft(viewFromSearch(new URLSearchParams(key)).filters), [key]);
  useEffect(() => {
    document.title = 'Call logs · hookstream console';
  }, []);

  const go = (next: Partial<CallLogView>) => setSearch(searchFromView({ ...view, ...next }));
  const apply = (event: FormEvent) => {
    event.preventDefault();
    go({ filters: draft, page: 1 });
  };
  const set = (name: FilterName, value: string) => setDraft((previous) => ({ ...previous, [name]: value }));
  const webhookName = (id: string) => {
    const found = webhooks.data?.data.find((webhook) => webhook.id === id);
    return found ? (found.name ?? found.url) : id.slice(0, 8);
  };
  const pages = calls.data ? Math.max(1, Math.ceil(calls.data.pagination.count / view.limit)) : 1;

  return (
    <section>
      <h1>Call logs</h1>
      <form className="filters grid" onSubmit={apply} aria-label="Filters">
        <div className="field">
          <label htmlFor="filter-webhook_id">{LABELS.webhook_id}</label>
          <select id="filter-webhook_id" value={draft.webhook_id ?? ''} onChange={(event) => set('webhook_id', event.target.value)}>
            <option value="">Any</option>
            {webhooks.data?.data.map((webhook) => (
              <option key={webhook.id} value={webhook.id}>
                {webhook.name ?? webhook.url}
              </option>
            ))}
            {draft.webhook_id && webhooks.data && !webhooks.data.data.some((webhook) => webhook.id === draft.webhook_id) ? (
              <option value={draft.webhook_id}>{draft.webhook_id}</option>
            ) : null}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-event">{LABELS.event}</label>
          <select id="filter-event" value={draft.event ?? ''} onChange={(event) => set('event', event.target.value)}>
            <option value="">Any</option>
            {catalog.data?.data.map((entry) => (
              <option key={entry.type} value={entry.type}>
                {entry.parent ? `  ${entry.type}` : entry.type}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-status">{LABELS.status}</label>
          <select id="filter-status" value={draft.status ?? ''} onChange={(event) => set('status', event.target.value)}>
            <option value="">Any</option>
            {CALL_STATUSES.map((status) => (
              <option key={status} value={status}>
                {status}
              </option>
            ))}
          </select>
        </div>
        {(['case_id', 'individual_id', 'company_id'] as const).map((name) => (
          <div className="field" key={name}>
            <label htmlFor={`filter-${name}`}>{LABELS[name]}</label>
            <input id={`filter-${name}`} value={draft[name] ?? ''} onChange={(event) => set(name, event.target.value)} />
          </div>
        ))}
        {(['created_from', 'created_to'] as const).map((name) => (
          <div className="field" key={name}>
            <label htmlFor={`filter-${name}`}>{LABELS[name]}</label>
            <input
              id={`filter-${name}`}
              type="datetime-local"
              value={isoToLocalInput(draft[name])}
              onChange={(event) => set(name, localInputToIso(event.target.value) ?? '')}
            />
          </div>
        ))}
        <div className="actions">
          <button type="submit">Apply filters</button>
          <button type="button" className="secondary" onClick={() => go({ filters: {}, page: 1 })}>
            Clear
          </button>
        </div>
      </form>

      <ErrorMessage error={calls.error} />
      <div className="table-tools">
        <span role="status">
          {calls.loading ? 'Loading…' : calls.data ? `${calls.data.pagination.count} call${calls.data.pagination.count === 1 ? '' : 's'}` : ''}
        </span>
        <button type="button" className="secondary" onClick={calls.reload}>
          Refresh
        </button>
        <label htmlFor="page-size">Per page</label>
        <select id="page-size" value={view.limit} onChange={(event) => go({ limit: Number(event.target.value), page: 1 })}>
          {PAGE_SIZES.map((size) => (
            <option key={size} value={size}>
              {size}
            </option>
          ))}
        </select>
      </div>
      {calls.data ? (
        <table className="data calls">
          <caption className="visually-hidden">Webhook calls{FILTER_NAMES.some((name) => view.filters[name]) ? ', filtered' : ''}</caption>
          <thead>
            <tr>
              <th scope="col" aria-sort={view.sort === 'created_at.desc' ? 'descending' : 'ascending'}>
                <button type="button" className="link" onClick={() => go({ sort: view.sort === 'created_at.desc' ? 'created_at.asc' : 'created_at.desc', page: 1 })}>
                  Created {view.sort === 'created_at.desc' ? '↓' : '↑'}
                  <span className="visually-hidden"> (sort {view.sort === 'created_at.desc' ? 'oldest' : 'newest'} first)</span>
                </button>
              </th>
              <th scope="col">Event</th>
              <th scope="col">Webhook</th>
              <th scope="col">Status</th>
              <th scope="col">Last answer</th>
              <th scope="col">Retries</th>
              <th scope="col">Next retry</th>
            </tr>
          </thead>
          <tbody>
            {calls.data.data.map((call) => (
              <tr key={call.id}>
                <td>
                  <Link to={`/logs/${call.id}`}>{formatDateTime(call.created_at)}</Link>
                </td>
                <td>
                  {call.event}
                  {call.sub_event ? <div className="muted">{call.sub_event}</div> : null}
                </td>
                <td>{webhookName(call.webhook_id)}</td>
                <td>
                  <span className={`badge ${call.status}`}>{call.status}</span>
                  {call.kind === 'test' ? <span className="badge test">test</span> : null}
                </td>
                <td>{call.status_code ?? call.attempts[call.attempts.length - 1]?.error ?? '—'}</td>
                <td>{call.retry_count}</td>
                <td>{call.next_retry_at ? relativeTime(call.next_retry_at) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {calls.data && calls.data.data.length === 0 ? <p>No call matches these filters.</p> : null}
      {calls.data ? (
        <nav className="pager" aria-label="Pages">
          <button type="button" className="secondary" disabled={view.page <= 1} onClick={() => go({ page: view.page - 1 })}>
            Previous
          </button>
          <span>
            Page {view.page} of {pages}
          </span>
          <button type="button" className="secondary" disabled={view.page >= pages} onClick={() => go({ page: view.page + 1 })}>
            Next
          </button>
        </nav>
      ) : null}
    </section>
  );
}
