import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { SpanKind, SpanStatusCode, context, contextFromTraceHeaders, getTracer, trace } from '@hookstream/observability';
import type { ApiMetrics } from '../metrics';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Counts and times every request by method, route template and status, and wraps it in a
 * server span that continues the caller's W3C trace (so the traceparent of a manual retry
 * published to Kafka belongs to the request that asked for it). Requests no operation
 * matched are labelled `unmatched`, so scanners cannot create label values.
 */
export function requestObservability(options: { metrics: ApiMetrics; logger: Logger }): RequestHandler {
  const tracer = getTracer('hookstream-api');
  return (request, response, next) => {
    const started = process.hrtime.bigint();
    const method = KNOWN_METHODS.has(request.method) ? request.method : 'OTHER';
    const parent = contextFromTraceHeaders({
      traceparent: headerText(request.headers.traceparent),
      tracestate: headerText(request.headers.tracestate),
    });
    const span = tracer.startSpan(`${method}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': method } }, parent);

    // 'close' fires for finished and for aborted responses alike.
    response.once('close', () => {
      const route = typeof response.locals.route === 'string' ? response.locals.route : 'unmatched';
      const status = String(response.statusCode);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      options.metrics.httpRequests.inc({ method, route, status });
      options.metrics.httpRequestDuration.observe({ method, route, status }, seconds);
      span.updateName(`${method} ${route}`);
      span.setAttributes({ 'http.route': route, 'http.response.status_code': response.statusCode });
      if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      options.logger.debug({ method, route, status: response.statusCode, durationMs: Math.round(seconds * 1000) }, 'request');
    });
    context.with(trace.setSpan(parent, span), () => next());
  };
}
