import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, type WebhookStats } from '../api';
import { ErrorMessage } from '../components/ErrorMessage';
import { StatsChart } from '../components/StatsChart';
import { offlineReasonText } from '../format';
import { useApi } from '../useApi';

const PAGE_SIZE = 20;

export function WebhooksPage() {
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Number(params.get('page')) || 1);
  const status = params.get('status') ?? '';
  const list = useApi(() => api.listWebhooks({ page, limit: PAGE_SIZE, sort: 'created_at', status: status || undefined }), `${page}:${status}`);
  const [stats, setStats] = useState<Record<string, WebhookStats | 'error'>>({});

  useEffect(() => {
    let current = true;
    for (const webhook of list.data?.data ?? []) {
      api.webhookStats(webhook.id).then(
        (result) => current && setStats((previous) => ({ ...previous, [webhook.id]: result })),
        () => current && setStats((previous) => ({ ...previous, [webhook.id]: 'error' })),
      );
    }
    return () => {
      current = false;
    };
  }, [list.data]);

  useEffect(() => {
    document.title = 'Webhooks · hookstream console';
  }, []);

  const pages = list.data ? Math.max(1, Math.ceil(list.data.pagination.count / PAGE_SIZE)) : 1;
  const setPage = (next: number) => setParams((previous) => {
    const copy = new URLSearchParams(previous);
    copy.set('page', String(next));
    return copy;
  });

  return (
    <section>
      <div className="title-row">
        <h1>Webhooks</h1>
        <Link className="button" to="/webhooks/new">
          New webhook
        </Link>
      </div>
      <div className="filters">
        <label htmlFor="status-filter">Status</label>
        <select
          id="status-filter"
          value={status}
          onChange={(event) => setParams(event.target.value ? { status: event.target.value } : {})}
        >
          <option value="">All</option>
          <option value="online">Online</option>
          <option value="offline">Offline</option>
        </select>
      </div>
      <ErrorMessage error={list.error} />
      {list.loading && !list.data ? <p role="status">Loading…</p> : null}
      {list.data && list.data.data.length === 0 ? (
        <p>
          No webhook yet. <Link to="/webhooks/new">Create one</Link> to receive your events.
        </p>
      ) : null}
      {list.data && list.data.data.length > 0 ? (
        <table className="data">
          <caption className="visually-hidden">Webhooks</caption>
          <thead>
            <tr>
              <th scope="col">Webhook</th>
              <th scope="col">Status</th>
              <th scope="col">Events</th>
              <th scope="col">Failures (offline rule)</th>
              <th scope="col">Last 24 h</th>
            </tr>
          </thead>
          <tbody>
            {list.data.data.map((webhook) => {
              const stat = stats[webhook.id];
              return (
                <tr key={webhook.id}>
                  <td>
                    <Link to={`/webhooks/${webhook.id}`}>{webhook.name ?? webhook.url}</Link>
                    {webhook.name ? <div className="muted url">{webhook.url}</div> : null}
                  </td>
                  <td>
                    <span className={`badge ${webhook.status}`}>{webhook.status}</span>
                    {webhook.status === 'offline' ? <div className="muted">{offlineReasonText(webhook.offline_reason)}</div> : null}
                    {webhook.retry_state === 'paused' ? <span className="badge paused">retries paused</span> : null}
                  </td>
                  <td>{webhook.events.join(', ')}</td>
                  <td>
                    {stat && stat !== 'error' ? (
                      <span className={stat.failures_in_window > stat.offline_threshold * 0.8 ? 'failed-text' : ''}>
                        {stat.failures_in_window} / {stat.offline_threshold}
                      </span>
                    ) : stat === 'error' ? (
                      'unavailable'
                    ) : (
                      '…'
                    )}
                  </td>
                  <td>{stat && stat !== 'error' ? <StatsChart stats={stat} compact /> : null}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {list.data && pages > 1 ? (
        <nav className="pager" aria-label="Pages">
          <button type="button" className="secondary" disabled={page <= 1} onClick={() => setPage(page - 1)}>
            Previous
          </button>
          <span>
            Page {page} of {pages}
          </span>
          <button type="button" className="secondary" disabled={page >= pages} onClick={() => setPage(page + 1)}>
            Next
          </button>
        </nav>
      ) : null}
    </section>
  );
}
