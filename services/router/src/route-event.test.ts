import { randomUUID } from 'node:crypto';
import { deriveEventId } from '@hookstream/events';
import { decodeDomainEventBytes, routeDomainEvent, type SubscribedWebhook } from './route-event';
import { encodeDeliveries } from './router-consumer';

const workspace = { id: 'ws-1', name: 'Acme' };
const producedAt = new Date('2026-11-25T12:00:00.000Z');

function envelope(overrides: Record<string, unknown> = {}) {
  return {
    id: randomUUID(),
    type: 'Case.StatusUpdated',
    occurred_at: '2026-11-25T11:59:59.000Z',
    workspace,
    entity: { id: 'case-1', status: 'approved' },
    context: {},
    ...overrides,
  };
}

const webhooks: Record<string, SubscribedWebhook> = {
  parent: { id: '00000000-0000-4000-8000-000000000001', events: new Set(['Case.Updated']) },
  both: { id: '00000000-0000-4000-8000-000000000002', events: new Set(['Case.Updated', 'Case.StatusUpdated']) },
  sub: { id: '00000000-0000-4000-8000-000000000003', events: new Set(['Case.StatusUpdated']) },
  other: { id: '00000000-0000-4000-8000-000000000004', events: new Set(['Note.Created']) },
};
const allOf = () => Object.values(webhooks);

describe('routeDomainEvent', () => {
  it('makes one first call per matching webhook with the top-level/sub-event rule', () => {
    const event = envelope();
    const result = routeDomainEvent(event, (id) => (id === workspace.id ? allOf() : []), producedAt);
    expect(result.kind).toBe('routed');
    if (result.kind !== 'routed') return;
    const byWebhook = Object.fromEntries(result.deliveries.map((delivery) => [delivery.webhook_id, delivery]));
    expect(Object.keys(byWebhook).sort()).toEqual([webhooks.parent, webhooks.both, webhooks.sub].map((webhook) => webhook?.id).sort());
    expect(byWebhook[webhooks.parent!.id]).toMatchObject({ event: 'Case.Updated', sub_event: 'Case.StatusUpdated' });
    expect(byWebhook[webhooks.both!.id]).toMatchObject({ event: 'Case.Updated', sub_event: 'Case.StatusUpdated' });
    expect(byWebhook[webhooks.sub!.id]).toMatchObject({ event: 'Case.StatusUpdated', sub_event: null });
    for (const delivery of result.deliveries) {
      expect(delivery).toMatchObject({
        type: 'first_call',
        retry_count: 0,
        first_attempt_at: null,
        workspace_id: workspace.id,
        event_id: deriveEventId(event.id, delivery.webhook_id),
        produced_at: producedAt.toISOString(),
        due_at: producedAt.toISOString(),
      });
      expect(delivery.domain_event).toMatchObject({ id: event.id, entity: event.entity });
    }
  });

  it('routes nothing to webhooks of other workspaces', () => {
    const result = routeDomainEvent(envelope(), (id) => (id === 'another' ? allOf() : []), producedAt);
    expect(result).toMatchObject({ kind: 'routed', deliveries: [] });
  });

  it.each([
    ['schema_invalid', envelope({ id: 'not-a-uuid' })],
    ['schema_invalid', { type: 'Case.Created' }],
    ['unknown_type', envelope({ type: 'Case.Exploded' })],
    ['context_missing', envelope({ type: 'NoteComment.Created', context: { case: { id: 'c' } } })],
  ])('dead-letters %s input', (reason, input) => {
    expect(routeDomainEvent(input, allOf, producedAt)).toMatchObject({ kind: 'dead_letter', reason });
  });
});

describe('decodeDomainEventBytes', () => {
  it('decodes UTF-8 JSON', async () => {
    await expect(decodeDomainEventBytes(Buffer.from('{"a":1}'), 100)).resolves.toEqual({ ok: true, decoded: { a: 1 } });
  });

  it.each([
    ['undecodable', null, 100],
    ['undecodable', Buffer.alloc(0), 100],
    ['undecodable', Buffer.from('{"a":'), 100],
    ['oversize', Buffer.from(`{"a":"${'x'.repeat(200)}"}`), 100],
    ['undecodable', Buffer.from([0, 0, 0, 0, 1, 2, 3]), 100],
  ])('rejects as %s', async (reason, value, limit) => {
    await expect(decodeDomainEventBytes(value as Buffer | null, limit)).resolves.toMatchObject({ ok: false, reason });
  });

  it('hands wire-format messages to the registry decoder', async () => {
    const wire = Buffer.from([0, 0, 0, 0, 7, 42]);
    await expect(decodeDomainEventBytes(wire, 100, async (bytes) => ({ schemaId: bytes.readUInt32BE(1) }))).resolves.toEqual({
      ok: true,
      decoded: { schemaId: 7 },
    });
  });

  it('treats an unreachable registry as transient (thrown, retried) and a bad schema id as undecodable', async () => {
    const wire = Buffer.from([0, 0, 0, 0, 7, 42]);
    const unreachable = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    await expect(decodeDomainEventBytes(wire, 100, async () => Promise.reject(unreachable))).rejects.toBe(unreachable);
    await expect(decodeDomainEventBytes(wire, 100, async () => Promise.reject(new Error('Schema not found')))).resolves.toMatchObject({
      ok: false,
      reason: 'undecodable',
    });
  });
});

describe('encodeDeliveries', () => {
  it('encodes each delivery as the full message, the envelope serialised once', () => {
    const result = routeDomainEvent(envelope(), () => Object.values(webhooks), producedAt);
    if (result.kind !== 'routed') throw new Error('not routed');
    const encoded = encodeDeliveries(result.deliveries);
    expect(encoded.map((bytes) => JSON.parse(bytes.toString('utf8')))).toEqual(JSON.parse(JSON.stringify(result.deliveries)));
  });
});
