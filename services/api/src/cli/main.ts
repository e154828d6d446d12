import { databaseEnv, kafkaEnv, loadConfig, z } from '@hookstream/config';
import { createDatabase, redactUrl, waitForDatabase, type Knex } from '@hookstream/db';
import { createKafka, topicNames, waitForBroker } from '@hookstream/kafka';
import { createLogger, silenceTimeoutNegativeWarning } from '@hookstream/observability';
import { createDomainEventProducer } from '@hookstream/producer';
import { Partitioners } from 'kafkajs';
import { ApiError } from '../http/errors';
import { CliError, parseArguments, UsageError } from './arguments';
import { USAGE, runCommand } from './commands';
import { EventInputError, producerEncoding, readTextFile, runEventPublish, type EventPublishDependencies } from './event-command';

// `npm run cli -- workspace create --name Acme`: see USAGE. Exit codes: 0 done, 1 failed,
// 2 bad usage.

const eventEnv = {
  ...kafkaEnv,
  ...databaseEnv,
  SCHEMA_REGISTRY_URL: z.string().url().optional(),
};

/** `event publish` against the configured broker (and database, for the workspace's name). */
async function publishEvent(argv: readonly string[]): Promise<string[]> {
  const parsed = parseArguments(argv);
  if (parsed.words[1] !== 'publish') throw new UsageError(`unknown command: ${parsed.words.join(' ')}`);
  const config = loadConfig(eventEnv, process.env);
  const topic = topicNames(config.KAFKA_TOPIC_PREFIX).domainEvents;
  const dependencies: EventPublishDependencies = {
    readFile: readTextFile,
    async workspaceName(id) {
      let knex: Knex | undefined;
      try {
        await waitForDatabase(config.DATABASE_URL, 10_000);
        knex = createDatabase({ url: config.DATABASE_URL, poolMax: 1, applicationName: 'hookstream-cli' });
        const row = await knex('workspaces').where({ id }).first<{ name: string } | undefined>('name');
        return row?.name;
      } catch (error) {
        throw new EventInputError(
          `could not look up the workspace's name in the database at ${redactUrl(config.DATABASE_URL)} (${(error as Error).message}); ` +
            'pass --workspace-name <name> to publish without it',
        );
      } finally {
        await knex?.destroy();
      }
    },
    async publish(event, encoding, subject) {
      const producerCodec = await producerEncoding(encoding, { registryUrl: config.SCHEMA_REGISTRY_URL, subject: subject ?? `${topic}-value` });
      const logger = createLogger({ service: 'hookstream-cli', level: 'error', destination: process.stderr });
      const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'hookstream-cli', logger });
      await waitForBroker(kafka, config.KAFKA_BROKERS, 15_000);
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      try {
        await createDomainEventProducer({ producer, topic, encoding: producerCodec }).publish([event]);
      } finally {
        await producer.disconnect();
      }
      const format = encoding === 'json' ? 'JSON' : `Confluent wire format, ${encoding === 'avro' ? 'Avro' : 'JSON Schema'} schema id ${String((producerCodec as { schemaId?: number }).schemaId)}`;
      return { topic, detail: `key ${event.workspace.id}, ${format}, broker ${config.KAFKA_BROKERS.join(',')}` };
    },
  };
  return runEventPublish(parsed, dependencies);
}

async function workspaceCommand(argv: readonly string[]): Promise<string[]> {
  const config = loadConfig(databaseEnv, process.env);
  await waitForDatabase(config.DATABASE_URL, 10_000);
  const knex = createDatabase({ url: config.DATABASE_URL, poolMax: 2, applicationName: 'hookstream-cli' });
  try {
    return await runCommand(argv, { knex });
  } catch (error) {
    if ((error as { code?: unknown }).code === '42P01') {
      throw new CliError(
        `the database at ${redactUrl(config.DATABASE_URL)} has no hookstream schema yet; start the stack once (npm start) to migrate it`,
      );
    }
    throw error;
  } finally {
    await knex.destroy();
  }
}

async function main(): Promise<number> {
  silenceTimeoutNegativeWarning();
  const argv = process.argv.slice(2);
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  try {
    const lines = argv[0] === 'event' ? await publishEvent(argv) : await workspaceCommand(argv);
    for (const line of lines) console.log(line);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`hookstream: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof ApiError || error instanceof CliError) {
      console.error(`hookstream: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`hookstream: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
