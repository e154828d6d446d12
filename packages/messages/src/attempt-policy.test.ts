import type { AttemptType } from './delivery';
import type { NotSentReason } from './outcome';
import { attemptNeedsCallState, mayAttemptGoOut, type CallFacts, type WebhookFacts } from './attempt-policy';

const online: WebhookFacts = { status: 'online', deleted: false };
const offline: WebhookFacts = { status: 'offline', deleted: false };
const deletedOnline: WebhookFacts = { status: 'online', deleted: true };
const deletedOffline: WebhookFacts = { status: 'offline', deleted: true };
const failedOnce: CallFacts = { succeeded: false, retryCount: 0 };
const failedTwice: CallFacts = { succeeded: false, retryCount: 2 };
const succeeded: CallFacts = { succeeded: true, retryCount: 1 };

type Row = [AttemptType, number, WebhookFacts | undefined, CallFacts | undefined, NotSentReason | 'send'];

describe('mayAttemptGoOut', () => {
  const rows: Row[] = [
    // First calls: only to an online webhook that exists.
    ['first_call', 0, online, undefined, 'send'],
    ['first_call', 0, offline, undefined, 'webhook_offline'],
    ['first_call', 0, deletedOnline, undefined, 'webhook_deleted'],
    ['first_call', 0, undefined, undefined, 'webhook_deleted'],
    // Replayed calls: as first calls, whatever became of the call before (it may have succeeded).
    ['replay', 3, online, undefined, 'send'],
    ['replay', 3, online, succeeded, 'send'],
    ['replay', 3, offline, undefined, 'webhook_offline'],
    ['replay', 3, deletedOnline, undefined, 'webhook_deleted'],
    // Automatic retries: online only, and not once the call succeeded or a manual retry took the number.
    ['automatic_retry', 1, online, undefined, 'send'],
    ['automatic_retry', 1, online, failedOnce, 'send'],
    ['automatic_retry', 3, online, failedTwice, 'send'],
    ['automatic_retry', 2, online, failedTwice, 'superseded'],
    ['automatic_retry', 1, online, failedTwice, 'superseded'],
    ['automatic_retry', 2, online, succeeded, 'already_succeeded'],
    ['automatic_retry', 1, offline, failedOnce, 'webhook_offline'],
    ['automatic_retry', 1, offline, succeeded, 'webhook_offline'],
    ['automatic_retry', 1, deletedOffline, failedOnce, 'webhook_deleted'],
    ['automatic_retry', 1, undefined, failedOnce, 'webhook_deleted'],
    // Manual retries: at any time, offline included, whatever the call's state; never to a deleted webhook.
    ['manual_retry', 1, online, failedOnce, 'send'],
    ['manual_retry', 1, offline, failedOnce, 'send'],
    ['manual_retry', 5, offline, { succeeded: false, retryCount: 4 }, 'send'],
    ['manual_retry', 2, online, succeeded, 'send'],
    ['manual_retry', 1, online, failedTwice, 'send'],
    ['manual_retry', 1, offline, undefined, 'send'],
    ['manual_retry', 1, deletedOnline, failedOnce, 'webhook_deleted'],
    ['manual_retry', 1, deletedOffline, failedOnce, 'webhook_deleted'],
    ['manual_retry', 1, undefined, failedOnce, 'webhook_deleted'],
  ];

  it.each(rows)('%s #%d to %j with call %j: %s', (type, retryCount, webhook, call, expected) => {
    const verdict = mayAttemptGoOut({ type, retryCount }, webhook, call);
    expect(verdict).toEqual(expected === 'send' ? { send: true } : { send: false, reason: expected });
  });

  describe('a promoted webhook whose retries are paused', () => {
    const paused: WebhookFacts = { status: 'online', deleted: false, retriesPaused: true };
    type PausedRow = [AttemptType, boolean, WebhookFacts | undefined, CallFacts | undefined, NotSentReason | 'send'];
    it.each<PausedRow>([
      // Automatic retries are parked; first calls and manual retries go out.
      ['automatic_retry', false, paused, failedOnce, 'retries_paused'],
      ['first_call', false, paused, undefined, 'send'],
      ['manual_retry', false, paused, failedOnce, 'send'],
      // A retry released from the parked ones (probe or release) goes out...
      ['automatic_retry', true, paused, failedOnce, 'send'],
      // ...unless the call no longer needs it: it is not parked (nor sent) for nothing.
      ['automatic_retry', false, paused, succeeded, 'already_succeeded'],
      ['automatic_retry', true, paused, failedTwice, 'superseded'],
      // Offline (set by hand) or deleted: the ordinary reasons, not a pause.
      ['automatic_retry', false, { ...paused, status: 'offline' }, failedOnce, 'webhook_offline'],
      ['automatic_retry', true, { ...paused, deleted: true }, failedOnce, 'webhook_deleted'],
    ])('%s (released: %s) to %j with call %j: %s', (type, released, webhook, call, expected) => {
      const verdict = mayAttemptGoOut({ type, retryCount: 1, released }, webhook, call);
      expect(verdict).toEqual(expected === 'send' ? { send: true } : { send: false, reason: expected });
    });
  });
});

describe('attemptNeedsCallState', () => {
  it.each<[AttemptType, WebhookFacts | undefined, boolean]>([
    ['automatic_retry', online, true],
    ['automatic_retry', offline, false],
    ['automatic_retry', deletedOnline, false],
    ['automatic_retry', undefined, false],
    ['first_call', online, false],
    ['manual_retry', online, false],
  ])('%s to %j: %s', (type, webhook, expected) => {
    expect(attemptNeedsCallState(type, webhook)).toBe(expected);
  });

  it('agrees with the verdict: where the call state is not read, no call state changes the verdict', () => {
    const types: AttemptType[] = ['first_call', 'automatic_retry', 'manual_retry'];
    for (const type of types) {
      for (const webhook of [online, offline, deletedOnline, deletedOffline, undefined]) {
        if (attemptNeedsCallState(type, webhook)) continue;
        const without = mayAttemptGoOut({ type, retryCount: 2 }, webhook);
        for (const call of [failedOnce, failedTwice, succeeded]) expect(mayAttemptGoOut({ type, retryCount: 2 }, webhook, call)).toEqual(without);
      }
    }
  });
});
