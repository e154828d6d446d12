import { createHmac } from 'node:crypto';
import { generateSecret, isValidSecretFormat, signBody, verifyWebhookSignature } from './signature';

// docs/webhooks.md "Request": lowercase hex HMAC-SHA256 over the raw body bytes, keyed with
// the secret string's UTF-8 bytes.
const secret = 'dotsecret.Zx3yP0qLr8sT2uV5wX7yA9bC1dE4fG6hJ';
const oldSecret = 'dotsecret.OLD0000000000000000000000000000000000';
const body = '{"event":"Case.Updated","sub_event":"Case.StatusUpdated","context":{"timestamp":1764072000}}';

function independentHmac(key: string, data: Buffer | string): string {
  return createHmac('sha256', key).update(data).digest('hex');
}

describe('signBody', () => {
  it('matches RFC 4231 test case 2 (key "Jefe")', () => {
    expect(signBody('what do ya want for nothing?', 'Jefe')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it.each([
    ['an ASCII JSON body', body],
    ['a body with non-ASCII characters', '{"name":"Société Générale — 株式会社 🚀"}'],
    ['an empty body', ''],
  ])('equals the HMAC computed independently for %s, as string or bytes', (_name, text) => {
    const expected = independentHmac(secret, Buffer.from(text, 'utf8'));
    expect(signBody(text, secret)).toBe(expected);
    expect(signBody(Buffer.from(text, 'utf8'), secret)).toBe(expected);
  });

  it('is lowercase hex of 32 bytes', () => {
    expect(signBody(body, secret)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keys with the UTF-8 bytes of a non-ASCII secret', () => {
    const unicodeSecret = 'dotsecret.clé-ünïcödé-0000000000000000000000';
    expect(signBody(body, unicodeSecret)).toBe(
      createHmac('sha256', Buffer.from(unicodeSecret, 'utf8')).update(body).digest('hex'),
    );
  });

  it('signs the exact bytes: re-serialised JSON gives another signature', () => {
    const reformatted = JSON.stringify(JSON.parse(body), null, 2);
    expect(signBody(reformatted, secret)).not.toBe(signBody(body, secret));
  });

  it('signs bytes that are not valid UTF-8 as they are', () => {
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    expect(signBody(bytes, secret)).toBe(independentHmac(secret, bytes));
  });

  it('keeps signing correctly with more secrets than it keeps keys for, and after one is evicted', () => {
    const secrets = Array.from({ length: 10_050 }, (_unused, index) => `dotsecret.${String(index).padStart(40, '0')}`);
    for (const each of secrets) signBody(body, each);
    // The first secrets' keys were evicted: signing with them again rebuilds the key.
    for (const each of [secrets[0] as string, secrets[1] as string, secrets[10_049] as string, secret]) {
      expect(signBody(body, each)).toBe(independentHmac(each, body));
    }
    expect(signBody(body, secrets[0] as string)).not.toBe(signBody(body, secrets[1] as string));
  });
});

describe('generateSecret', () => {
  it('is dotsecret. followed by 43 base64url characters (32 random bytes)', () => {
    expect(generateSecret()).toMatch(/^dotsecret\.[A-Za-z0-9_-]{43}$/);
  });

  it('is a valid secret format', () => {
    expect(isValidSecretFormat(generateSecret())).toBe(true);
  });

  it('never repeats over many draws', () => {
    const secrets = new Set(Array.from({ length: 1000 }, () => generateSecret()));
    expect(secrets.size).toBe(1000);
  });
});

describe('isValidSecretFormat', () => {
  it.each([
    ['a generated-looking secret', `dotsecret.${'a'.repeat(43)}`, true],
    ['exactly 32 characters after the prefix', `dotsecret.${'A'.repeat(32)}`, true],
    ['base64 with + / =', `dotsecret.${'ab+/'.repeat(8)}==`, true],
    ['256 characters after the prefix', `dotsecret.${'x'.repeat(256)}`, true],
    ['31 characters after the prefix', `dotsecret.${'A'.repeat(31)}`, false],
    ['257 characters after the prefix', `dotsecret.${'x'.repeat(257)}`, false],
    ['no prefix', 'A'.repeat(43), false],
    ['another prefix', `whsec_${'A'.repeat(43)}`, false],
    ['an upper-case prefix', `DOTSECRET.${'A'.repeat(43)}`, false],
    ['a space inside', `dotsecret.${'A'.repeat(20)} ${'A'.repeat(20)}`, false],
    ['a trailing newline', `dotsecret.${'A'.repeat(43)}\n`, false],
    ['non-ASCII characters', `dotsecret.${'é'.repeat(43)}`, false],
    ['empty', '', false],
  ])('%s → %s', (_name, candidate, valid) => {
    expect(isValidSecretFormat(candidate)).toBe(valid);
  });
});

describe('verifyWebhookSignature', () => {
  const current = signBody(body, secret);
  const previous = signBody(body, oldSecret);

  it.each([
    {
      name: 'current signature with the receiver secret',
      input: { signature: current, oldSignature: undefined, secret },
      expected: { valid: true, matched: 'current' },
    },
    {
      name: 'during rotation, receiver already on the new secret',
      input: { signature: current, oldSignature: previous, secret },
      expected: { valid: true, matched: 'current' },
    },
    {
      name: 'during rotation, receiver still on the old secret: old signature matches',
      input: { signature: current, oldSignature: previous, secret: oldSecret },
      expected: { valid: true, matched: 'previous' },
    },
    {
      name: 'receiver holding both secrets, sender not rotated yet',
      input: { signature: previous, oldSignature: undefined, secret, previousSecret: oldSecret },
      expected: { valid: true, matched: 'current' },
    },
    {
      name: 'rotation over (no old signature) and receiver still on the old secret',
      input: { signature: current, oldSignature: undefined, secret: oldSecret },
      expected: { valid: false, matched: null },
    },
    {
      name: 'wrong secret',
      input: { signature: current, oldSignature: previous, secret: 'dotsecret.wrong-wrong-wrong-wrong-wrong-wrong' },
      expected: { valid: false, matched: null },
    },
    {
      name: 'no signature at all',
      input: { signature: undefined, oldSignature: undefined, secret },
      expected: { valid: false, matched: null },
    },
    {
      name: 'upper-case hex of the right digest (same bytes)',
      input: { signature: current.toUpperCase(), secret },
      expected: { valid: true, matched: 'current' },
    },
    {
      name: 'a truncated signature (different length: no throw)',
      input: { signature: current.slice(0, 62), secret },
      expected: { valid: false, matched: null },
    },
    {
      name: 'a longer signature (different length: no throw)',
      input: { signature: `${current}00`, secret },
      expected: { valid: false, matched: null },
    },
    {
      name: 'malformed hex of the right length',
      input: { signature: `${current.slice(0, 63)}z`, secret },
      expected: { valid: false, matched: null },
    },
    {
      name: 'right digest followed by junk (Buffer.from would stop at the junk)',
      input: { signature: `${current}zz`, secret },
      expected: { valid: false, matched: null },
    },
    {
      name: 'sha256= prefixed value',
      input: { signature: `sha256=${current}`, secret },
      expected: { valid: false, matched: null },
    },
    {
      name: 'empty signature',
      input: { signature: '', oldSignature: '', secret },
      expected: { valid: false, matched: null },
    },
  ])('$name', ({ input, expected }) => {
    expect(verifyWebhookSignature({ rawBody: body, ...input })).toEqual(expected);
  });

  it('checks the raw bytes: a body altered by one byte fails', () => {
    expect(verifyWebhookSignature({ rawBody: body.replace('1764072000', '1764072001'), signature: current, secret })).toEqual({
      valid: false,
      matched: null,
    });
  });

  it('accepts the body as a Buffer', () => {
    expect(verifyWebhookSignature({ rawBody: Buffer.from(body), signature: current, secret }).valid).toBe(true);
  });
});
