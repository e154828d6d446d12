import { createHmac } from 'node:crypto';
import { EVENT_TYPES, deriveEventId, familyOf, getEventDefinition, getFamilyDefinition } from '@hookstream/events';
import { waitFor } from '@hookstream/testkit';
import { createHarness, type Harness } from './harness';
import { createPayloadValidator } from './payload-schemas';
import { domainEvent } from './seed';

/** End to end: domain events in, signed webhook calls out, over real sockets. */

const caseSubset = { id: 'case-1', external_id: 'X-1', name: 'Acme', tags: [], contact_has_actions: false, reviewer_has_actions: false, flags: [], metadata: {}, status: 'open' };
const noteSubset = { id: 'note-1', author: { first_name: 'Ada', last_name: 'Lovelace' }, content: 'hello' };
const individualSubset = { id: 'ind-1', first_name: 'Grace', last_name: 'Hopper' };

function contextFor(type: string): Record<string, unknown> {
  switch (familyOf(type as never)) {
    case 'Case':
    case 'DocumentOrder':
      return {};
    case 'NoteComment':
      return { case: caseSubset, note: noteSubset };
    case 'Check':
      return { case: caseSubset, individual: individualSubset };
    default:
      return { case: caseSubset };
  }
}

/** The receiver's check of docs/webhooks.md, written independently: HMAC-SHA256 hex of the raw body. */
function receiverSignature(secret: string, rawBody: Buffer): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

/** The matching rule restated independently of the implementation (docs/webhooks.md). */
function expectedCall(type: string, subscribed: ReadonlySet<string>): { event: string; sub_event?: string } | undefined {
  const parent = getEventDefinition(type as never).parent ?? undefined;
  if (parent && subscribed.has(parent)) return { event: parent, sub_event: type };
  if (subscribed.has(type)) return { event: type };
  return undefined;
}

describe('routing and sending, end to end', () => {
  let harness: Harness;
  let workspaceA: { id: string; name: string };
  let workspaceB: { id: string; name: string };

  beforeAll(async () => {
    harness = await createHarness('route-send', { env: { WEBHOOK_TIMEOUT: '2s', DOMAIN_EVENT_MAX_BYTES: '65536' } });
    workspaceA = await harness.seed.workspace('Workspace A');
    workspaceB = await harness.seed.workspace('Workspace B');
    await harness.start('router');
    await harness.start('sender');
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('delivers every catalog type to exactly the webhooks the matching rule selects, and nothing across workspaces', async () => {
    const topLevel = EVENT_TYPES.filter((type) => !getEventDefinition(type).parent);
    const subEvents = EVENT_TYPES.filter((type) => getEventDefinition(type).parent);
    const subscriptions: Record<string, { workspace: { id: string }; events: string[] }> = {
      '/a-top': { workspace: workspaceA, events: [...topLevel] },
      '/a-sub': { workspace: workspaceA, events: [...subEvents] },
      '/a-both': { workspace: workspaceA, events: ['Case.Updated', 'Case.StatusUpdated'] },
      '/b-all': { workspace: workspaceB, events: [...EVENT_TYPES] },
    };
    const secrets = new Map<string, { id: string; secret: string }>();
    for (const [path, subscription] of Object.entries(subscriptions)) {
      secrets.set(path, await harness.seed.webhook({ workspaceId: subscription.workspace.id, url: harness.receiver.url(path), events: subscription.events }));
    }
    // The view refreshes every 200 ms here: let it see the new webhooks before publishing.
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    const events = EVENT_TYPES.map((type) =>
      domainEvent({ type, workspace: workspaceA, entity: { id: `entity-${type}`, name: type, status: 'approved' }, context: contextFor(type) }),
    );
    await harness.publish(events);

    const expected = new Map<string, Array<{ domainEventId: string; call: { event: string; sub_event?: string } }>>();
    for (const [path, subscription] of Object.entries(subscriptions)) {
      const calls = subscription.workspace.id === workspaceA.id
        ? events.flatMap((event) => {
            const call = expectedCall(event.type, new Set(subscription.events));
            return call ? [{ domainEventId: event.id, call }] : [];
          })
        : [];
      expected.set(path, calls);
    }
    const total = [...expected.values()].reduce((sum, calls) => sum + calls.length, 0);
    expect(total).toBeGreaterThan(EVENT_TYPES.length);
    await waitFor(() => harness.receiver.requests.length >= total, { description: `${total} calls`, timeoutMs: 60_000 });
    // Give a stray extra call (a wrong match) the time to show up.
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    for (const [path, calls] of expected) {
      const received = harness.receiver.requestsTo(path);
      const webhook = secrets.get(path) as { id: string; secret: string };
      expect({ path, count: received.length }).toEqual({ path, count: calls.length });
      for (const { domainEventId, call } of calls) {
        const eventId = deriveEventId(domainEventId, webhook.id);
        const request = received.find((candidate) => (candidate.body.context as { event_id: string }).event_id === eventId);
        expect(request).toBeDefined();
        const body = request?.body as Record<string, unknown>;
        const source = events.find((event) => event.id === domainEventId) as (typeof events)[number];
        expect(body.event).toBe(call.event);
        if (call.sub_event) expect(body.sub_event).toBe(call.sub_event);
        else expect(body).not.toHaveProperty('sub_event');
        const family = familyOf(source.type as never);
        const payloadKey = getFamilyDefinition(family).payloadKey;
        expect(body[payloadKey]).toEqual(source.entity);
        expect(Object.keys(body)).toEqual(call.sub_event ? ['event', 'sub_event', 'context', payloadKey] : ['event', 'context', payloadKey]);
        const context = body.context as Record<string, unknown>;
        expect(context.workspace).toEqual(workspaceA);
        for (const [key, value] of Object.entries(source.context)) expect(context[key]).toEqual(value);
        // A receiver following docs/webhooks.md accepts the signature.
        expect(request?.headers['dotfile-signature']).toBe(receiverSignature(webhook.secret, request?.rawBody as Buffer));
      }
    }
    expect(harness.receiver.requestsTo('/b-all')).toHaveLength(0);
    // Each body matches the typed payload schema of its event type (the OpenAPI webhooks section).
    expect(createPayloadValidator().violations(harness.receiver.requests)).toEqual([]);
  });

  it('sends the headers and context counters of a first call', async () => {
    const webhook = await harness.seed.webhook({ workspaceId: workspaceA.id, url: harness.receiver.url('/headers'), events: ['Company.Created'] });
    await new Promise((resolve) => setTimeout(resolve, 600));
    const event = domainEvent({ type: 'Company.Created', workspace: workspaceA, entity: { id: 'cmp-9', name: 'Initech', country: 'FR' }, context: { case: caseSubset } });
    const published = Date.now();
    await harness.publish([event]);
    const [request] = await waitFor(() => (harness.receiver.requestsTo('/headers').length > 0 ? harness.receiver.requestsTo('/headers') : undefined), {
      description: 'the first call',
    });
    const eventId = deriveEventId(event.id, webhook.id);
    const context = request?.body.context as Record<string, unknown>;
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['user-agent']).toMatch(/^hookstream\/\d+\.\d+\.\d+/);
    expect(request?.headers['dotfile-event-id']).toBe(eventId);
    expect(request?.headers['dotfile-retry-count']).toBe('0');
    expect(request?.headers['dotfile-remaining-retry-count']).toBe('4');
    expect(request?.headers).not.toHaveProperty('dotfile-old-signature');
    expect(context).toMatchObject({ event_id: eventId, retry_count: 0, remaining_retry_count: 4 });
    expect(Math.abs((context.timestamp as number) - Math.floor(published / 1000))).toBeLessThanOrEqual(5);
    expect(request?.body).toMatchObject({ event: 'Company.Created', company: { id: 'cmp-9', name: 'Initech', country: 'FR' } });
  });

  it('signs with both secrets during a rotation grace period, and only the new one after it', async () => {
    const webhook = await harness.seed.webhook({ workspaceId: workspaceA.id, url: harness.receiver.url('/rotation'), events: ['Note.Created'] });
    const newSecret = await harness.seed.rotateSecret(webhook.id, 60 * 60_000);
    await new Promise((resolve) => setTimeout(resolve, 600));
    await harness.publish([domainEvent({ type: 'Note.Created', workspace: workspaceA, context: { case: caseSubset } })]);
    const [during] = await waitFor(() => (harness.receiver.requestsTo('/rotation').length === 1 ? harness.receiver.requestsTo('/rotation') : undefined), {
      description: 'a call during the grace period',
    });
    expect(during?.headers['dotfile-signature']).toBe(receiverSignature(newSecret, during?.rawBody as Buffer));
    expect(during?.headers['dotfile-old-signature']).toBe(receiverSignature(webhook.secret, during?.rawBody as Buffer));

    await harness.seed.update(webhook.id, { previous_secret_expires_at: new Date(Date.now() - 1_000) });
    await new Promise((resolve) => setTimeout(resolve, 600));
    await harness.publish([domainEvent({ type: 'Note.Created', workspace: workspaceA, context: { case: caseSubset } })]);
    const after = await waitFor(() => harness.receiver.requestsTo('/rotation')[1], { description: 'a call after the grace period' });
    expect(after.headers['dotfile-signature']).toBe(receiverSignature(newSecret, after.rawBody));
    expect(after.headers).not.toHaveProperty('dotfile-old-signature');
  });

  it('refuses private and non-allowlisted loopback targets, fails redirects, and times out a silent endpoint without delaying others', async () => {
    const port = harness.receiver.port;
    const refusedUrls = [`http://127.0.0.2:${port}/refused`, `http://[::1]:${port}/refused`, `http://2130706434:${port}/refused`];
    const refused = [];
    for (const url of refusedUrls) refused.push(await harness.seed.webhook({ workspaceId: workspaceB.id, url, events: ['Check.Started'] }));
    harness.receiver.behave('/redirect', { kind: 'redirect', location: harness.receiver.url('/redirect-target') });
    harness.receiver.behave('/silent', { kind: 'hang' });
    const redirect = await harness.seed.webhook({ workspaceId: workspaceB.id, url: harness.receiver.url('/redirect'), events: ['Check.Started'] });
    const silent = await harness.seed.webhook({ workspaceId: workspaceB.id, url: harness.receiver.url('/silent'), events: ['Check.Started'] });
    const healthy = await harness.seed.webhook({ workspaceId: workspaceB.id, url: harness.receiver.url('/healthy'), events: ['Check.Started'] });
    await new Promise((resolve) => setTimeout(resolve, 600));

    const event = domainEvent({ type: 'Check.Started', workspace: workspaceB, context: { case: caseSubset, individual: individualSubset } });
    const published = Date.now();
    await harness.publish([event]);

    const healthyCall = await waitFor(() => harness.receiver.requestsTo('/healthy')[0], { description: 'the healthy endpoint' });
    // The silent endpoint holds its call for the 2 s timeout; the healthy one is not kept waiting.
    expect(healthyCall.receivedAt - published).toBeLessThan(1_500);

    const outcomeOf = (webhookId: string) => harness.outcomes.find((outcome) => outcome.webhook_id === webhookId && outcome.domain_event_id === event.id);
    for (const webhook of refused) {
      const outcome = await waitFor(() => outcomeOf(webhook.id), { description: 'the refused target outcome' });
      expect(outcome).toMatchObject({ result: 'failed', failure_kind: 'target_refused', status_code: null, retry_count: 0 });
      expect(outcome.next_retry_at).not.toBeNull();
    }
    expect(harness.receiver.requestsTo('/refused')).toHaveLength(0);

    const redirected = await waitFor(() => outcomeOf(redirect.id), { description: 'the redirect outcome' });
    expect(redirected).toMatchObject({ result: 'failed', failure_kind: 'redirect', status_code: 302 });
    expect(harness.receiver.requestsTo('/redirect-target')).toHaveLength(0);

    const timedOut = await waitFor(() => outcomeOf(silent.id), { description: 'the timeout outcome', timeoutMs: 10_000 });
    expect(timedOut).toMatchObject({ result: 'failed', failure_kind: 'timeout', status_code: null });
    expect(timedOut.duration_ms).toBeGreaterThanOrEqual(1_900);
    expect(harness.receiver.requestsTo('/silent')).toHaveLength(1);

    const succeeded = await waitFor(() => outcomeOf(healthy.id), { description: 'the healthy outcome' });
    expect(succeeded).toMatchObject({ result: 'succeeded', status_code: 200, final: true, next_retry_at: null });
  });

  it('dead-letters malformed, unknown-type, context-missing and oversize messages with their reason, and delivers the valid ones around them', async () => {
    await harness.seed.webhook({ workspaceId: workspaceA.id, url: harness.receiver.url('/around-dlq'), events: ['Case.Created'] });
    await new Promise((resolve) => setTimeout(resolve, 600));
    const valid = () => JSON.stringify(domainEvent({ type: 'Case.Created', workspace: workspaceA }));
    const bad = [
      { reason: 'undecodable', value: '{"id": "broken json' },
      { reason: 'unknown_type', value: JSON.stringify(domainEvent({ type: 'Case.Exploded', workspace: workspaceA })) },
      { reason: 'context_missing', value: JSON.stringify(domainEvent({ type: 'Note.Created', workspace: workspaceA })) },
      { reason: 'oversize', value: JSON.stringify(domainEvent({ type: 'Case.Created', workspace: workspaceA, entity: { id: 'big', blob: 'x'.repeat(70_000) } })) },
      { reason: 'schema_invalid', value: JSON.stringify({ type: 'Case.Created', workspace: workspaceA }) },
    ];
    const before = harness.deadLetters.length;
    await harness.publishRaw([
      { key: workspaceA.id, value: valid() },
      ...bad.flatMap((entry) => [
        { key: workspaceA.id, value: entry.value, headers: { 'x-origin': `test-${entry.reason}` } },
        { key: workspaceA.id, value: valid() },
      ]),
    ]);
    await waitFor(() => harness.receiver.requestsTo('/around-dlq').length === bad.length + 1, { description: 'the valid events around the bad ones' });
    await waitFor(() => harness.deadLetters.length - before >= bad.length, { description: 'the dead letters' });
    const letters = harness.deadLetters.slice(before);
    for (const entry of bad) {
      const letter = letters.find((candidate) => candidate.headers?.['x-origin']?.toString() === `test-${entry.reason}`);
      expect(letter).toBeDefined();
      expect(letter?.headers?.['hookstream-dlq-reason']?.toString()).toBe(entry.reason);
      expect(letter?.headers?.['hookstream-dlq-message']?.toString().length).toBeGreaterThan(0);
      expect(letter?.headers?.['hookstream-source-offset']?.toString()).toMatch(/^\d+$/);
      expect(letter?.value?.toString()).toBe(entry.value);
      expect(letter?.key?.toString()).toBe(workspaceA.id);
    }
  });

  it('makes one call per webhook when the same domain event id is published twice', async () => {
    await harness.seed.webhook({ workspaceId: workspaceA.id, url: harness.receiver.url('/dedup'), events: ['Individual.Created'] });
    await new Promise((resolve) => setTimeout(resolve, 600));
    const event = domainEvent({ type: 'Individual.Created', workspace: workspaceA, context: { case: caseSubset } });
    await harness.publish([event]);
    await waitFor(() => harness.receiver.requestsTo('/dedup').length === 1, { description: 'the first copy' });
    await harness.publish([event, domainEvent({ type: 'Individual.Created', workspace: workspaceA, context: { case: caseSubset } })]);
    await waitFor(() => harness.receiver.requestsTo('/dedup').length === 2, { description: 'the next event' });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const ids = harness.receiver.requestsTo('/dedup').map((request) => (request.body.context as { event_id: string }).event_id);
    expect(new Set(ids).size).toBe(2);
    expect(ids).toHaveLength(2);
  });
});
