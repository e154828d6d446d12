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
  type TestDatabase,
} from './isolation';
export { testSchemaRegistry, type TestSchemaRegistry } from './schema-registry';
