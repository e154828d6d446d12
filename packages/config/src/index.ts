export { parseDurationMs, parseDurationListMs, formatDurationMs } from './duration';
export {
  durationMs,
  increasingDurationListMs,
  port,
  positiveInt,
  booleanFlag,
  commaList,
  logLevel,
  kafkaEnv,
  databaseEnv,
  observabilityEnv,
} from './schema';
export { loadConfig, ConfigError } from './load';
export { z } from 'zod';
