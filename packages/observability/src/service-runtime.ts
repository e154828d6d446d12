import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createShutdown, installProcessHandlers, type ShutdownStep } from './lifecycle';
import { createLogger, type LogFormat } from './logger';
import { createMetricsRegistry } from './metrics';
import { unsupportedNodeReason } from './node-version';
import { startOpsServer, type OpsServer } from './ops-server';
import { initTelemetry, type Telemetry } from './telemetry';
import { silenceTimeoutNegativeWarning } from './warnings';

export interface RuntimeConfig {
  LOG_LEVEL: string;
  LOG_FORMAT?: LogFormat;
  METRICS_PORT: number;
  SHUTDOWN_TIMEOUT: number;
  OTEL_SERVICE_NAME?: string | undefined;
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
  OTEL_SDK_DISABLED: boolean;
}

export interface ServiceRuntime {
  readonly service: string;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly telemetry: Telemetry;
  /** Registers a readiness condition; /readyz answers 200 when all of them hold. */
  addReadinessCheck(check: () => boolean | Promise<boolean>): void;
  /** Starts /metrics, /healthz and /readyz; returns the port (printed at start). */
  serveOps(): Promise<OpsServer>;
  /** Steps in shutdown order: stop intake, finish in-flight work, flush, close clients. */
  onShutdown(step: ShutdownStep): void;
  shutdown(reason: string): Promise<boolean>;
}

/**
 * What every service's `main.ts` sets up first, in this order: OpenTelemetry (before any
 * client module is loaded), the logger, the metrics registry, process signal handling.
 */
export function createServiceRuntime(service: string, config: RuntimeConfig): ServiceRuntime {
  silenceTimeoutNegativeWarning();
  const telemetry = initTelemetry({
    serviceName: config.OTEL_SERVICE_NAME ?? `hookstream-${service}`,
    otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
    disabled: config.OTEL_SDK_DISABLED,
  });
  const logger = createLogger({ service, level: config.LOG_LEVEL, format: config.LOG_FORMAT ?? 'auto' });
  const registry = createMetricsRegistry(service);
  const readinessChecks: Array<() => boolean | Promise<boolean>> = [];
  const steps: ShutdownStep[] = [];
  let ops: OpsServer | undefined;
  const shutdown = createShutdown({
    logger,
    timeoutMs: config.SHUTDOWN_TIMEOUT,
    steps: () => [
      ...steps,
      { name: 'ops server', run: async () => ops?.close() },
      { name: 'telemetry', run: () => telemetry.shutdown() },
    ],
  });
  installProcessHandlers({ logger, shutdown });
  return {
    service,
    logger,
    registry,
    telemetry,
    addReadinessCheck: (check) => void readinessChecks.push(check),
    serveOps: async () => {
      ops = await startOpsServer({
        port: config.METRICS_PORT,
        registry,
        logger,
        health: {
          live: () => true,
          ready: async () => (await Promise.all(readinessChecks.map((check) => check()))).every(Boolean),
        },
      });
      return ops;
    },
    onShutdown: (step) => void steps.push(step),
    shutdown,
  };
}

/**
 * Runs a service's `main`. Start-up failures (configuration, unreachable broker or
 * database) print one clear line and exit non-zero, without a stack trace.
 */
export function runMain(service: string, main: () => Promise<void>): void {
  const unsupported = unsupportedNodeReason(process.versions.node);
  if (unsupported) {
    process.stderr.write(`hookstream-${service}: refusing to start: ${unsupported}\n`);
    process.exit(1);
  }
  main().catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`hookstream-${service}: failed to start: ${message}\n`);
    process.exit(1);
  });
}
