import { FAULT_KINDS, planFaults, streamDurationMs } from './schedule';

const options = { warmupMs: 20_000, spacingMs: 15_000, rounds: 2, brokers: 3, brokerDownMs: 15_000, postgresDownMs: 10_000 };

describe('planFaults', () => {
  it('strikes one fault of each kind per round, spaced evenly after the warm-up', () => {
    const faults = planFaults(options);
    expect(faults).toHaveLength(2 * FAULT_KINDS.length);
    expect(faults.slice(0, FAULT_KINDS.length).map((fault) => fault.kind)).toEqual([...FAULT_KINDS]);
    expect(faults.map((fault) => fault.atMs)).toEqual(faults.map((_, index) => 20_000 + index * 15_000));
  });

  it('alternates the instance, broker and topic between rounds', () => {
    const targets = planFaults(options).map((fault) => fault.target);
    expect(targets).toEqual([
      'router-1', 'sender-1', 'health-1', 'api', 'domainEvents', '1', 'postgres',
      'router-2', 'sender-2', 'health-2', 'api', 'webhookDeliveries', '2', 'postgres',
    ]);
  });

  it('keeps the stream running until the last downed part is back', () => {
    const faults = planFaults({ ...options, rounds: 1, spacingMs: 5_000 });
    expect(streamDurationMs(faults, { ...options, spacingMs: 5_000 })).toBe(20_000 + 6 * 5_000 + 15_000 + 5_000);
  });
});
