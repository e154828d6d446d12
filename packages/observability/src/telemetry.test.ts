import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { context, contextFromTraceHeaders, getTracer, initTelemetry, trace, traceHeadersOf } from './telemetry';

describe('initTelemetry', () => {
  it('makes real spans whose context follows async work and leaves in the traceparent', async () => {
    const ended: ReadableSpan[] = [];
    const collector: SpanProcessor = {
      onStart: () => undefined,
      onEnd: (span) => void ended.push(span),
      forceFlush: async () => undefined,
      shutdown: async () => undefined,
    };
    const telemetry = initTelemetry({ serviceName: 'hookstream-test', spanProcessors: [collector] });
    try {
      const traceId = 'a'.repeat(32);
      const parent = contextFromTraceHeaders({ traceparent: `00-${traceId}-${'b'.repeat(16)}-01` });
      const span = getTracer('test').startSpan('work', {}, parent);
      // What the API does around a request: the span's context is the active one across awaits.
      const headers = await context.with(trace.setSpan(parent, span), async () => {
        await new Promise((resolve) => setImmediate(resolve));
        return traceHeadersOf(context.active());
      });
      span.end();
      expect(headers.traceparent).toBe(`00-${traceId}-${span.spanContext().spanId}-01`);
      expect(ended.map((done) => done.name)).toEqual(['work']);
      expect(ended[0]?.resource.attributes['service.name']).toBe('hookstream-test');
    } finally {
      await telemetry.shutdown();
    }
  });
});
