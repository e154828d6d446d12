import { silenceTimeoutNegativeWarning } from '@hookstream/observability';
import { provideInfrastructure, type Infrastructure } from './infrastructure';

declare global {
  var hookstreamTestInfrastructure: Infrastructure | undefined;
}

/**
 * Starts the broker and the database once per jest run. Test workers are forked after
 * this runs, so the variables set here reach every test file.
 */
export default async function globalSetup(): Promise<void> {
  // The global setup's own kafkajs admin would print kafkajs' harmless TimeoutNegativeWarning.
  silenceTimeoutNegativeWarning();
  const started = Date.now();
  const infrastructure = await provideInfrastructure({ log: (line) => process.stderr.write(`\n[testkit] ${line}`) });
  globalThis.hookstreamTestInfrastructure = infrastructure;
  process.env.KAFKA_BROKERS = infrastructure.kafkaBrokers.join(',');
  process.env.DATABASE_URL = infrastructure.databaseUrl;
  process.env.HOOKSTREAM_TEST_INFRA_SOURCE = infrastructure.source;
  process.env.HOOKSTREAM_TEST_SCHEMA_REGISTRY_URL = infrastructure.schemaRegistry.url;
  process.env.HOOKSTREAM_TEST_SCHEMA_REGISTRY_DIR = infrastructure.schemaRegistry.dataDir;
  process.stderr.write(
    `\n[testkit] ${infrastructure.source}: kafka ${process.env.KAFKA_BROKERS}, postgres and schema registry ` +
      `${infrastructure.schemaRegistry.url} (up in ${infrastructure.schemaRegistry.startupMs} ms) ready in ${Date.now() - started} ms\n`,
  );
}
