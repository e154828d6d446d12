import { booleanFlag, commaList, durationMs, positiveInt, z } from '@hookstream/config';

export const SCENARIOS = ['reference', 'throughput', 'latency', 'isolation', 'isolation50', 'backlog', 'replay', 'retries'] as const;

/**
 * The bench's knobs (all optional). The defaults are the figures of docs/benchmarks.md;
 * shorter durations are for trying the bench out, not for reporting.
 */
export const configShape = {
  /** Use this broker / database server instead of starting local ones. */
  KAFKA_BROKERS: z.string().optional(),
  DATABASE_URL: z.string().url().optional(),
  BENCH_SCENARIOS: commaList(SCENARIOS.join(',')).pipe(z.array(z.enum(SCENARIOS))),
  BENCH_PAYLOAD_BYTES: positiveInt(1_024),
  /** Workspaces the events are spread over (keys, hence partitions). */
  BENCH_WORKSPACES: positiveInt(12),
  BENCH_REFERENCE_DURATION: durationMs('10s'),
  BENCH_THROUGHPUT_WARMUP: durationMs('10s'),
  BENCH_THROUGHPUT_DURATION: durationMs('60s'),
  /**
   * Long enough for start-up (JIT of three fresh processes, connections, first rebalance)
   * to settle: with 10 s, the first 10-s slice's p99 was twice the later slices' in every
   * run. The report still prints the p99 of each 10-s slice.
   */
  BENCH_LATENCY_WARMUP: durationMs('20s'),
  /** 60 s of 1,000 deliveries/s: 600 samples beyond the p99, so one stall moves it less. */
  BENCH_LATENCY_DURATION: durationMs('60s'),
  /** Longer than the sender's 30 s WEBHOOK_TIMEOUT, so dead endpoints reach a steady state. */
  BENCH_ISOLATION_DURATION: durationMs('45s'),
  BENCH_LATENCY_RATE: positiveInt(1_000),
  /** The `isolation50` run: never-answering endpoints added among the isolation baseline's healthy ones. */
  BENCH_DEAD_ENDPOINTS: positiveInt(50),
  /** The `backlog` run: automatic retries waiting in the first tier (due in an hour) during the latency run. */
  BENCH_BACKLOG_RETRIES: positiveInt(100_000),
  /** The `replay` run: domain events of one workspace published first, then replayed during the latency run. */
  BENCH_REPLAY_EVENTS: positiveInt(100_000),
  /**
   * The router's REPLAY_RATE_PER_SECOND in the `replay` runs: 1,500/s plays 100,000 events
   * back in about 67 s, within the 20 s warm-up + 60 s of the latency run.
   */
  BENCH_REPLAY_RATE: positiveInt(1_500),
  BENCH_THROUGHPUT_FANOUTS: commaList('1,10').pipe(z.array(z.string().regex(/^[1-9]\d*$/, 'expected a fan-out such as 1 or 10').transform(Number))),
  BENCH_RETRY_SCHEDULE: z.string().default('1s,2s,3s,4s'),
  BENCH_OFFLINE_THRESHOLD: positiveInt(50),
  /** Profile router, sender and health (`--cpu-prof`) in the fan-out 1 throughput run, the latency run and the isolation run with dead endpoints. */
  BENCH_CPU_PROFILE: booleanFlag(false),
  /**
   * Extra environment for router, sender and health in every scenario, `NAME=value` pairs
   * separated by `;` (e.g. `SENDER_MAX_IN_FLIGHT=2000;NODE_OPTIONS=--max-semi-space-size=4`):
   * to measure a setting before making it a default. Reported runs leave it empty.
   */
  BENCH_SERVICE_ENV: z
    .string()
    .default('')
    .transform((text) =>
      Object.fromEntries(
        text
          .split(';')
          .map((pair) => pair.trim())
          .filter((pair) => pair.length > 0)
          .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
      ),
    ),
  /** Print the services' own warnings and errors after each scenario. */
  BENCH_SERVICE_OUTPUT: booleanFlag(false),
};
