import { signBody } from './signature';
import { verifyWebhook, type WebhookVerificationInput } from './verify-webhook';

// The receiver's checks of docs/webhooks.md "Verifying signatures": signature, then replay window.
const secret = 'dotsecret.Zx3yP0qLr8sT2uV5wX7yA9bC1dE4fG6hJ';
const oldSecret = 'dotsecret.OLD0000000000000000000000000000000000';
const sentAt = 1764072000;

function bodyAt(timestamp: unknown): string {
  return JSON.stringify({ event: 'Case.Created', context: { timestamp, event_id: 'e' }, case: { id: 'c' } });
}

function signedRequest(rawBody: string, overrides: Partial<WebhookVerificationInput> = {}): WebhookVerificationInput {
  return {
    rawBody,
    headers: { 'content-type': 'application/json', 'dotfile-signature': signBody(rawBody, secret) },
    secret,
    nowSeconds: sentAt,
    ...overrides,
  };
}

describe('verifyWebhook', () => {
  it('accepts a fresh, correctly signed call and returns the parsed payload', () => {
    expect(verifyWebhook(signedRequest(bodyAt(sentAt)))).toEqual({
      ok: true,
      matched: 'current',
      payload: JSON.parse(bodyAt(sentAt)),
    });
  });

  it.each([
    ['received at the send time', 0, true],
    ['received 119 s later', 119, true],
    ['received exactly 120 s later (edge included)', 120, true],
    ['received 121 s later', 121, false],
    ['received 1 h later (a replay)', 3600, false],
    ['with the sender clock 120 s ahead', -120, true],
    ['with the sender clock 121 s ahead', -121, false],
  ])('default tolerance: %s → ok %s', (_name, delaySeconds, ok) => {
    const result = verifyWebhook(signedRequest(bodyAt(sentAt), { nowSeconds: sentAt + delaySeconds }));
    expect(result.ok ? 'ok' : result.reason).toBe(ok ? 'ok' : 'timestamp_out_of_tolerance');
  });

  it.each([
    [60, 60, true],
    [60, 61, false],
    [0, 0, true],
    [0, 1, false],
  ])('tolerance %i s, received %i s later → ok %s', (toleranceSeconds, delaySeconds, ok) => {
    const result = verifyWebhook(signedRequest(bodyAt(sentAt), { toleranceSeconds, nowSeconds: sentAt + delaySeconds }));
    expect(result.ok).toBe(ok);
  });

  it('accepts a receiver still on the old secret through Dotfile-Old-Signature during a rotation', () => {
    const rawBody = bodyAt(sentAt);
    const result = verifyWebhook({
      rawBody,
      headers: { 'dotfile-signature': signBody(rawBody, secret), 'dotfile-old-signature': signBody(rawBody, oldSecret) },
      secret: oldSecret,
      nowSeconds: sentAt,
    });
    expect(result).toMatchObject({ ok: true, matched: 'previous' });
  });

  it('accepts a receiver holding a previous secret', () => {
    const rawBody = bodyAt(sentAt);
    const result = verifyWebhook({
      rawBody,
      headers: { 'dotfile-signature': signBody(rawBody, oldSecret) },
      secret,
      previousSecret: oldSecret,
      nowSeconds: sentAt,
    });
    expect(result).toMatchObject({ ok: true, matched: 'current' });
  });

  it('finds headers whatever their case', () => {
    const rawBody = bodyAt(sentAt);
    expect(verifyWebhook({ ...signedRequest(rawBody), headers: { 'Dotfile-Signature': signBody(rawBody, secret) } }).ok).toBe(true);
  });

  it('accepts the raw body as a Buffer', () => {
    const rawBody = bodyAt(sentAt);
    expect(verifyWebhook({ ...signedRequest(rawBody), rawBody: Buffer.from(rawBody) }).ok).toBe(true);
  });

  it.each([
    ['no signature headers', {}, 'missing_signature'],
    ['empty signature headers', { 'dotfile-signature': '', 'dotfile-old-signature': ' ' }, 'missing_signature'],
    ['a signature made with another secret', { 'dotfile-signature': signBody(bodyAt(sentAt), 'dotsecret.other') }, 'bad_signature'],
    ['a signature of another body', { 'dotfile-signature': signBody(bodyAt(sentAt + 1), secret) }, 'bad_signature'],
    ['garbage', { 'dotfile-signature': 'not-a-signature' }, 'bad_signature'],
  ])('rejects %s as %s', (_name, headers, reason) => {
    expect(verifyWebhook({ ...signedRequest(bodyAt(sentAt)), headers })).toEqual({ ok: false, reason });
  });

  it('checks the signature before the timestamp: a stale forged call is bad_signature', () => {
    const result = verifyWebhook({
      ...signedRequest(bodyAt(sentAt)),
      headers: { 'dotfile-signature': 'f'.repeat(64) },
      nowSeconds: sentAt + 3600,
    });
    expect(result).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it.each([
    ['not JSON', 'hello'],
    ['a JSON array', '[1,2]'],
    ['JSON without context', '{"event":"Case.Created"}'],
    ['a context that is not an object', '{"context":"x"}'],
    ['a timestamp as text', bodyAt(String(sentAt))],
    ['a null timestamp', bodyAt(null)],
  ])('rejects a correctly signed body that is %s as malformed_body', (_name, rawBody) => {
    expect(verifyWebhook(signedRequest(rawBody))).toEqual({ ok: false, reason: 'malformed_body' });
  });
});
