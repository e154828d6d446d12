import { diagnosticsOf } from './service-diagnostics';

const exposition = (sum: number, count: number) => `hookstream_nodejs_eventloop_lag_p99_seconds 0.0251
hookstream_nodejs_eventloop_lag_max_seconds 0.31
hookstream_sender_attempt_duration_seconds_sum{type="first_call",outcome="succeeded"} ${sum}
hookstream_sender_attempt_duration_seconds_count{type="first_call",outcome="succeeded"} ${count}
hookstream_sender_attempt_duration_seconds_sum{type="automatic_retry",outcome="failed"} 99
hookstream_sender_in_flight 12
`;

describe('diagnosticsOf', () => {
  it('reads event-loop delay in milliseconds', () => {
    const diagnostics = diagnosticsOf('router', exposition(0, 0), '');
    expect(diagnostics.eventLoopDelayP99Ms).toBeCloseTo(25.1);
    expect(diagnostics.eventLoopDelayMaxMs).toBeCloseTo(310);
    expect(diagnostics.meanFirstCallHttpMs).toBeUndefined();
  });

  it("takes the sender's mean first-call duration over the window only", () => {
    const diagnostics = diagnosticsOf('sender', exposition(12, 1_100), exposition(2, 100));
    expect(diagnostics.meanFirstCallHttpMs).toBeCloseTo(10);
    expect(diagnostics.inFlight).toBe(12);
  });
});
