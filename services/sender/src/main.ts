import { loadConfig } from '@hookstream/config';
import { createServiceRuntime, runMain } from '@hookstream/observability';
import { configShape } from './config';

runMain('sender', async () => {
  const config = loadConfig(configShape, process.env);
  // Telemetry starts inside the runtime, before the service's own modules (and the
  // Kafka and database clients they load) are imported below.
  const runtime = createServiceRuntime('sender', config);
  const { startSender } = await import('./sender.js');
  await startSender(config, runtime);
});
