import { createHmac } from 'node:crypto';
import type { DeliveryMessage } from '@hookstream/messages';
import { buildWebhookRequest } from './build-request';

const delivery: DeliveryMessage = {
  version: 1,
  type: 'automatic_retry',
  event_id: '6f1c2a8e-6f4b-5d7e-9a51-0f3c2b1d4e5a',
  webhook_id: '00000000-0000-4000-8000-000000000001',
  workspace_id: 'ws-1',
  event: 'Case.Updated',
  sub_event: 'Case.StatusUpdated',
  domain_event: {
    id: '2f0c4a1e-8b7d-4e6f-9a1b-3c5d7e9f1a2b',
    type: 'Case.StatusUpdated',
    occurred_at: '2026-11-25T12:00:00.000Z',
    workspace: { id: 'ws-1', name: 'Acme' },
    entity: { id: 'case-1', status: 'approved' },
    context: {},
  },
  retry_count: 2,
  first_attempt_at: '2026-11-25T12:00:01.000Z',
  due_at: '2026-11-25T16:00:01.000Z',
  produced_at: '2026-11-25T12:00:00.500Z',
};
const now = new Date('2026-11-25T16:00:02.900Z');
const hmac = (secret: string, body: Buffer) => createHmac('sha256', secret).update(body).digest('hex');

describe('buildWebhookRequest', () => {
  it('signs exactly the bytes it sends, with this attempt’s timestamp and counters', () => {
    const request = buildWebhookRequest({ delivery, secrets: { secret: 'dotsecret.current' }, now, maxRetries: 4, userAgent: 'hookstream/1.0.0' });
    expect(request.bodyText).toBe(request.body.toString('utf8'));
    const body = JSON.parse(request.bodyText);
    expect(body).toEqual({
      event: 'Case.Updated',
      sub_event: 'Case.StatusUpdated',
      context: {
        timestamp: Math.floor(now.getTime() / 1000),
        event_id: delivery.event_id,
        retry_count: 2,
        remaining_retry_count: 2,
        workspace: { id: 'ws-1', name: 'Acme' },
      },
      case: { id: 'case-1', status: 'approved' },
    });
    expect(request.headers).toEqual({
      'content-type': 'application/json',
      'user-agent': 'hookstream/1.0.0',
      'dotfile-signature': hmac('dotsecret.current', request.body),
      'dotfile-event-id': delivery.event_id,
      'dotfile-retry-count': '2',
      'dotfile-remaining-retry-count': '2',
    });
  });

  it('adds the old signature only while the rotation grace period runs', () => {
    const during = buildWebhookRequest({
      delivery,
      secrets: { secret: 'dotsecret.new', previousSecret: 'dotsecret.old', previousSecretExpiresAt: new Date(now.getTime() + 1) },
      now,
      maxRetries: 4,
      userAgent: 'ua',
    });
    expect(during.headers['dotfile-old-signature']).toBe(hmac('dotsecret.old', during.body));
    const after = buildWebhookRequest({
      delivery,
      secrets: { secret: 'dotsecret.new', previousSecret: 'dotsecret.old', previousSecretExpiresAt: now },
      now,
      maxRetries: 4,
      userAgent: 'ua',
    });
    expect(after.headers).not.toHaveProperty('dotfile-old-signature');
  });

  it('signs the UTF-8 bytes of a non-ASCII body, and keeps the same text for the call log', () => {
    const accented: DeliveryMessage = {
      ...delivery,
      domain_event: { ...delivery.domain_event, entity: { id: 'case-1', name: 'Société Générale — 株式会社 🚀' } },
    };
    const request = buildWebhookRequest({ delivery: accented, secrets: { secret: 'dotsecret.current' }, now, maxRetries: 4, userAgent: 'ua' });
    expect(request.body.equals(Buffer.from(request.bodyText, 'utf8'))).toBe(true);
    expect(JSON.parse(request.bodyText).case.name).toBe('Société Générale — 株式会社 🚀');
    expect(request.headers['dotfile-signature']).toBe(hmac('dotsecret.current', request.body));
  });

  it('carries the trace context when there is one', () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    expect(buildWebhookRequest({ delivery, secrets: { secret: 's' }, now, maxRetries: 4, userAgent: 'ua', traceparent }).headers.traceparent).toBe(traceparent);
  });
});
