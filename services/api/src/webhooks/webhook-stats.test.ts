import { hourlyBuckets, hourStart, STATS_HOURS } from './webhook-stats';

describe('webhook stats buckets', () => {
  it('starts an hour at its UTC hour', () => {
    expect(hourStart(new Date('2026-12-01T10:59:59.999Z')).toISOString()).toBe('2026-12-01T10:00:00.000Z');
    expect(hourStart(new Date('2026-12-01T11:00:00.000Z')).toISOString()).toBe('2026-12-01T11:00:00.000Z');
  });

  it('gives 24 hours oldest first, with the hours without calls as zeros', () => {
    const from = new Date('2026-11-30T11:00:00.000Z');
    const hours = hourlyBuckets(from, [
      { hour: new Date('2026-11-30T11:00:00.000Z'), succeeded: 2, failed: 1 },
      { hour: new Date('2026-12-01T10:00:00.000Z'), succeeded: 0, failed: 4 },
    ]);
    expect(hours).toHaveLength(STATS_HOURS);
    expect(hours[0]).toEqual({ hour: '2026-11-30T11:00:00.000Z', succeeded: 2, failed: 1 });
    expect(hours[1]).toEqual({ hour: '2026-11-30T12:00:00.000Z', succeeded: 0, failed: 0 });
    expect(hours[23]).toEqual({ hour: '2026-12-01T10:00:00.000Z', succeeded: 0, failed: 4 });
  });
});
