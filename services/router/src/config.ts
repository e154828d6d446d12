import { databaseEnv, durationMs, kafkaEnv, observabilityEnv, positiveInt, z } from '@hookstream/config';

/** The router's configuration: docs/operations.md "Configuration". */
export const configShape = {
  ...kafkaEnv,
  ...databaseEnv,
  ...observabilityEnv,
  /** Larger domain events are dead-lettered with reason `oversize` (docs/producing-events.md). */
  DOMAIN_EVENT_MAX_BYTES: positiveInt(512 * 1024),
  /** Confluent Schema Registry for wire-format messages; JSON messages need none. */
  SCHEMA_REGISTRY_URL: z.string().url().optional(),
  /** How often the in-memory webhook view re-reads changed webhooks. */
  WEBHOOK_REFRESH_INTERVAL: durationMs('500ms'),
  /** How long a domain event id is remembered to drop a republished duplicate. */
  DOMAIN_EVENT_DEDUP_RETENTION: durationMs('7d'),
  /**
   * The most one fetch of domain events brings, all partitions together (a partition at
   * most 1 MiB): a fetch's deliveries are held until its transaction commits.
   */
  ROUTER_FETCH_MAX_BYTES: positiveInt(1024 * 1024),
  ROUTER_CONSUMER_GROUP: z.string().min(1).default('hookstream-router'),
  /** Unique per router instance: its Kafka transactional id (zombie fencing). */
  ROUTER_INSTANCE_ID: z.string().min(1).default('router-0'),
  /** Replayed calls per second of one replay, so of one webhook (docs/replays.md). */
  REPLAY_RATE_PER_SECOND: z.coerce.number().positive().default(50),
  /** Replays one router instance runs at once; more wait for a free instance. */
  REPLAY_MAX_CONCURRENT: positiveInt(4),
  /** How long a replay stays an instance's without progress: after a crash, another resumes it then. */
  REPLAY_LEASE: durationMs('30s'),
  /** How often an instance looks for replays to run. */
  REPLAY_POLL_INTERVAL: durationMs('1s'),
  /** The most one fetch of a replay brings (a partition at most this too): what a running replay holds of the log. */
  REPLAY_FETCH_MAX_BYTES: positiveInt(1024 * 1024),
};
