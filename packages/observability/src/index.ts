export { createLogger, resolveLogFormat, REDACTED_PATHS, type Logger, type LogFormat } from './logger';
export { silenceTimeoutNegativeWarning } from './warnings';
export {
  createMetricsRegistry,
  METRIC_PREFIX,
  DURATION_BUCKETS_SECONDS,
  Counter,
  Gauge,
  Histogram,
  Registry,
  Summary,
} from './metrics';
export { startOpsServer, type OpsServer, type HealthProbe } from './ops-server';
export {
  initTelemetry,
  getTracer,
  contextFromTraceHeaders,
  traceHeadersOf,
  context,
  trace,
  SpanStatusCode,
  SpanKind,
  type Telemetry,
  type TelemetryOptions,
  type Context,
  type Span,
} from './telemetry';
export { createShutdown, installProcessHandlers, type ShutdownStep } from './lifecycle';
export { createServiceRuntime, runMain, type ServiceRuntime, type RuntimeConfig } from './service-runtime';
