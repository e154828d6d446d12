import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { validateDomainEvent, normalizeDecodedEnvelope } from '@hookstream/events';
import { createSchemaRegistry } from '@hookstream/producer';
import { createTestDatabase, createTestTopics, testInfrastructure, testSchemaRegistry, testKafka, uniquePrefix, waitFor, type TestDatabase } from '@hookstream/testkit';
import type { KafkaMessage, TopicNames } from '@hookstream/kafka';
import { runCommand } from './commands';

jest.setTimeout(120_000);

const run = promisify(execFile);
const cli = path.resolve(__dirname, '..', '..', 'dist', 'cli', 'main.js');

/** `npm run cli -- event publish …` as a user runs it: a real process against the real broker. */
describe('npm run cli -- event publish', () => {
  let database: TestDatabase;
  let topics: TopicNames;
  let prefix: string;
  let workspaceId: string;
  const received: KafkaMessage[] = [];
  const consumer = testKafka('event-publish-test').consumer({ groupId: `event-publish-${Date.now()}` });
  const files = mkdtempSync(path.join(tmpdir(), 'hookstream-event-'));

  const publish = async (args: string[], env: Record<string, string> = {}) => {
    try {
      const { stdout, stderr } = await run(process.execPath, [cli, 'event', 'publish', ...args], {
        env: {
          ...process.env,
          KAFKA_BROKERS: testInfrastructure().kafkaBrokers.join(','),
          KAFKA_TOPIC_PREFIX: prefix,
          DATABASE_URL: database.url,
          ...env,
        },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failure = error as { code: number; stdout: string; stderr: string };
      return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
    }
  };
  const messageCount = async () => {
    const admin = testKafka('event-publish-admin').admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(topics.domainEvents);
      return offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
    } finally {
      await admin.disconnect();
    }
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    prefix = uniquePrefix('cli-event');
    topics = await createTestTopics(prefix);
    const created = JSON.parse((await runCommand(['workspace', 'create', '--name', 'Acme Compliance', '--json'], { knex: database.knex }))[0] as string);
    workspaceId = created.id;
    await consumer.connect();
    await consumer.subscribe({ topic: topics.domainEvents, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void received.push(message) });
  });

  afterAll(async () => {
    await consumer.disconnect();
    await database.drop();
  });

  it('publishes a valid example event of the type asked, keyed by workspace, named after the workspace', async () => {
    const result = await publish(['--workspace', workspaceId, '--type', 'Case.StatusUpdated']);
    expect(result).toMatchObject({ code: 0 });
    const id = /id ([0-9a-f-]{36}), to /.exec(result.stdout)?.[1];
    expect(result.stdout).toContain(`to ${topics.domainEvents}`);
    const message = await waitFor(() => received.find((candidate) => candidate.value?.toString().includes(id as string)), {
      timeoutMs: 60_000,
      description: 'the published event on the domain-events topic',
    });
    expect(message.key?.toString()).toBe(workspaceId);
    const validation = validateDomainEvent(JSON.parse(message.value?.toString() as string));
    expect(validation).toMatchObject({ ok: true, event: { id, type: 'Case.StatusUpdated', workspace: { id: workspaceId, name: 'Acme Compliance' } } });
  });

  it('publishes the entity and context of a JSON file', async () => {
    const file = path.join(files, 'check.json');
    writeFileSync(
      file,
      JSON.stringify({
        entity: { id: 'chk_1', type: 'aml', status: 'rejected' },
        context: { case: { id: 'case_1', name: 'Acme SAS onboarding' }, company: { id: 'cmp_1', name: 'Acme SAS', country: 'FR' } },
      }),
    );
    const result = await publish(['--workspace', workspaceId, '--type', 'Check.Rejected', '--json', file]);
    expect(result).toMatchObject({ code: 0 });
    const message = await waitFor(() => received.find((candidate) => candidate.value?.toString().includes('chk_1')), {
      timeoutMs: 60_000,
      description: 'the event from the file',
    });
    expect(JSON.parse(message.value?.toString() as string)).toMatchObject({ type: 'Check.Rejected', entity: { id: 'chk_1', status: 'rejected' }, context: { company: { id: 'cmp_1' } } });
  });

  it('refuses an unknown type, missing context, an unknown workspace or a wire format without a registry, sending nothing', async () => {
    const before = await messageCount();
    const noContext = path.join(files, 'no-context.json');
    writeFileSync(noContext, JSON.stringify({ entity: { id: 'note_1', content: 'hello' } }));

    const unknownType = await publish(['--workspace', workspaceId, '--type', 'Case.Exploded']);
    expect(unknownType.code).toBe(1);
    expect(unknownType.stderr).toContain('unknown event type "Case.Exploded"');
    expect(unknownType.stderr).toContain('Case.StatusUpdated');

    const missingContext = await publish(['--workspace', workspaceId, '--type', 'Note.Created', '--json', noContext]);
    expect(missingContext.code).toBe(1);
    expect(missingContext.stderr).toMatch(/nothing was sent: .*context_missing.*context\.case/);

    const unknownWorkspace = await publish(['--workspace', '00000000-0000-4000-8000-000000000000', '--type', 'Case.Created']);
    expect(unknownWorkspace.code).toBe(1);
    expect(unknownWorkspace.stderr).toContain('there is no workspace 00000000-0000-4000-8000-000000000000');

    const noRegistry = await publish(['--workspace', workspaceId, '--type', 'Case.Created', '--encoding', 'avro'], { SCHEMA_REGISTRY_URL: '' });
    expect(noRegistry.code).toBe(1);
    expect(noRegistry.stderr).toContain('set SCHEMA_REGISTRY_URL');

    const badUsage = await publish(['--type', 'Case.Created']);
    expect(badUsage.code).toBe(2);
    expect(badUsage.stderr).toContain('--workspace <id> is required');

    expect(await messageCount()).toBe(before);
  });

  it('publishes in the Confluent wire format through a schema registry (Avro and JSON Schema)', async () => {
    const registryServer = testSchemaRegistry();
    const registry = createSchemaRegistry(registryServer.url);
    for (const encoding of ['avro', 'json-schema']) {
      // One subject per schema type: a registry's compatibility rules refuse an Avro
      // subject's next version in JSON Schema.
      const subject = `${topics.domainEvents}-${encoding}-value`;
      const result = await publish(['--workspace', workspaceId, '--type', 'Individual.MarkedAsRelevant', '--encoding', encoding, '--subject', subject], {
        SCHEMA_REGISTRY_URL: registryServer.url,
      });
      expect(result).toMatchObject({ code: 0 });
      expect(result.stdout).toContain('Confluent wire format');
      const id = /id ([0-9a-f-]{36}), to /.exec(result.stdout)?.[1] as string;
      const decoded = await waitFor(
        async () => {
          for (const message of received) {
            if (message.value?.[0] !== 0) continue;
            const envelope = normalizeDecodedEnvelope(await registry.decode(message.value));
            if ((envelope as { id?: string }).id === id) return envelope;
          }
          return undefined;
        },
        { timeoutMs: 60_000, description: `the ${encoding} event` },
      );
      expect(validateDomainEvent(decoded)).toMatchObject({ ok: true, event: { type: 'Individual.MarkedAsRelevant', workspace: { id: workspaceId } } });
    }
  });
});
