import { loadConfig } from '@hookstream/config';
import { createServiceRuntime, runMain } from '@hookstream/observability';
import { configShape } from './config';

runMain('health', async () => {
  const config = loadConfig(configShape, process.env);
  // Telemetry starts inside the runtime, before the service's own modules (and the
  // Kafka and database clients they load) are imported below.
  const runtime = createServiceRuntime('health', config);
  const { startHealth } = await import('./health.js');
  await startHealth(config, runtime);
});
