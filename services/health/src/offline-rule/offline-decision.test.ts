import { offlineLifecycleMessage, shouldGoOffline, shouldPauseRetries, type WebhookHealthState } from './offline-decision';

describe('shouldGoOffline', () => {
  it.each<[string, WebhookHealthState, boolean]>([
    ['50 failures keep an online webhook online', { status: 'online', deleted: false, failuresInWindow: 50 }, false],
    ['the 51st failure takes it offline', { status: 'online', deleted: false, failuresInWindow: 51 }, true],
    ['more than 51 (one batch brought many) too', { status: 'online', deleted: false, failuresInWindow: 80 }, true],
    ['no failures, no change', { status: 'online', deleted: false, failuresInWindow: 0 }, false],
    ['an offline webhook is left as it is (it keeps its reason)', { status: 'offline', deleted: false, failuresInWindow: 51 }, false],
    ['a deleted webhook is left alone', { status: 'online', deleted: true, failuresInWindow: 51 }, false],
  ])('%s', (_name, state, expected) => {
    expect(shouldGoOffline(state, 50)).toBe(expected);
  });

  it('follows the configured threshold', () => {
    expect(shouldGoOffline({ status: 'online', deleted: false, failuresInWindow: 3 }, 2)).toBe(true);
    expect(shouldGoOffline({ status: 'online', deleted: false, failuresInWindow: 2 }, 2)).toBe(false);
  });
});

describe('a promoted webhook over the threshold', () => {
  const promoted: WebhookHealthState = { status: 'online', deleted: false, promoted: true, retryState: 'normal', failuresInWindow: 51 };
  it.each<[string, WebhookHealthState, boolean, boolean]>([
    ['is never set offline; its retries pause', promoted, false, true],
    ['at 50 failures neither', { ...promoted, failuresInWindow: 50 }, false, false],
    ['already paused: stays as it is', { ...promoted, retryState: 'paused' }, false, false],
    ['resuming and over the threshold again: pauses again', { ...promoted, retryState: 'resuming' }, false, true],
    ['offline by hand: left alone', { ...promoted, status: 'offline' }, false, false],
    ['deleted: left alone', { ...promoted, deleted: true }, false, false],
    ['not promoted: goes offline, no pause', { ...promoted, promoted: false }, true, false],
  ])('%s', (_name, state, offline, pause) => {
    expect(shouldGoOffline(state, 50)).toBe(offline);
    expect(shouldPauseRetries(state, 50)).toBe(pause);
  });
});

describe('offlineLifecycleMessage', () => {
  it('says which webhook went offline, why, when and after how many failures', () => {
    const now = new Date('2026-11-25T10:00:00.000Z');
    expect(
      offlineLifecycleMessage(
        { id: '6f1c2d3e-0000-4000-8000-000000000001', workspaceId: '6f1c2d3e-0000-4000-8000-000000000002' },
        51,
        now,
      ),
    ).toEqual({
      version: 1,
      type: 'webhook.offline',
      webhook_id: '6f1c2d3e-0000-4000-8000-000000000001',
      workspace_id: '6f1c2d3e-0000-4000-8000-000000000002',
      reason: 'failure_threshold',
      occurred_at: '2026-11-25T10:00:00.000Z',
      failure_count: 51,
    });
  });
});
