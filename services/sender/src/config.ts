import {
  booleanFlag,
  commaList,
  databaseEnv,
  durationMs,
  increasingDurationListMs,
  kafkaEnv,
  observabilityEnv,
  positiveInt,
  z,
} from '@hookstream/config';

/** A part of a whole: a number in (0, 1]. */
const fraction = (defaultValue: number) => z.coerce.number().gt(0).lte(1).default(defaultValue);

/** The sender's configuration: docs/operations.md "Configuration". */
export const configShape = {
  ...kafkaEnv,
  ...databaseEnv,
  ...observabilityEnv,
  /** Offsets of the automatic retries from the first call (tests use seconds). */
  WEBHOOK_RETRY_SCHEDULE: increasingDurationListMs('1h,4h,13h,40h'),
  WEBHOOK_TIMEOUT: durationMs('30s'),
  WEBHOOK_CONNECT_TIMEOUT: durationMs('10s'),
  /** CIDRs that targets may use despite the private-range rules (e.g. 127.0.0.1/32 in tests). */
  WEBHOOK_ALLOWED_CIDRS: z.string().default(''),
  WEBHOOK_ALLOW_HTTP: booleanFlag(false),
  /** DNS servers webhook host names are resolved with (`host` or `host:port`); empty: the system's. */
  WEBHOOK_DNS_SERVERS: commaList(''),
  /** How long one DNS query waits for an answer (it is tried twice). */
  WEBHOOK_DNS_TIMEOUT: durationMs('2s'),
  /** Host names whose answers are cached, each for its TTL. */
  WEBHOOK_DNS_CACHE_SIZE: positiveInt(10_000),
  /** The longest a DNS answer is cached, whatever its TTL. */
  WEBHOOK_DNS_MAX_TTL: durationMs('5m'),
  /** 32 bytes in base64: the key webhook secrets are encrypted with at rest. */
  WEBHOOK_SECRET_KEY: z.string().min(1),
  WEBHOOK_REFRESH_INTERVAL: durationMs('500ms'),
  /**
   * Messages read and not yet done in this process (calling, or waiting for their
   * endpoint), all endpoints together: bounds memory and how far consumption runs ahead.
   */
  SENDER_MAX_IN_FLIGHT: positiveInt(10_000),
  /** Bytes of those messages, all endpoints together (256 MiB). */
  SENDER_MAX_IN_FLIGHT_BYTES: positiveInt(256 * 1024 * 1024),
  /**
   * Part of SENDER_MAX_IN_FLIGHT and SENDER_MAX_IN_FLIGHT_BYTES that one endpoint origin may
   * hold, calling and waiting: beyond it, its calls are deferred (re-queued, not failed).
   */
  SENDER_ENDPOINT_SHARE: fraction(0.1),
  /** Part of the pool that automatic retries may hold: the rest is kept for first calls. */
  SENDER_RETRY_SHARE: fraction(0.5),
  /** How long a call deferred by the sender's own backpressure waits before it is tried again. */
  SENDER_OVERLOAD_DEFER: durationMs('5s'),
  /**
   * Concurrent calls (and keep-alive connections) per endpoint origin, at most: each
   * origin's limit adapts between the minimum and this to what the origin can take.
   */
  SENDER_MAX_CONCURRENT_PER_ENDPOINT: positiveInt(32),
  /** The lowest an origin's adaptive limit goes (on timeouts, connection errors, 429, 503, slow answers). */
  SENDER_MIN_CONCURRENT_PER_ENDPOINT: positiveInt(2),
  /** The limit of an origin not called lately; it grows from there while the origin answers at its best. */
  SENDER_INITIAL_CONCURRENT_PER_ENDPOINT: positiveInt(8),
  /** The longest a 429 or 503 answer's Retry-After pauses the calls to its origin. */
  SENDER_RETRY_AFTER_MAX: durationMs('10m'),
  /**
   * Calls waiting for one endpoint beyond which new ones are deferred (a waiting call is also
   * deferred after WEBHOOK_TIMEOUT), so that dead endpoints cannot take the whole of
   * SENDER_MAX_IN_FLIGHT. An endpoint that is answering may hold more: about five seconds of
   * the calls it has been completing (see EndpointLimiter), within its share.
   */
  SENDER_MAX_QUEUED_PER_ENDPOINT: positiveInt(500),
  /**
   * How long an idle outcome publisher waits for more outcomes before it sends them
   * (Kafka's linger.ms). Calls do not wait on it; offset commits and the call log do.
   */
  SENDER_OUTCOME_LINGER: durationMs('20ms'),
  /**
   * Promoted webhooks over the failure threshold: the time between two probes of one
   * whose automatic retries are paused (its oldest parked retry, sent alone).
   */
  SENDER_PAUSED_RETRY_PROBE_INTERVAL: durationMs('60s'),
  /** Parked retries of one promoted webhook released per second once a probe succeeded, oldest first. */
  SENDER_PAUSED_RETRY_RESUME_RATE: positiveInt(10),
  /** How often the parked retries are looked at (bounds how soon a probe or a release slot is used). */
  SENDER_PAUSED_RETRY_CHECK_INTERVAL: durationMs('200ms'),
  /**
   * The most one fetch brings, all partitions together (a partition at most 1 MiB), for
   * first calls and for each retry tier: the fetch's buffer lives until its batch is
   * dispatched. SENDER_MAX_IN_FLIGHT(_BYTES) bound what is held after that.
   */
  SENDER_FETCH_MAX_BYTES: positiveInt(1024 * 1024),
  SENDER_CONSUMER_GROUP: z.string().min(1).default('hookstream-sender'),
  SENDER_RETRY_CONSUMER_GROUP: z.string().min(1).default('hookstream-sender-retries'),
  /** Reads webhook-replays: replayed calls, which hold only the retry share of the pool. */
  SENDER_REPLAY_CONSUMER_GROUP: z.string().min(1).default('hookstream-sender-replays'),
  HOOKSTREAM_VERSION: z.string().default('0.1.0'),
};
