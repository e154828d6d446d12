import { createHmac } from 'node:crypto';
import { deriveEventId } from '@hookstream/events';
import { waitFor } from '@hookstream/testkit';
import { createHarness, type Harness } from './harness';
import { domainEvent } from './seed';

/**
 * Automatic retries end to end with a compressed schedule: one unit = 500 ms, so the retries fall
 * at T0 + 0.5 s, 2 s, 6.5 s and 20 s (1, 4, 13 and 40 units).
 */
const UNIT_MS = 500;
const OFFSETS_MS = [1, 4, 13, 40].map((units) => units * UNIT_MS);
const LATENESS_BOUND_MS = 2_000;

describe('automatic retries through the tier topics', () => {
  let harness: Harness;
  let workspace: { id: string; name: string };

  beforeAll(async () => {
    harness = await createHarness('retries', { env: { WEBHOOK_RETRY_SCHEDULE: OFFSETS_MS.map((ms) => `${ms}ms`).join(',') } });
    workspace = await harness.seed.workspace('Retries');
    await Promise.all([harness.start('router'), harness.start('sender'), harness.start('health')]);
  });

  afterAll(async () => {
    await harness?.close();
  });

  const caseCreated = () => domainEvent({ type: 'Case.Created', workspace });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 600));

  it('attempts a failing call 5 times at T0 + 0, 1, 4, 13, 40 units, then logs it as failed', async () => {
    harness.receiver.behave('/always-fails', { kind: 'status', status: 500 });
    const webhook = await harness.seed.webhook({ workspaceId: workspace.id, url: harness.receiver.url('/always-fails'), events: ['Case.Created'] });
    await settle();
    const event = caseCreated();
    await harness.publish([event]);

    const attempts = await waitFor(() => (harness.receiver.requestsTo('/always-fails').length >= 5 ? harness.receiver.requestsTo('/always-fails') : undefined), {
      description: 'five attempts',
      timeoutMs: 40_000,
    });
    const t0 = (attempts[0] as { receivedAt: number }).receivedAt;
    const eventId = deriveEventId(event.id, webhook.id);
    attempts.forEach((attempt, retryCount) => {
      const due = t0 + (retryCount === 0 ? 0 : (OFFSETS_MS[retryCount - 1] as number));
      // Never early (T0 is taken at the receiver, after the sender's own T0), at most 2 s late.
      expect(attempt.receivedAt).toBeGreaterThanOrEqual(due - 50);
      expect(attempt.receivedAt - due).toBeLessThanOrEqual(LATENESS_BOUND_MS);
      const context = attempt.body.context as Record<string, unknown>;
      expect(context).toMatchObject({ event_id: eventId, retry_count: retryCount, remaining_retry_count: 4 - retryCount });
      expect(attempt.headers['dotfile-retry-count']).toBe(String(retryCount));
      expect(attempt.headers['dotfile-remaining-retry-count']).toBe(String(4 - retryCount));
      expect(attempt.headers['dotfile-event-id']).toBe(eventId);
      expect(attempt.headers['dotfile-signature']).toBe(createHmac('sha256', webhook.secret).update(attempt.rawBody).digest('hex'));
    });
    expect(new Set(attempts.map((attempt) => attempt.headers['dotfile-signature'])).size).toBe(5);
    const timestamps = attempts.map((attempt) => (attempt.body.context as { timestamp: number }).timestamp);
    expect(timestamps[4]).toBeGreaterThan(timestamps[0] as number);

    const log = await waitFor(
      async () => {
        const call = await harness.database.knex('calls').where({ event_id: eventId }).first();
        return call?.status === 'failed' ? call : undefined;
      },
      { description: 'the call log to say failed' },
    );
    expect(log).toMatchObject({ retry_count: 4, status_code: 500, next_retry_at: null });
    const logged = await harness.database.knex('attempts').where({ call_id: log.id }).orderBy('attempted_at');
    expect(logged.map((row: { retry_count: number; type: string }) => [row.retry_count, row.type])).toEqual([
      [0, 'first_call'],
      [1, 'automatic_retry'],
      [2, 'automatic_retry'],
      [3, 'automatic_retry'],
      [4, 'automatic_retry'],
    ]);
    // No fifth retry.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(harness.receiver.requestsTo('/always-fails')).toHaveLength(5);
  });

  it('stops retrying once a retry succeeds', async () => {
    harness.receiver.behave('/recovers', { kind: 'sequence', statuses: [500, 503, 200] });
    const webhook = await harness.seed.webhook({ workspaceId: workspace.id, url: harness.receiver.url('/recovers'), events: ['Case.Created'] });
    await settle();
    const event = caseCreated();
    await harness.publish([event]);
    const attempts = await waitFor(() => (harness.receiver.requestsTo('/recovers').length === 3 ? harness.receiver.requestsTo('/recovers') : undefined), {
      description: 'success on the second retry',
    });
    expect(attempts.map((attempt) => attempt.headers['dotfile-retry-count'])).toEqual(['0', '1', '2']);
    // Past the third retry's slot: nothing more came.
    const t0 = (attempts[0] as { receivedAt: number }).receivedAt;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, t0 + (OFFSETS_MS[2] as number) + 1_000 - Date.now())));
    expect(harness.receiver.requestsTo('/recovers')).toHaveLength(3);
    const call = await waitFor(
      async () => {
        const row = await harness.database.knex('calls').where({ event_id: deriveEventId(event.id, webhook.id) }).first();
        return row?.status === 'succeeded' ? row : undefined;
      },
      { description: 'the call log to say succeeded' },
    );
    expect(call).toMatchObject({ retry_count: 2, status_code: 200, next_retry_at: null });
  });

  it('sends a waiting retry to the URL the webhook has when it falls due', async () => {
    harness.receiver.behave('/old-url', { kind: 'status', status: 500 });
    const webhook = await harness.seed.webhook({ workspaceId: workspace.id, url: harness.receiver.url('/old-url'), events: ['Case.Created'] });
    await settle();
    const event = caseCreated();
    await harness.publish([event]);
    // First call and retry 1 fail at the old URL; retry 2 waits until T0 + 4 units.
    await waitFor(() => harness.receiver.requestsTo('/old-url').length === 2, { description: 'two attempts at the old URL' });
    await harness.seed.update(webhook.id, { url: harness.receiver.url('/new-url') });
    const moved = await waitFor(() => harness.receiver.requestsTo('/new-url')[0], { description: 'retry 2 at the new URL' });
    expect(moved.headers['dotfile-retry-count']).toBe('2');
    expect(moved.headers['dotfile-event-id']).toBe(deriveEventId(event.id, webhook.id));
    expect(harness.receiver.requestsTo('/old-url')).toHaveLength(2);
  });

  it('does not send a retry that falls due after the webhook was deleted or set offline, and logs why', async () => {
    harness.receiver.behave('/deleted-later', { kind: 'status', status: 500 });
    harness.receiver.behave('/offline-later', { kind: 'status', status: 500 });
    const deleted = await harness.seed.webhook({ workspaceId: workspace.id, url: harness.receiver.url('/deleted-later'), events: ['Case.Created'] });
    const offline = await harness.seed.webhook({ workspaceId: workspace.id, url: harness.receiver.url('/offline-later'), events: ['Case.Created'] });
    await settle();
    const event = caseCreated();
    await harness.publish([event]);
    await waitFor(() => harness.receiver.requestsTo('/deleted-later').length === 2 && harness.receiver.requestsTo('/offline-later').length === 2, {
      description: 'first call and retry 1 of both',
    });
    await harness.seed.update(deleted.id, { deleted_at: new Date() });
    await harness.seed.update(offline.id, { status: 'offline', offline_reason: 'manual' });
    for (const [webhook, reason] of [
      [deleted, 'webhook_deleted'],
      [offline, 'webhook_offline'],
    ] as const) {
      const call = await waitFor(
        async () => {
          const row = await harness.database.knex('calls').where({ event_id: deriveEventId(event.id, webhook.id) }).first();
          return row?.status === 'cancelled' ? row : undefined;
        },
        { description: `the call to be cancelled (${reason})`, timeoutMs: 15_000 },
      );
      expect(call.status_reason).toBe(reason);
    }
    expect(harness.receiver.requestsTo('/deleted-later')).toHaveLength(2);
    expect(harness.receiver.requestsTo('/offline-later')).toHaveLength(2);
  });
});
