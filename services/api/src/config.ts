import { databaseEnv, kafkaEnv, observabilityEnv, port } from '@hookstream/config';

/** The api's configuration: spec/operations.md "Configuration (environment)". */
export const configShape = {
  ...kafkaEnv,
  ...databaseEnv,
  ...observabilityEnv,
  API_PORT: port(8080),
};
