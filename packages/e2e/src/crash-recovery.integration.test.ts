import { waitFor } from '@hookstream/testkit';
import { deriveEventId } from '@hookstream/events';
import { createHarness, type Harness } from './harness';
import { domainEvent } from './seed';

/**
 * Killing the router or the sender with SIGKILL in the middle of a stream of
 * events and restarting it loses no call; a duplicate carries the same event_id.
 */
describe('crash recovery of the router and the sender', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await createHarness('crash');
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('loses no call when the router and then the sender are killed mid-stream', async () => {
    const workspaces = await Promise.all(['One', 'Two', 'Three'].map((name) => harness.seed.workspace(name)));
    const webhooks = await Promise.all(
      workspaces.map((workspace, index) =>
        harness.seed.webhook({ workspaceId: workspace.id, url: harness.receiver.url(`/crash-${index}`), events: ['Case.Created'] }),
      ),
    );
    await harness.start('router');
    await harness.start('sender');

    const published: Array<{ id: string; webhookId: string }> = [];
    const publishSome = async (count: number) => {
      for (let round = 0; round < count; round += 1) {
        const events = workspaces.map((workspace) => domainEvent({ type: 'Case.Created', workspace }));
        await harness.publish(events);
        events.forEach((event, index) => published.push({ id: event.id, webhookId: (webhooks[index] as { id: string }).id }));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };

    await publishSome(60);
    await waitFor(() => harness.receiver.requests.length > 30, { description: 'the stream to flow' });
    await harness.services.get('router')?.kill();
    await publishSome(60);
    await harness.start('router');
    await publishSome(60);
    await waitFor(() => harness.receiver.requests.length > published.length / 2, { description: 'more calls' });
    await harness.services.get('sender')?.kill();
    await publishSome(60);
    await harness.start('sender');
    await publishSome(30);

    const expected = new Set(published.map((event) => deriveEventId(event.id, event.webhookId)));
    const receivedIds = () => new Set(harness.receiver.requests.map((request) => (request.body.context as { event_id: string }).event_id));
    await waitFor(() => [...expected].every((id) => receivedIds().has(id)), {
      description: `all ${expected.size} calls after the crashes`,
      timeoutMs: 90_000,
    });
    // Every call received belongs to a published event; a duplicate repeats its event_id.
    const unexpected = [...receivedIds()].filter((id) => !expected.has(id));
    expect(unexpected).toEqual([]);
    expect(receivedIds().size).toBe(expected.size);
    for (const request of harness.receiver.requests) {
      expect(request.headers['dotfile-event-id']).toBe((request.body.context as { event_id: string }).event_id);
    }
  });
});
