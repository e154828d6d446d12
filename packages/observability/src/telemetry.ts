import { context, propagation, trace, type Context, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

const DISCARDING_PROCESSOR: SpanProcessor = {
  onStart: () => undefined,
  onEnd: () => undefined,
  forceFlush: async () => undefined,
  shutdown: async () => undefined,
};

export interface TelemetryOptions {
  serviceName: string;
  /** OTLP/HTTP endpoint; without it spans are created and propagated but not exported. */
  otlpEndpoint?: string | undefined;
  disabled?: boolean;
  /** Extra processors, e.g. an in-memory exporter in tests. */
  spanProcessors?: SpanProcessor[];
}

export interface Telemetry {
  readonly enabled: boolean;
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK. Each service's `main.ts` calls this before it creates any
 * client, so that the tracer provider and the W3C propagator are in place for every span.
 */
export function initTelemetry(options: TelemetryOptions): Telemetry {
  if (options.disabled) return { enabled: false, shutdown: async () => undefined };
  const spanProcessors: SpanProcessor[] = [...(options.spanProcessors ?? [])];
  if (options.otlpEndpoint) {
    const url = `${options.otlpEndpoint.replace(/\/$/, '')}/v1/traces`;
    spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url })));
  }
  // The SDK installs no tracer provider without a processor, and then every span is a
  // no-op that only passes its parent's context on. Spans must be real for the trace to
  // continue through the services even when nothing exports them.
  if (spanProcessors.length === 0) spanProcessors.push(DISCARDING_PROCESSOR);
  // What the services use of an SDK: a tracer provider, the W3C propagator and the
  // AsyncLocalStorage context. Not @opentelemetry/sdk-node, which loads every exporter,
  // the metrics and logs SDKs and the instrumentation loader, used or not: about 25 MiB
  // of resident memory and 8 MiB of heap in every process (docs/benchmarks.md).
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName }),
    spanProcessors,
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return {
    enabled: true,
    shutdown: async () => {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

export function getTracer(name: string): Tracer {
  return trace.getTracer(name);
}

/** Reads a W3C `traceparent` (and `tracestate`) from message or request headers. */
export function contextFromTraceHeaders(headers: { traceparent?: string | undefined; tracestate?: string | undefined }): Context {
  const carrier: Record<string, string> = {};
  if (headers.traceparent) carrier.traceparent = headers.traceparent;
  if (headers.tracestate) carrier.tracestate = headers.tracestate;
  return propagation.extract(context.active(), carrier);
}

/** The `traceparent`/`tracestate` headers of a context, to put on an outgoing message. */
export function traceHeadersOf(activeContext: Context): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(activeContext, carrier);
  return carrier;
}

export { context, trace, SpanStatusCode, SpanKind } from '@opentelemetry/api';
export type { Context, Span } from '@opentelemetry/api';
