import { randomBytes } from 'node:crypto';
import { createSecretBox, parseSecretKey } from './secret-box';

describe('secret box', () => {
  const box = createSecretBox(randomBytes(32));

  it('round-trips a secret and never stores it in clear', () => {
    const secret = 'dotsecret.0123456789abcdefghijklmnopqrstuvwxyzABCD';
    const stored = box.encrypt(secret);
    expect(stored).not.toContain('0123456789abcdef');
    expect(stored.startsWith('v1.')).toBe(true);
    expect(box.decrypt(stored)).toBe(secret);
  });

  it('uses a fresh IV each time', () => {
    expect(box.encrypt('same')).not.toBe(box.encrypt('same'));
  });

  it('rejects a tampered value and a value under another key', () => {
    const stored = box.encrypt('dotsecret.value-value-value-value-value-value');
    const parts = stored.split('.');
    const tampered = [...parts.slice(0, 3), Buffer.from('x'.repeat(20)).toString('base64url')].join('.');
    expect(() => box.decrypt(tampered)).toThrow();
    expect(() => createSecretBox(randomBytes(32)).decrypt(stored)).toThrow();
  });

  it('requires a 32-byte key', () => {
    expect(() => parseSecretKey(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
    expect(parseSecretKey(randomBytes(32).toString('base64'))).toHaveLength(32);
  });
});
