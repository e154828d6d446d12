export { startLocalKafka, ensureKafkaJars, ensureKafkaToolsJars, type LocalKafka, type LocalKafkaOptions } from './kafka-broker';
export { startLocalKafkaCluster, type ClusterNode, type LocalKafkaCluster, type LocalKafkaClusterOptions } from './kafka-cluster';
export { movePartitionLeader, partitionLeaders, type LeaderMove } from './partition-leaders';
export {
  startLocalPostgres,
  findPostgresBinDir,
  createDatabaseIfMissing,
  type LocalPostgres,
  type LocalPostgresOptions,
} from './postgres-server';
export { anyFreePort, firstFreePort, isPortFree } from './ports';
export { runCommand, runCommandOrThrow, terminateProcess, isProcessAlive, sleep, waitUntil } from './processes';
export { findRepoRoot } from './repo-root';
export { SERVICE_NODE_FLAGS, serviceNodeOptions } from './service-node-flags';
export {
  startLocalSchemaRegistry,
  restartLocalSchemaRegistry,
  stopLocalSchemaRegistry,
  ensureSchemaRegistryApp,
  findJava21,
  schemaRegistryEnvironment,
  SCHEMA_REGISTRY_API_PATH,
  type LocalSchemaRegistry,
  type LocalSchemaRegistryOptions,
} from './schema-registry';
