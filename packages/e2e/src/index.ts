export { startReceiver, type Receiver, type ReceivedRequest, type Behaviour } from './receiver';
export { startService, scrapeMetrics, type RunningService, type ServiceName } from './services';
export { createSeeder, newSecretKey, domainEvent } from './seed';
export { createHarness, type Harness } from './harness';
