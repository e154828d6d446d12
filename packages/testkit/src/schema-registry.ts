import { restartLocalSchemaRegistry, stopLocalSchemaRegistry } from '@hookstream/local-infra';

export interface TestSchemaRegistry {
  /** The Confluent-compatible API of the run's registry (Apicurio Registry). */
  readonly url: string;
  /** Stops the registry process: clients then fail to connect. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data (schema ids survive); nothing if it answers. */
  start(): Promise<void>;
}

/**
 * The real schema registry the global setup started once for the run. Stopping and
 * starting it affects every test file that uses it at the same time: only the wire-format
 * tests do, from one file.
 */
export function testSchemaRegistry(): TestSchemaRegistry {
  const url = process.env.HOOKSTREAM_TEST_SCHEMA_REGISTRY_URL;
  const dataDir = process.env.HOOKSTREAM_TEST_SCHEMA_REGISTRY_DIR;
  if (!url || !dataDir) {
    throw new Error('HOOKSTREAM_TEST_SCHEMA_REGISTRY_URL is not set: run integration tests through jest (its global setup starts the registry)');
  }
  return {
    url,
    stop: () => stopLocalSchemaRegistry(dataDir),
    start: async () => {
      const answers = await fetch(`${url}/config`, { signal: AbortSignal.timeout(2_000) }).then(
        (response) => response.ok,
        () => false,
      );
      if (!answers) await restartLocalSchemaRegistry(dataDir);
    },
  };
}
