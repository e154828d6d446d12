import type { RetryOptions } from 'kafkajs';

/**
 * How a consumer's batch and group errors are retried: at most a second apart, so that
 * work resumes within a second of the database or a partition leader coming back, and for
 * about 40 s before kafkajs gives up and restarts the consumer (which leaves and rejoins
 * its group, a rebalance that stalls every member). kafkajs' client default (100 ms
 * doubling, 8 retries) waits up to 12.8 s between tries and restarts after about 25 s.
 */
export const CONSUMER_RETRY: RetryOptions = { initialRetryTime: 100, maxRetryTime: 1_000, retries: 40 };

/**
 * How the services' producers retry a send (leader gone, broker lost): at most a second
 * apart, so that a send goes through within a second of the new leader being known, for
 * about 17 s; kafkajs' client default waits up to 12.8 s between tries. The router's
 * transactional producer has its own, finer setting.
 */
export const PRODUCER_RETRY: RetryOptions = { initialRetryTime: 100, maxRetryTime: 1_000, retries: 20 };

/**
 * The group membership settings of every hookstream consumer (docs/reliability.md
 * "Settings that make recovery fast"): the session timeout (`KAFKA_SESSION_TIMEOUT`) is how long the group waits
 * for a member that went silent; a member heartbeats every tenth of it (at most every
 * 500 ms), between batches and while a batch waits.
 *
 * kafkajs heartbeats from its fetch loop only (no background thread, unlike the Java
 * client): a fetch of idle partitions that the broker holds for its full wait (kafkajs'
 * default: 5 s) leaves no room in a 6 s session on a busy host. The wait is kept to a
 * third of the session (a consumer may ask for less).
 */
export function consumerSettings(sessionTimeoutMs: number, retry: RetryOptions = CONSUMER_RETRY) {
  return {
    sessionTimeout: sessionTimeoutMs,
    heartbeatInterval: Math.max(500, Math.floor(sessionTimeoutMs / 10)),
    maxWaitTimeInMs: Math.min(5_000, Math.floor(sessionTimeoutMs / 3)),
    retry,
  };
}
