import type { WebhookStats } from '../api';

/**
 * Calls per hour over the last 24 hours, succeeded stacked under failed, as an SVG bar
 * chart; the same figures are in a visually hidden table for screen readers.
 */
export function StatsChart({ stats, compact = false }: { stats: WebhookStats; compact?: boolean }) {
  const width = compact ? 168 : 480;
  const height = compact ? 32 : 120;
  const max = Math.max(1, ...stats.hours.map((hour) => hour.succeeded + hour.failed));
  const barWidth = width / stats.hours.length;
  const total = stats.hours.reduce((sum, hour) => ({ succeeded: sum.succeeded + hour.succeeded, failed: sum.failed + hour.failed }), { succeeded: 0, failed: 0 });
  const summary = `Last 24 hours: ${total.succeeded} succeeded, ${total.failed} failed`;
  return (
    <figure className={compact ? 'chart compact' : 'chart'}>
      <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={summary}>
        {stats.hours.map((hour, index) => {
          const okHeight = (hour.succeeded / max) * (height - 2);
          const failedHeight = (hour.failed / max) * (height - 2);
          return (
            <g key={hour.hour}>
              <rect className="bar-ok" x={index * barWidth + 1} width={Math.max(1, barWidth - 2)} y={height - okHeight} height={okHeight} />
              <rect className="bar-failed" x={index * barWidth + 1} width={Math.max(1, barWidth - 2)} y={height - okHeight - failedHeight} height={failedHeight} />
            </g>
          );
        })}
      </svg>
      <figcaption>
        {compact ? (
          <>
            <span className="ok-text">{total.succeeded} ok</span> · <span className="failed-text">{total.failed} failed</span>
          </>
        ) : (
          <>
            Calls per hour, last 24 h (UTC): <span className="ok-text">■ succeeded {total.succeeded}</span> <span className="failed-text">■ failed {total.failed}</span>
          </>
        )}
      </figcaption>
      {compact ? null : (
        <table className="visually-hidden">
          <caption>Calls per hour</caption>
          <thead>
            <tr>
              <th scope="col">Hour (UTC)</th>
              <th scope="col">Succeeded</th>
              <th scope="col">Failed</th>
            </tr>
          </thead>
          <tbody>
            {stats.hours.map((hour) => (
              <tr key={hour.hour}>
                <td>{hour.hour.slice(11, 16)}</td>
                <td>{hour.succeeded}</td>
                <td>{hour.failed}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </figure>
  );
}
