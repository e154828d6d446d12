import { diagnosticsOf, maxMemory, memoryOf } from './service-diagnostics';

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

describe('memoryOf', () => {
  it('reads heap, external memory, RSS and the young generation from the default metrics', () => {
    const text = `hookstream_nodejs_heap_size_used_bytes{service="sender"} 41000000
hookstream_nodejs_heap_size_total_bytes{service="sender"} 60000000
hookstream_nodejs_external_memory_bytes{service="sender"} 9000000
hookstream_process_resident_memory_bytes{service="sender"} 150000000
hookstream_nodejs_heap_space_size_total_bytes{service="sender",space="new"} 33554432
hookstream_nodejs_heap_space_size_total_bytes{service="sender",space="old"} 20000000
`;
    expect(memoryOf(text)).toEqual({
      heapUsedBytes: 41_000_000,
      heapTotalBytes: 60_000_000,
      externalBytes: 9_000_000,
      rssBytes: 150_000_000,
      newSpaceBytes: 33_554_432,
    });
  });

  it('keeps the largest of each figure over the samples', () => {
    const sample = (heapUsedBytes: number, rssBytes: number) => ({ heapUsedBytes, heapTotalBytes: 1, externalBytes: 1, rssBytes, newSpaceBytes: 1 });
    expect(maxMemory([sample(5, 100), sample(9, 80)])).toEqual(sample(9, 100));
    expect(maxMemory([])).toBeUndefined();
  });
});
