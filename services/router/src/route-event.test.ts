import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deriveEventId } from '@hookstream/events';
import { createSchemaRegistry } from '@hookstream/producer';
import { RegistryUnavailableError, decodeDomainEventBytes, isRegistryUnavailable, routeDomainEvent, type SubscribedWebhook } from './route-event';
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

  describe('with the registry client of @kafkajs/confluent-schema-registry over real sockets', () => {
    // A real HTTP server answering as a registry would: the client's own errors, not imitations.
    let server: Server;
    let url: string;
    const replies = new Map<string, { status: number; body: unknown }>();
    beforeAll(async () => {
      server = createServer((request, response) => {
        const reply = replies.get(request.url ?? '') ?? { status: 404, body: { error_code: 40403, message: 'Schema not found' } };
        response.writeHead(reply.status, { 'content-type': 'application/vnd.schemaregistry.v1+json' }).end(JSON.stringify(reply.body));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      replies.set('/schemas/ids/8', { status: 200, body: { schema: JSON.stringify({ type: 'record', name: 'T', fields: [{ name: 'a', type: 'long' }] }) } });
      replies.set('/schemas/ids/9', { status: 503, body: { error_code: 50003, message: 'Error while forwarding the request to the leader' } });
    });
    afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

    const decodeWith = (host: string) => {
      const registry = createSchemaRegistry(host);
      return (bytes: Buffer) => registry.decode(bytes);
    };
    const wire = (schemaId: number, body: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, 0, schemaId]), body]);

    it('waits (throws RegistryUnavailableError) when the registry refuses connections', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      await expect(decodeDomainEventBytes(wire(8, Buffer.from([2])), 100, decodeWith(`http://127.0.0.1:${port}`))).rejects.toBeInstanceOf(
        RegistryUnavailableError,
      );
    });

    it('waits when the registry answers 5xx', async () => {
      await expect(decodeDomainEventBytes(wire(9, Buffer.from([2])), 100, decodeWith(url))).rejects.toBeInstanceOf(RegistryUnavailableError);
    });

    it('waits when the registry accepts the connection and never answers', async () => {
      const silent = createServer(() => undefined);
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      try {
        const registry = createSchemaRegistry(`http://127.0.0.1:${(silent.address() as AddressInfo).port}`, { requestTimeoutMs: 300 });
        await expect(decodeDomainEventBytes(wire(8, Buffer.from([2])), 100, (bytes) => registry.decode(bytes))).rejects.toBeInstanceOf(
          RegistryUnavailableError,
        );
      } finally {
        silent.closeAllConnections();
        await new Promise<void>((resolve) => silent.close(() => resolve()));
      }
    });

    it('dead-letters a schema id the live registry does not know (404)', async () => {
      await expect(decodeDomainEventBytes(wire(7, Buffer.from([2])), 100, decodeWith(url))).resolves.toMatchObject({
        ok: false,
        reason: 'undecodable',
        message: expect.stringMatching(/Schema not found/),
      });
    });

    it('dead-letters bytes that do not decode under a known schema', async () => {
      // A long needs at least one byte; 0x80 announces more bytes that never come.
      await expect(decodeDomainEventBytes(wire(8, Buffer.from([0x80])), 100, decodeWith(url))).resolves.toMatchObject({
        ok: false,
        reason: 'undecodable',
      });
      await expect(decodeDomainEventBytes(wire(8, Buffer.from([2])), 100, decodeWith(url))).resolves.toEqual({ ok: true, decoded: { a: 1 } });
    });
  });

  it('classifies only a 404 answer as the message\'s fault', () => {
    expect(isRegistryUnavailable(new Error('Unknown magic byte'))).toBe(false);
    expect(isRegistryUnavailable(null)).toBe(false);
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
