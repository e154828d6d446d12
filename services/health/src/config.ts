import { databaseEnv, kafkaEnv, observabilityEnv } from '@hookstream/config';

/** The health's configuration: spec/operations.md "Configuration (environment)". */
export const configShape = {
  ...kafkaEnv,
  ...databaseEnv,
  ...observabilityEnv,
};
