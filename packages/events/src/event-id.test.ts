import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { validate as isUuid, v5 as uuidV5, version as uuidVersion } from 'uuid';
import { EVENT_ID_NAMESPACE, deriveEventId } from './event-id';

describe('deriveEventId (docs/webhooks.md context.event_id)', () => {
  const domainEventId = '2f0c4a1e-8b7d-4e6f-9a1b-3c5d7e9f1a2b';
  const webhookId = '9b2d6c1a-0e4f-4a3b-8c7d-6e5f4a3b2c1d';

  it('is a version 5 UUID', () => {
    const eventId = deriveEventId(domainEventId, webhookId);
    expect(isUuid(eventId)).toBe(true);
    expect(uuidVersion(eventId)).toBe(5);
  });

  it('is the same every time for the same pair (every attempt, reprocessing)', () => {
    expect(deriveEventId(domainEventId, webhookId)).toBe(deriveEventId(domainEventId, webhookId));
  });

  it('is UUIDv5 (RFC 9562 §5.5) of "<domain event id>/<webhook id>" under the project namespace, computed independently', () => {
    const namespaceBytes = Buffer.from(EVENT_ID_NAMESPACE.replaceAll('-', ''), 'hex');
    const hash = createHash('sha1').update(namespaceBytes).update(`${domainEventId}/${webhookId}`).digest().subarray(0, 16);
    hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
    hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
    const hex = hash.toString('hex');
    const expected = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    expect(deriveEventId(domainEventId, webhookId)).toBe(expected);
  });

  it('keeps its namespace: changing it would give receivers new ids for calls already delivered', () => {
    expect(EVENT_ID_NAMESPACE).toBe('bd13529a-368d-4568-936f-8d7d89f9a803');
  });

  it.each([
    ['another webhook', domainEventId, '0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d'],
    ['another domain event', '7e6d5c4b-3a29-4817-a615-f4e3d2c1b0a9', webhookId],
    ['the ids swapped', webhookId, domainEventId],
  ])('differs for %s', (_case, otherDomainEventId, otherWebhookId) => {
    expect(deriveEventId(otherDomainEventId, otherWebhookId)).not.toBe(deriveEventId(domainEventId, webhookId));
  });

  it('equals the uuid package\'s v5 of the same name for many random ids, upper case and non-ASCII ones included', () => {
    const randomText = () => {
      const characters = ['a', 'Z', '0', '-', '/', 'é', 'ß', '€', '😀', '"', ' '];
      const length = randomBytes(1).readUInt8(0) % 40;
      return Array.from(randomBytes(length), (byte) => characters[byte % characters.length]).join('');
    };
    for (let index = 0; index < 2_000; index += 1) {
      const variant = index % 4;
      const domain = variant === 0 ? randomUUID() : variant === 1 ? randomUUID().toUpperCase() : randomText();
      const webhook = variant === 3 ? randomText() : randomUUID();
      expect(deriveEventId(domain, webhook)).toBe(uuidV5(`${domain.toLowerCase()}/${webhook}`, EVENT_ID_NAMESPACE));
    }
  });

  it.each([
    ['just fits the reused buffer', '€'.repeat(163), 'w'],
    ['just misses the reused buffer', '€'.repeat(164), 'w'],
    ['is long', 'x'.repeat(5_000), randomUUID()],
    ['is long and multi-byte', '€😀'.repeat(700), randomUUID()],
  ])('equals the uuid package\'s v5 when the name %s', (_case, domain, webhook) => {
    expect(deriveEventId(domain, webhook)).toBe(uuidV5(`${domain.toLowerCase()}/${webhook}`, EVENT_ID_NAMESPACE));
  });

  it('treats the domain event id case-insensitively, as UUIDs are', () => {
    expect(deriveEventId(domainEventId.toUpperCase(), webhookId)).toBe(deriveEventId(domainEventId, webhookId));
  });
});
