import { deriveEventId } from '@hookstream/events';
import { testKafka, waitFor } from '@hookstream/testkit';
import type { Producer } from '@hookstream/kafka';
import { createHarness, type Harness } from './harness';
import { requestManualRetry } from './manual-retry';
import { domainEvent } from './seed';

/**
 * The manual-retry rules of docs/webhooks.md with a compressed schedule of
 * 4 s, 8 s, 12 s and 16 s from T0 (standing in for 1 h, 4 h, 13 h and 40 h).
 */
const OFFSETS_MS = [4_000, 8_000, 12_000, 16_000];

describe('manual retries', () => {
  let harness: Harness;
  let workspace: { id: string; name: string };
  let producer: Producer;

  beforeAll(async () => {
    harness = await createHarness('manual', { env: { WEBHOOK_RETRY_SCHEDULE: OFFSETS_MS.map((ms) => `${ms}ms`).join(',') } });
    workspace = await harness.seed.workspace('Manual');
    producer = testKafka('manual-retry').producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await Promise.all([harness.start('router'), harness.start('sender'), harness.start('health')]);
  });

  afterAll(async () => {
    await producer?.disconnect();
    await harness?.close();
  });

  async function failingCall(path: string, statuses: number[]) {
    harness.receiver.behave(path, { kind: 'sequence', statuses });
    const webhook = await harness.seed.webhook({ workspaceId: workspace.id, url: harness.receiver.url(path), events: ['Case.Created'] });
    await new Promise((resolve) => setTimeout(resolve, 600));
    const event = domainEvent({ type: 'Case.Created', workspace });
    await harness.publish([event]);
    const eventId = deriveEventId(event.id, webhook.id);
    // The call log must know the first call before a manual retry can be asked for.
    await waitFor(
      async () => (await harness.database.knex('calls').where({ event_id: eventId, status: 'retrying' }).first()) ?? undefined,
      { description: 'the first call in the log' },
    );
    return { eventId, t0: (harness.receiver.requestsTo(path)[0] as { receivedAt: number }).receivedAt };
  }

  it('a successful manual retry ends the call: the pending automatic retry is not sent', async () => {
    const { eventId, t0 } = await failingCall('/manual-succeeds', [500, 200]);
    await requestManualRetry(harness, eventId, producer);
    await waitFor(() => harness.receiver.requestsTo('/manual-succeeds').length === 2, { description: 'the manual retry' });
    const manual = harness.receiver.requestsTo('/manual-succeeds')[1];
    expect(manual?.headers['dotfile-retry-count']).toBe('1');
    // Past the automatic retry's slot (T0 + 4 s): it was not sent.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, t0 + (OFFSETS_MS[0] as number) + 1_500 - Date.now())));
    expect(harness.receiver.requestsTo('/manual-succeeds')).toHaveLength(2);
    const call = await harness.database.knex('calls').where({ event_id: eventId }).first();
    expect(call.status).toBe('succeeded');
  });

  it('a failed manual retry takes the next number, and the automatic retries keep their slots from T0', async () => {
    const { eventId, t0 } = await failingCall('/manual-fails', [500]);
    await requestManualRetry(harness, eventId, producer);
    const attempts = await waitFor(
      () => (harness.receiver.requestsTo('/manual-fails').length >= 5 ? harness.receiver.requestsTo('/manual-fails') : undefined),
      { description: 'first call, manual retry and automatic retries 2, 3, 4', timeoutMs: 40_000 },
    );
    expect(attempts.map((attempt) => attempt.headers['dotfile-retry-count'])).toEqual(['0', '1', '2', '3', '4']);
    expect(attempts.map((attempt) => attempt.headers['dotfile-remaining-retry-count'])).toEqual(['4', '3', '2', '1', '0']);
    // The manual retry came at once, well before the first automatic slot...
    expect((attempts[1] as { receivedAt: number }).receivedAt - t0).toBeLessThan(OFFSETS_MS[0] as number);
    // ...and the automatic retries 2, 3, 4 fell at T0 + 8, 12, 16 s (slot 1 was taken by the manual retry).
    for (const [index, retryNumber] of [2, 3, 4].entries()) {
      const due = t0 + (OFFSETS_MS[retryNumber - 1] as number);
      const received = (attempts[index + 2] as { receivedAt: number }).receivedAt;
      expect(received).toBeGreaterThanOrEqual(due - 50);
      expect(received - due).toBeLessThanOrEqual(2_000);
    }
    await waitFor(
      async () => (await harness.database.knex('calls').where({ event_id: eventId, status: 'failed' }).first()) ?? undefined,
      { description: 'the call to end as failed' },
    );

    // A manual retry of the exhausted call is still sent, counts on, and schedules nothing.
    await requestManualRetry(harness, eventId, producer);
    const last = await waitFor(() => harness.receiver.requestsTo('/manual-fails')[5], { description: 'the manual retry of an exhausted call' });
    expect(last.headers['dotfile-retry-count']).toBe('5');
    expect(last.headers['dotfile-remaining-retry-count']).toBe('0');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(harness.receiver.requestsTo('/manual-fails')).toHaveLength(6);
    const call = await harness.database.knex('calls').where({ event_id: eventId }).first();
    expect(call).toMatchObject({ status: 'failed', retry_count: 5 });
  });
});
