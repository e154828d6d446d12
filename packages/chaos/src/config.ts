import { durationMs, parseDurationListMs, positiveInt, z, type loadConfig } from '@hookstream/config';

export const PROFILES = ['full', 'short'] as const;
export type Profile = (typeof PROFILES)[number];

/**
 * The chaos run's knobs (all optional). The service settings are the services' own
 * defaults: the run measures what an operator gets, except the compressed retry schedule
 * (seconds instead of hours) that lets retries fall due during the faults. Extra service
 * settings to try a lever (e.g. `KAFKA_SESSION_TIMEOUT=6s`) go in CHAOS_SERVICE_ENV.
 */
export const configShape = {
  CHAOS_PROFILE: z.enum(PROFILES).default('full'),
  /** Webhook calls per second the stream asks for (events per second times the fan-out of 2). */
  CHAOS_RATE: positiveInt(300),
  /** Workspaces the events are spread over (their ids are the record keys, hence partitions). */
  CHAOS_WORKSPACES: positiveInt(8),
  /** Partitions of every topic: more than the instances of any service. */
  CHAOS_PARTITIONS: positiveInt(6),
  /** Stream before the first fault: the normal latency is measured there. */
  CHAOS_WARMUP: durationMs('20s'),
  /** Time between two faults; 0: the profile's (45 s full, 15 s short). */
  CHAOS_FAULT_SPACING: durationMs('0ms'),
  /** Rounds of the seven faults; 0: the profile's (2 full, 1 short). */
  CHAOS_ROUNDS: z.coerce.number().int().min(0).default(0),
  /** How long a killed broker stays down, and PostgreSQL. */
  CHAOS_BROKER_DOWN: durationMs('15s'),
  CHAOS_POSTGRES_DOWN: durationMs('10s'),
  /** The sender's retry schedule during the run (offsets from the first call). */
  CHAOS_RETRY_SCHEDULE: z.string().default('2s,5s,10s,20s'),
  /** A retry that reaches its receiver later than this after its due time fails the check. */
  CHAOS_RETRY_LATENESS: durationMs('5s'),
  /** After the stream, how long the run waits for every call, retry and call log. */
  CHAOS_DRAIN_TIMEOUT: durationMs('180s'),
  /** `NAME=value,NAME=value` passed to every service (to try a lever; empty: defaults). */
  CHAOS_SERVICE_ENV: z.string().default(''),
  /** Keep .data/chaos-* (broker and database files) after the run. */
  CHAOS_KEEP_DATA: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((value) => value === 'true' || value === '1'),
};

export interface ChaosSettings {
  profile: Profile;
  rate: number;
  workspaces: number;
  partitions: number;
  warmupMs: number;
  spacingMs: number;
  rounds: number;
  brokerDownMs: number;
  postgresDownMs: number;
  retryScheduleMs: number[];
  retrySchedule: string;
  retryLatenessMs: number;
  drainTimeoutMs: number;
  serviceEnv: Record<string, string>;
  keepData: boolean;
}

/** `A=1,B=2s` into { A: '1', B: '2s' }; a part without `=` is refused. */
export function parseServiceEnv(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const part of text.split(',').map((entry) => entry.trim()).filter(Boolean)) {
    const equals = part.indexOf('=');
    if (equals <= 0) throw new Error(`CHAOS_SERVICE_ENV: expected NAME=value, got ${JSON.stringify(part)}`);
    result[part.slice(0, equals).trim()] = part.slice(equals + 1).trim();
  }
  return result;
}

export type ChaosConfig = ReturnType<typeof loadConfig<typeof configShape>>;

/** The settings of one run: the profile (`--short` or CHAOS_PROFILE) fills what is not set. */
export function settingsFrom(config: ChaosConfig, argv: readonly string[]): ChaosSettings {
  const profile: Profile = argv.includes('--short') ? 'short' : config.CHAOS_PROFILE;
  const short = profile === 'short';
  const retryScheduleMs = parseDurationListMs(config.CHAOS_RETRY_SCHEDULE);
  if (!retryScheduleMs || retryScheduleMs.length === 0) throw new Error(`CHAOS_RETRY_SCHEDULE: expected durations such as 2s,5s,10s,20s`);
  return {
    profile,
    rate: config.CHAOS_RATE,
    workspaces: config.CHAOS_WORKSPACES,
    partitions: config.CHAOS_PARTITIONS,
    warmupMs: config.CHAOS_WARMUP,
    spacingMs: config.CHAOS_FAULT_SPACING > 0 ? config.CHAOS_FAULT_SPACING : short ? 15_000 : 45_000,
    rounds: config.CHAOS_ROUNDS > 0 ? config.CHAOS_ROUNDS : short ? 1 : 2,
    brokerDownMs: config.CHAOS_BROKER_DOWN,
    postgresDownMs: config.CHAOS_POSTGRES_DOWN,
    retryScheduleMs,
    retrySchedule: config.CHAOS_RETRY_SCHEDULE,
    retryLatenessMs: config.CHAOS_RETRY_LATENESS,
    drainTimeoutMs: config.CHAOS_DRAIN_TIMEOUT,
    serviceEnv: parseServiceEnv(config.CHAOS_SERVICE_ENV),
    keepData: config.CHAOS_KEEP_DATA,
  };
}
