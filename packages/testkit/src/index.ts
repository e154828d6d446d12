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
  type TestDatabase,
} from './isolation';
export { startSchemaRegistry } from './schema-registry';
export { codeBlocks, type CodeBlock } from './markdown-blocks';
