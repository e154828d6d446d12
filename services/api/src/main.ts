import { loadConfig } from '@hookstream/config';
import { createServiceRuntime, runMain } from '@hookstream/observability';
import { configShape } from './config';

runMain('api', async () => {
  const config = loadConfig(configShape, process.env);
  const runtime = createServiceRuntime('api', config);
  const { startApi } = await import('./api.js');
  await startApi(config, runtime);
});
