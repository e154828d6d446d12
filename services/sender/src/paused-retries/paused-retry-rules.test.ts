import type { DeliveryResult } from '../delivery/steps';
import { isProbing, probeResultLabel, probeVerdict, releasePace } from './paused-retry-rules';

describe('isProbing', () => {
  const paused = { promoted: true, retryState: 'paused', status: 'online', deleted: false } as const;
  it.each([
    ['a promoted, online webhook whose retries are paused', paused, true],
    ['one resuming: its parked retries are released instead', { ...paused, retryState: 'resuming' as const }, false],
    ['one no longer promoted: released (and sent under the usual rules)', { ...paused, promoted: false }, false],
    ['one set offline by hand: released, and given up as offline', { ...paused, status: 'offline' as const }, false],
    ['a deleted one: released, and given up as deleted', { ...paused, deleted: true }, false],
    ['one the sender does not know (forgotten after deletion)', undefined, false],
  ])('%s: %s', (_name, webhook, expected) => {
    expect(isProbing(webhook)).toBe(expected);
  });
});

describe('releasePace', () => {
  it.each([
    // rate/s, check interval → retries per slot, ms between slots
    [10, 200, 2, 200],
    [5, 200, 1, 200],
    [1, 200, 1, 1_000],
    [0.5, 200, 1, 2_000],
    [100, 200, 20, 200],
    [3, 200, 1, 333.3333333333333],
  ])('%d/s checked every %d ms: %d per slot, %d ms apart', (rate, checkMs, batch, spacingMs) => {
    const pace = releasePace(rate, checkMs);
    expect(pace).toEqual({ batch, spacingMs });
    // Never faster than the rate, never slower than one slot per check allows.
    expect((pace.batch * 1_000) / pace.spacingMs).toBeCloseTo(rate);
    expect(pace.spacingMs).toBeGreaterThanOrEqual(Math.min(checkMs, 1_000 / rate));
  });
});

describe('probeVerdict', () => {
  it.each<[string, DeliveryResult, ReturnType<typeof probeVerdict>, ReturnType<typeof probeResultLabel>]>([
    ['a 2xx resumes the webhook', { kind: 'done', succeeded: true }, 'resume', 'succeeded'],
    ['a failure keeps it paused until the next interval', { kind: 'done', succeeded: false }, 'stay_paused', 'failed'],
    ['a call deferred by the sender\'s own backpressure proves nothing', { kind: 'done' }, 'stay_paused', 'deferred'],
    ['a retry the call no longer needs is skipped for the next oldest', { kind: 'gave_up', reason: 'already_succeeded' }, 'next_candidate', 'not_needed'],
    ['a database failure gives the retry back', { kind: 'retry_later', reason: 'database', error: new Error('down') }, 'give_back', 'unavailable'],
  ])('%s', (_name, result, verdict, label) => {
    expect(probeVerdict(result)).toBe(verdict);
    expect(probeResultLabel(result)).toBe(label);
  });
});
