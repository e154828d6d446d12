import { randomUUID } from 'node:crypto';
import { SchemaType, type SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { readDomainEventAvroSchema, readDomainEventJsonSchema } from '@hookstream/events';
import { createDomainEventProducer, createSchemaRegistry } from '@hookstream/producer';
import { testKafka, testSchemaRegistry, waitFor, type TestSchemaRegistry } from '@hookstream/testkit';
import type { Producer } from '@hookstream/kafka';
import { createHarness, type Harness } from './harness';
import { scrapeMetrics } from './services';

/**
 * Domain events in the Confluent wire format (magic byte, schema id, Avro or JSON Schema
 * body), published with the project's producer library and decoded by the router through
 * a real schema registry (Apicurio Registry's Confluent API, started once per test run).
 * These tests stop and restart that registry: no other test file uses it.
 */
// A registry restart takes several seconds of a loaded machine's time.
jest.setTimeout(300_000);

describe('Confluent wire-format domain events', () => {
  let harness: Harness;
  let registryServer: TestSchemaRegistry;
  let registry: SchemaRegistry;
  let kafkaProducer: Producer;
  const context = { case: { id: 'case-1', name: 'Acme' }, company: { id: 'co-1', name: 'Acme SAS', country: 'FR' } };

  /** The Avro envelope with extra optional fields: a new, backward-compatible version. */
  const avroWithExtraFields = (...names: string[]) => {
    const schema = readDomainEventAvroSchema() as { fields: unknown[] };
    return JSON.stringify({ ...schema, fields: [...schema.fields, ...names.map((name) => ({ name, type: ['null', 'string'], default: null }))] });
  };

  beforeAll(async () => {
    registryServer = testSchemaRegistry();
    registry = createSchemaRegistry(registryServer.url);
    harness = await createHarness('wire', { env: { SCHEMA_REGISTRY_URL: registryServer.url } });
    kafkaProducer = testKafka('wire-producer').producer({ idempotent: true, maxInFlightRequests: 1 });
    await kafkaProducer.connect();
    await Promise.all([harness.start('router'), harness.start('sender')]);
  });

  afterAll(async () => {
    await kafkaProducer?.disconnect();
    await harness?.close();
    // Whatever happened in a test, leave the registry running for the rest of the run.
    await registryServer?.start();
  });

  async function subscribedWorkspace(name: string, path: string) {
    const workspace = await harness.seed.workspace(name);
    await harness.seed.webhook({ workspaceId: workspace.id, url: harness.receiver.url(path), events: ['Check.Approved'] });
    // The router's webhook view refreshes every 200 ms in these tests.
    await new Promise((resolve) => setTimeout(resolve, 600));
    return workspace;
  }

  function publisher(workspace: { id: string; name: string }, schemaId: number, schemaType: 'avro' | 'json') {
    const producer = createDomainEventProducer({
      producer: kafkaProducer,
      topic: harness.topics.domainEvents,
      encoding: { kind: 'registry', registry, schemaId, schemaType },
    });
    return async (entityId: string) => {
      const [event] = await producer.publish([{ type: 'Check.Approved', workspace, entity: { id: entityId, type: 'aml', status: 'approved' }, context }]);
      return event?.id as string;
    };
  }

  const deliveredIds = (path: string) => harness.receiver.requestsTo(path).map((call) => (call.body.check as { id: string }).id);

  it('routes Avro and JSON Schema encoded events like JSON ones, and dead-letters an unknown schema id', async () => {
    const workspace = await subscribedWorkspace('Wire', '/wire');
    const subject = `${harness.prefix}domain-events`;
    const avro = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(readDomainEventAvroSchema()) }, { subject: `${subject}-value` });
    const json = await registry.register(
      { type: SchemaType.JSON, schema: JSON.stringify(readDomainEventJsonSchema()) },
      { subject: `${subject}-json-value` },
    );
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
    expect(new Set(calls.map((call) => (call.body.context as { event_id: string }).event_id)).size).toBe(2);
    expect([avroEvent?.id, jsonEvent?.id]).toHaveLength(2);

    // A wire-format message whose schema id the live registry answers 404 for: dead-lettered.
    const before = harness.deadLetters.length;
    const unknownSchema = Buffer.concat([Buffer.from([0, 0x7f, 0x7f, 0x7f, 0x7f]), Buffer.from('garbage')]);
    await harness.publishRaw([{ key: workspace.id, value: unknownSchema }]);
    const letter = await waitFor(() => harness.deadLetters[before], { description: 'the dead letter', timeoutMs: 60_000 });
    expect(letter.headers?.['hookstream-dlq-reason']?.toString()).toBe('undecodable');
    expect(letter.headers?.['hookstream-dlq-message']?.toString()).toMatch(/not found/i);
    expect(letter.value?.equals(unknownSchema)).toBe(true);
  });

  it('routes events of a new backward-compatible schema version, and the registry refuses an incompatible one', async () => {
    const workspace = await subscribedWorkspace('Evolution', '/evolution');
    const subject = `${harness.prefix}evolution-value`;
    const v1 = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(readDomainEventAvroSchema()) }, { subject });
    const v2 = await registry.register({ type: SchemaType.AVRO, schema: avroWithExtraFields('producer_version') }, { subject });
    expect(v2.id).not.toBe(v1.id);

    // BACKWARD compatibility, as in Confluent's registry: a new required field breaks readers of old data.
    const schema = readDomainEventAvroSchema() as { fields: unknown[] };
    const incompatible = JSON.stringify({ ...schema, fields: [...schema.fields, { name: 'tenant', type: 'string' }] });
    await expect(registry.register({ type: SchemaType.AVRO, schema: incompatible }, { subject })).rejects.toThrow(/incompatible/i);

    await publisher(workspace, v1.id, 'avro')('evolution-v1');
    await publisher(workspace, v2.id, 'avro')('evolution-v2');
    await waitFor(() => (deliveredIds('/evolution').length >= 2 ? true : undefined), { description: 'events of both versions delivered', timeoutMs: 60_000 });
    expect(deliveredIds('/evolution').sort()).toEqual(['evolution-v1', 'evolution-v2']);
  });

  it('holds wire-format events while the registry is down, not ready and counted, and delivers every one after it is back', async () => {
    const workspace = await subscribedWorkspace('Outage', '/outage');
    const router = harness.services.get('router');
    if (!router) throw new Error('the router is not running');
    const subject = `${harness.prefix}outage-value`;
    // Known to the router before the outage (it caches schemas by id) ...
    const known = await registry.register({ type: SchemaType.AVRO, schema: avroWithExtraFields('known_marker') }, { subject });
    // ... and a version registered just before the outage, which the router has never seen.
    const fresh = await registry.register({ type: SchemaType.AVRO, schema: avroWithExtraFields('known_marker', 'fresh_marker') }, { subject });
    await registry.getSchema(fresh.id); // the test's producer encodes from its cache during the outage
    const publishKnown = publisher(workspace, known.id, 'avro');
    const publishFresh = publisher(workspace, fresh.id, 'avro');
    const deadLettersBefore = harness.deadLetters.length;

    const expected: string[] = [];
    const stream = async (label: string, count: number, publish: (id: string) => Promise<string>) => {
      for (let index = 0; index < count; index += 1) {
        const id = `${label}-${index}-${randomUUID().slice(0, 8)}`;
        await publish(id);
        expected.push(id);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };

    await stream('before', 5, publishKnown);
    await waitFor(() => (deliveredIds('/outage').length >= 5 ? true : undefined), { description: 'the events before the outage delivered', timeoutMs: 60_000 });

    await registryServer.stop();
    await stream('during-fresh', 5, publishFresh);
    await stream('during-known', 5, publishKnown);

    // The router says it cannot do its work (and dead-letters nothing meanwhile).
    const state = await waitFor(
      async () => {
        const letter = harness.deadLetters[deadLettersBefore];
        if (letter) return `dead-lettered: ${letter.headers?.['hookstream-dlq-message']?.toString()}`;
        return (await fetch(`http://127.0.0.1:${router.metricsPort}/readyz`)).status === 503 ? 'not ready' : undefined;
      },
      { description: 'the router not ready while the registry is down', timeoutMs: 60_000 },
    );
    expect(state).toBe('not ready');
    // ... and counts the attempts it deferred.
    const deferred = await waitFor(
      async () => {
        const match = /^hookstream_router_registry_unavailable_total(?:\{[^}]*\})? (\d+)/m.exec(await scrapeMetrics(router));
        return match && Number(match[1]) > 0 ? Number(match[1]) : undefined;
      },
      { description: 'deferred batches counted' },
    );
    expect(deferred).toBeGreaterThan(0);
    expect(deliveredIds('/outage')).toHaveLength(5);
    expect(harness.deadLetters.length).toBe(deadLettersBefore);

    await registryServer.start();
    await stream('after', 5, publishFresh);

    await waitFor(() => (deliveredIds('/outage').length >= expected.length ? true : undefined), {
      description: 'every event delivered after the restart',
      timeoutMs: 120_000,
    });
    await waitFor(
      async () => ((await fetch(`http://127.0.0.1:${router.metricsPort}/readyz`)).status === 200 ? true : undefined),
      { description: 'the router ready again' },
    );
    expect(deliveredIds('/outage').sort()).toEqual([...expected].sort());
    expect(harness.deadLetters.length).toBe(deadLettersBefore);
  });
});
