import { z } from 'zod';
import { parseDurationListMs, parseDurationMs } from './duration';

/** A duration variable (`30s`, `24h`), parsed to milliseconds. */
export const durationMs = (defaultValue: string) =>
  z
    .string()
    .default(defaultValue)
    .transform((text, ctx) => {
      const ms = parseDurationMs(text);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `expected a duration such as 500ms, 30s, 1h or 2d, got "${text}"` });
        return z.NEVER;
      }
      return ms;
    });

/** A comma-separated list of increasing durations, parsed to milliseconds. */
export const increasingDurationListMs = (defaultValue: string) =>
  z
    .string()
    .default(defaultValue)
    .transform((text, ctx) => {
      const values = parseDurationListMs(text);
      if (!values) {
        ctx.addIssue({ code: 'custom', message: `expected comma-separated durations such as 1h,4h,13h,40h, got "${text}"` });
        return z.NEVER;
      }
      if (values.some((value, index) => index > 0 && value <= (values[index - 1] as number))) {
        ctx.addIssue({ code: 'custom', message: 'each delay must be longer than the one before it (offsets from the first call)' });
        return z.NEVER;
      }
      return values;
    });

export const port = (defaultValue: number) => z.coerce.number().int().min(0).max(65_535).default(defaultValue);

export const positiveInt = (defaultValue: number) => z.coerce.number().int().positive().default(defaultValue);

export const booleanFlag = (defaultValue: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(defaultValue ? 'true' : 'false')
    .transform((text) => text === 'true' || text === '1' || text === 'yes');

export const commaList = (defaultValue: string) =>
  z
    .string()
    .default(defaultValue)
    .transform((text) => text.split(',').map((item) => item.trim()).filter((item) => item.length > 0));

export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

/** Variables every service reads: where the broker and database are, logging, tracing. */
export const kafkaEnv = {
  KAFKA_BROKERS: commaList('127.0.0.1:9092').pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'expected host:port')).min(1)),
  KAFKA_TOPIC_PREFIX: z.string().regex(/^[a-zA-Z0-9._-]*$/).default(''),
  KAFKA_TOPIC_PARTITIONS: positiveInt(3),
  KAFKA_REPLICATION_FACTOR: positiveInt(1),
  KAFKA_MIN_INSYNC_REPLICAS: positiveInt(1),
  /**
   * How long a silent consumer keeps its partitions before the group takes them back: the
   * stall of a group after a member crashes. 6 s is the broker's lowest by default
   * (`group.min.session.timeout.ms`). The cost is in
   * docs/reliability.md "Settings that make recovery fast".
   */
  KAFKA_SESSION_TIMEOUT: durationMs('6s'),
  /** Codec of the record batches hookstream produces (consumers read any of them). */
  KAFKA_COMPRESSION: z.enum(['zstd', 'gzip', 'none']).default('zstd'),
};

export const databaseEnv = {
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/hookstream'),
  DATABASE_POOL_MAX: positiveInt(10),
};

export const observabilityEnv = {
  LOG_LEVEL: logLevel,
  /** auto: readable lines on a terminal, JSON lines otherwise. */
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  METRICS_PORT: port(0),
  OTEL_SERVICE_NAME: z.string().optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  OTEL_SDK_DISABLED: booleanFlag(false),
  SHUTDOWN_TIMEOUT: durationMs('15s'),
};
