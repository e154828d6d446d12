import { decodeMessage, lifecycleMessageSchema, type LifecycleMessage } from '@hookstream/messages';
import { testKafka, waitFor } from '@hookstream/testkit';
import type { Consumer } from '@hookstream/kafka';
import { createHarness, type Harness } from './harness';
import { domainEvent } from './seed';

/**
 * docs/webhooks.md "Offline rule", end to end: health counts the sender's failures and
 * takes a webhook offline at its 51st failure within 24 h; the router and sender then
 * send it nothing more, neither first calls nor automatic retries.
 */
async function collectLifecycle(harness: Harness, sink: LifecycleMessage[]): Promise<Consumer> {
  const consumer = testKafka('lifecycle-reader').consumer({ groupId: `${harness.prefix}lifecycle-reader` });
  await consumer.connect();
  await consumer.subscribe({ topic: harness.topics.webhookLifecycle, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const decoded = decodeMessage(lifecycleMessageSchema, message.value);
      if (decoded.ok) sink.push(decoded.value);
    },
  });
  return consumer;
}

async function statusOf(harness: Harness, webhookId: string) {
  return harness.database.knex('webhooks').select('status', 'offline_reason').where({ id: webhookId }).first();
}

describe('the offline rule, end to end', () => {
  describe('with the default schedule (no retry falls due during the test)', () => {
    let harness: Harness;
    let lifecycleReader: Consumer;
    const lifecycle: LifecycleMessage[] = [];

    beforeAll(async () => {
      harness = await createHarness('offline');
      lifecycleReader = await collectLifecycle(harness, lifecycle);
      await Promise.all([harness.start('router'), harness.start('sender'), harness.start('health')]);
    });

    afterAll(async () => {
      await lifecycleReader?.disconnect();
      await harness?.close();
    });

    it('takes a webhook offline at its 51st failure and stops its deliveries, while 50 failures leave another online', async () => {
      const workspace = await harness.seed.workspace('Offline');
      harness.receiver.behave('/fifty', { kind: 'status', status: 500 });
      harness.receiver.behave('/fifty-one', { kind: 'status', status: 500 });
      const fifty = await harness.seed.webhook({ workspaceId: workspace.id, url: harness.receiver.url('/fifty'), events: ['Case.Created'] });
      const fiftyOne = await harness.seed.webhook({ workspaceId: workspace.id, url: harness.receiver.url('/fifty-one'), events: ['Case.Deleted'] });
      await new Promise((resolve) => setTimeout(resolve, 600));

      await harness.publish(Array.from({ length: 50 }, () => domainEvent({ type: 'Case.Created', workspace })));
      await harness.publish(Array.from({ length: 50 }, () => domainEvent({ type: 'Case.Deleted', workspace })));
      await waitFor(
        async () => {
          const [row] = await harness.database.knex('webhook_failures').whereIn('webhook_id', [fifty.id, fiftyOne.id]).count({ count: '*' });
          return Number(row?.count) === 100;
        },
        { description: '100 failures counted' },
      );
      expect((await statusOf(harness, fiftyOne.id)).status).toBe('online');

      await harness.publish([domainEvent({ type: 'Case.Deleted', workspace })]);
      const fiftyFirst = await waitFor(() => harness.receiver.requestsTo('/fifty-one')[50], { description: 'the 51st failure' });
      const offlineAt = await waitFor(
        async () => ((await statusOf(harness, fiftyOne.id)).status === 'offline' ? Date.now() : undefined),
        { description: 'the webhook to go offline', intervalMs: 20 },
      );
      expect(offlineAt - fiftyFirst.receivedAt).toBeLessThan(2_500);
      expect(await statusOf(harness, fiftyOne.id)).toEqual({ status: 'offline', offline_reason: 'failure_threshold' });
      const event = await waitFor(() => lifecycle.find((message) => message.webhook_id === fiftyOne.id), { description: 'the lifecycle event' });
      expect(event).toMatchObject({ type: 'webhook.offline', reason: 'failure_threshold', workspace_id: workspace.id });

      // Offline: no new deliveries reach it; the webhook with 50 failures still gets its calls
      // (now answered with a 200, so that its count stays at 50).
      harness.receiver.behave('/fifty', { kind: 'status', status: 200 });
      await new Promise((resolve) => setTimeout(resolve, 600));
      await harness.publish([domainEvent({ type: 'Case.Deleted', workspace }), domainEvent({ type: 'Case.Created', workspace })]);
      await waitFor(() => harness.receiver.requestsTo('/fifty').length === 51, { description: 'the online webhook keeps receiving' });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(harness.receiver.requestsTo('/fifty-one')).toHaveLength(51);
      expect((await statusOf(harness, fifty.id)).status).toBe('online');
    });
  });

  describe('with retries falling due after the webhook went offline', () => {
    let harness: Harness;

    beforeAll(async () => {
      harness = await createHarness('offline-retries', { env: { WEBHOOK_RETRY_SCHEDULE: '4s,8s,12s,16s' } });
      await Promise.all([harness.start('router'), harness.start('sender'), harness.start('health')]);
    });

    afterAll(async () => {
      await harness?.close();
    });

    it('sends no automatic retry to an offline webhook and logs why', async () => {
      const workspace = await harness.seed.workspace('Offline retries');
      harness.receiver.behave('/down', { kind: 'status', status: 503 });
      const webhook = await harness.seed.webhook({ workspaceId: workspace.id, url: harness.receiver.url('/down'), events: ['Note.Created'] });
      await new Promise((resolve) => setTimeout(resolve, 600));
      await harness.publish(Array.from({ length: 51 }, () => domainEvent({ type: 'Note.Created', workspace, context: { case: { id: 'c' } } })));
      await waitFor(async () => (await statusOf(harness, webhook.id)).status === 'offline', { description: 'offline' });
      // The 51 retries 1 fall due 4 s after their first calls: none is sent.
      const cancelled = await waitFor(
        async () => {
          const [row] = await harness.database.knex('calls').where({ webhook_id: webhook.id, status: 'cancelled', status_reason: 'webhook_offline' }).count({ count: '*' });
          return Number(row?.count) === 51 ? Number(row?.count) : undefined;
        },
        { description: 'every call cancelled because the webhook is offline', timeoutMs: 20_000 },
      );
      expect(cancelled).toBe(51);
      expect(harness.receiver.requestsTo('/down')).toHaveLength(51);
      const notSent = () => harness.outcomes.filter((outcome) => outcome.webhook_id === webhook.id && outcome.not_sent_reason === 'webhook_offline');
      await waitFor(() => notSent().length >= 51, { description: 'the not-sent outcomes' });
      expect(notSent()).toHaveLength(51);
      expect(notSent().every((outcome) => outcome.type === 'automatic_retry' && outcome.retry_count === 1)).toBe(true);
    });
  });
});
