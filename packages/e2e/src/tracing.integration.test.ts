import { randomBytes } from 'node:crypto';
import { waitFor } from '@hookstream/testkit';
import { createHarness, type Harness } from './harness';
import { domainEvent } from './seed';

/** docs/operations.md "Traces": one trace from the producer's traceparent to the outbound request. */
describe('trace context from the domain event to the webhook call', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await createHarness('tracing', { env: { OTEL_SDK_DISABLED: 'false' } });
    await Promise.all([harness.start('router'), harness.start('sender')]);
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('continues the producer trace through router and sender into the outbound traceparent', async () => {
    const workspace = await harness.seed.workspace('Traced');
    await harness.seed.webhook({ workspaceId: workspace.id, url: harness.receiver.url('/traced'), events: ['Check.Approved'] });
    await new Promise((resolve) => setTimeout(resolve, 600));
    const traceId = randomBytes(16).toString('hex');
    const parentSpanId = randomBytes(8).toString('hex');
    await harness.publish(
      [domainEvent({ type: 'Check.Approved', workspace, context: { case: { id: 'c1' }, company: { id: 'co1', name: 'Acme', country: 'FR' } } })],
      { traceparent: `00-${traceId}-${parentSpanId}-01` },
    );
    const request = await waitFor(() => harness.receiver.requestsTo('/traced')[0], { description: 'the traced call' });
    const traceparent = String(request.headers.traceparent ?? '');
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    const [, receivedTraceId, receivedSpanId] = traceparent.split('-');
    expect(receivedTraceId).toBe(traceId);
    // A span of the sender's own, not the producer's.
    expect(receivedSpanId).not.toBe(parentSpanId);
  });
});
