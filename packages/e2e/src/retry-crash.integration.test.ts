import { deriveEventId } from '@hookstream/events';
import { waitFor } from '@hookstream/testkit';
import { createHarness, type Harness } from './harness';
import { domainEvent } from './seed';

/**
 * SIGKILL of the sender while retries wait in every tier loses no retry. With a
 * schedule of 2, 4, 6 and 8 s and four calls started 2.1 s apart, at the moment of the
 * kill one call waits in each of the four tiers.
 */
describe('retries survive a sender crash', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await createHarness('retry-crash', { env: { WEBHOOK_RETRY_SCHEDULE: '2s,4s,6s,8s' } });
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('sends every retry of every tier after a SIGKILL and restart', async () => {
    const workspace = await harness.seed.workspace('Crash');
    harness.receiver.behave('/tiers', { kind: 'status', status: 500 });
    const webhook = await harness.seed.webhook({ workspaceId: workspace.id, url: harness.receiver.url('/tiers'), events: ['Case.Created'] });
    await Promise.all([harness.start('router'), harness.start('sender')]);

    const eventIds: string[] = [];
    for (let call = 0; call < 4; call += 1) {
      const event = domainEvent({ type: 'Case.Created', workspace });
      const eventId = deriveEventId(event.id, webhook.id);
      eventIds.push(eventId);
      await harness.publish([event]);
      await waitFor(() => harness.receiver.requestsTo('/tiers').some((request) => request.headers['dotfile-event-id'] === eventId), {
        description: `the first call of call ${call + 1}`,
      });
      if (call < 3) await new Promise((resolve) => setTimeout(resolve, 2_100));
    }
    // Let the last first call's outcome and retry become durable, then crash.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const attemptsOf = (eventId: string) =>
      harness.receiver
        .requestsTo('/tiers')
        .filter((request) => request.headers['dotfile-event-id'] === eventId)
        .map((request) => Number(request.headers['dotfile-retry-count']));
    // One call waits in each tier: call 1 has made 4 attempts, call 4 one.
    expect(eventIds.map((eventId) => Math.max(...attemptsOf(eventId)))).toEqual([3, 2, 1, 0]);

    await harness.services.get('sender')?.kill();
    await harness.start('sender');

    await waitFor(() => eventIds.every((eventId) => new Set(attemptsOf(eventId)).size === 5), {
      description: 'all five attempts of every call',
      timeoutMs: 60_000,
    });
    for (const eventId of eventIds) {
      const attempts = attemptsOf(eventId);
      expect([...new Set(attempts)].sort()).toEqual([0, 1, 2, 3, 4]);
      expect(Math.max(...attempts)).toBe(4);
    }
  });
});
