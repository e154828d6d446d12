import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { readDomainEventAvroSchema, readDomainEventJsonSchema } from '@hookstream/events';
import { createDomainEventProducer, createSchemaRegistry } from '@hookstream/producer';
import { startSchemaRegistry, testKafka, waitFor } from '@hookstream/testkit';
import type { Producer } from '@hookstream/kafka';
import { createHarness, type Harness } from './harness';

/**
 * docs/producing-events.md: domain events in the Confluent wire format (magic byte, schema
 * id, Avro or JSON Schema body), published with the project's typed producer library and
 * decoded by the router through a schema registry.
 */
describe('Confluent wire-format domain events', () => {
  let harness: Harness;
  let registryServer: Awaited<ReturnType<typeof startSchemaRegistry>>;
  let kafkaProducer: Producer;

  beforeAll(async () => {
    registryServer = await startSchemaRegistry();
    harness = await createHarness('wire', { env: { SCHEMA_REGISTRY_URL: registryServer.url } });
    kafkaProducer = testKafka('wire-producer').producer({ idempotent: true, maxInFlightRequests: 1 });
    await kafkaProducer.connect();
    await Promise.all([harness.start('router'), harness.start('sender')]);
  });

  afterAll(async () => {
    await kafkaProducer?.disconnect();
    await harness?.close();
    await registryServer?.close();
  });

  it('routes Avro and JSON Schema encoded events like JSON ones, and dead-letters an unknown schema id', async () => {
    const workspace = await harness.seed.workspace('Wire');
    await harness.seed.webhook({ workspaceId: workspace.id, url: harness.receiver.url('/wire'), events: ['Check.Approved'] });
    await new Promise((resolve) => setTimeout(resolve, 600));

    const registry = createSchemaRegistry(registryServer.url);
    const avro = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(readDomainEventAvroSchema()) }, { subject: 'domain-events-value' });
    const json = await registry.register(
      { type: SchemaType.JSON, schema: JSON.stringify(readDomainEventJsonSchema()) },
      { subject: 'domain-events-json-value' },
    );
    const context = { case: { id: 'case-1', name: 'Acme' }, company: { id: 'co-1', name: 'Acme SAS', country: 'FR' } };
    const entity = { id: 'check-1', type: 'aml', status: 'approved', nested: { score: 3 } };
    const publish = (schemaId: number, schemaType: 'avro' | 'json') =>
      createDomainEventProducer({
        producer: kafkaProducer,
        topic: harness.topics.domainEvents,
        encoding: { kind: 'registry', registry, schemaId, schemaType },
      }).publish([{ type: 'Check.Approved', workspace, entity, context }]);
    const [avroEvent] = await publish(avro.id, 'avro');
    const [jsonEvent] = await publish(json.id, 'json');

    const calls = await waitFor(() => (harness.receiver.requestsTo('/wire').length === 2 ? harness.receiver.requestsTo('/wire') : undefined), {
      description: 'both wire-format events delivered',
    });
    for (const call of calls) {
      expect(call.body).toMatchObject({ event: 'Check.Approved', check: entity, context: { case: context.case, company: context.company } });
    }
    expect(calls.map((call) => (call.body.context as { event_id: string }).event_id)).toHaveLength(2);
    expect([avroEvent?.id, jsonEvent?.id]).toHaveLength(2);

    // A wire-format message whose schema id the registry does not know: dead-lettered.
    const before = harness.deadLetters.length;
    const unknownSchema = Buffer.concat([Buffer.from([0, 0, 0, 0x7f, 0x7f]), Buffer.from('garbage')]);
    await harness.publishRaw([{ key: workspace.id, value: unknownSchema }]);
    const letter = await waitFor(() => harness.deadLetters[before], { description: 'the dead letter' });
    expect(letter.headers?.['hookstream-dlq-reason']?.toString()).toBe('undecodable');
    expect(letter.value?.equals(unknownSchema)).toBe(true);
  });
});
