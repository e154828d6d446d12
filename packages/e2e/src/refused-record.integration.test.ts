import { randomBytes } from 'node:crypto';
import { ConfigResourceTypes } from 'kafkajs';
import { testKafka, waitFor } from '@hookstream/testkit';
import { createHarness, type Harness } from './harness';
import { domainEvent } from './seed';

/**
 * A record the broker refuses for good (here a webhook call larger than the deliveries
 * topic's max.message.bytes) must not stall the router: the router commits every
 * partition's batches in shared transactions, so one refused record used to fail them all,
 * again and again. It is retried, then its domain event is dead-lettered with the reason,
 * and every other event is delivered.
 */
describe('a record the broker refuses', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await createHarness('refused', { env: { DOMAIN_EVENT_MAX_BYTES: String(256 * 1024) } });
    const admin = testKafka('refused-admin').admin();
    await admin.connect();
    try {
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          { type: ConfigResourceTypes.TOPIC, name: harness.topics.webhookDeliveries, configEntries: [{ name: 'max.message.bytes', value: '16384' }] },
        ],
      });
    } finally {
      await admin.disconnect();
    }
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('dead-letters the event whose call is too large and delivers every other event of every partition', async () => {
    const workspaces = await Promise.all(['One', 'Two', 'Three', 'Four', 'Five', 'Six'].map((name) => harness.seed.workspace(name)));
    for (const workspace of workspaces) {
      await harness.seed.webhook({ workspaceId: workspace.id, url: harness.receiver.url(`/${workspace.id}`), events: ['Case.Created'] });
    }
    await harness.start('router');
    await harness.start('sender');

    // Random text: incompressible, so the call stays above 16 KiB after zstd.
    const tooLarge = domainEvent({
      type: 'Case.Created',
      workspace: workspaces[0]!,
      entity: { id: 'huge', name: randomBytes(24 * 1024).toString('base64') },
    });
    const marker = randomBytes(4).toString('hex');
    const ordinary = Array.from({ length: 60 }, (_, index) =>
      domainEvent({
        type: 'Case.Created',
        workspace: workspaces[index % workspaces.length]!,
        entity: { id: `case-${index}`, name: `ordinary-${index}-${marker}` },
      }),
    );
    // The large event first, then the others, in the same requests: they share its transactions.
    await harness.publish([tooLarge, ...ordinary.slice(0, 30)]);
    await harness.publish(ordinary.slice(30));

    const names = ordinary.map((event) => `"${String(event.entity.name)}"`);
    const serviceOutput = () =>
      [...harness.services.values()].map((service) => `--- ${service.name}\n${service.output.join('').slice(-6_000)}`).join('\n');
    await waitFor(
      () => {
        const bodies = harness.receiver.requests.map((request) => request.rawBody.toString());
        return names.every((name) => bodies.some((body) => body.includes(name)));
      },
      { timeoutMs: 90_000, intervalMs: 200, description: 'every ordinary event delivered' },
    ).catch((error: Error) => {
      throw new Error(`${error.message}; ${harness.receiver.requests.length} calls received\n${serviceOutput()}`);
    });
    const deadLetter = await waitFor(
      () => harness.deadLetters.find((message) => message.value && JSON.parse(message.value.toString()).id === tooLarge.id),
      { timeoutMs: 60_000, intervalMs: 200, description: 'the refused event in the dead-letter topic' },
    );
    expect(deadLetter.headers?.['hookstream-dlq-reason']?.toString()).toBe('refused_by_broker');
    expect(deadLetter.headers?.['hookstream-dlq-message']?.toString()).toMatch(/larger than the max message size/);
    // The original bytes are kept, so the event can be fixed and republished.
    expect(JSON.parse(deadLetter.value!.toString()).entity.name).toBe(tooLarge.entity.name);
    expect(harness.receiver.requests.some((request) => JSON.stringify(request.body).includes(String(tooLarge.entity.name)))).toBe(false);
  });
});
