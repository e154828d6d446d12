export { provideInfrastructure, type Infrastructure } from './infrastructure';
export {
  testInfrastructure,
  uniquePrefix,
  testKafka,
  createTestTopics,
  createTestDatabase,
  waitFor,
  silentLogger,
  startDedicatedKafka,
  startTestKafkaCluster,
  startDedicatedPostgres,
  type TestDatabase,
} from './isolation';
export { testSchemaRegistry, type TestSchemaRegistry } from './schema-registry';
export { codeBlocks, type CodeBlock } from './markdown-blocks';
export { ensureChromium, HEADLESS_CHROMIUM_FLAGS } from './chromium';
