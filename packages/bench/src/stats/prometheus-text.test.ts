import { metricSum } from './prometheus-text';

const exposition = `# HELP hookstream_sender_attempts_total Attempts
# TYPE hookstream_sender_attempts_total counter
hookstream_sender_attempts_total{type="first_call",outcome="succeeded",failure_kind="none"} 120
hookstream_sender_attempts_total{type="first_call",outcome="failed",failure_kind="timeout"} 7
hookstream_sender_attempts_total{type="automatic_retry",outcome="failed",failure_kind="timeout"} 3
hookstream_sender_attempts_total_created 5
hookstream_sender_in_flight 42
`;

describe('metricSum', () => {
  it('sums the series whose labels match', () => {
    expect(metricSum(exposition, 'hookstream_sender_attempts_total', { outcome: 'failed', failure_kind: 'timeout' })).toBe(10);
    expect(metricSum(exposition, 'hookstream_sender_attempts_total', { type: 'first_call' })).toBe(127);
  });

  it('reads an unlabelled gauge and ignores metrics that only share a prefix', () => {
    expect(metricSum(exposition, 'hookstream_sender_in_flight', {})).toBe(42);
    expect(metricSum(exposition, 'hookstream_sender_attempts_total', {})).toBe(130);
  });

  it('is 0 when nothing matches', () => {
    expect(metricSum(exposition, 'hookstream_sender_attempts_total', { outcome: 'not_sent' })).toBe(0);
    expect(metricSum('', 'anything', {})).toBe(0);
  });
});
