import { adminTokenMatches, bearerTokenOf, digestsEqual, generateApiKey, hashApiKey, isWellFormedApiKey } from './api-keys';

describe('API keys', () => {
  it('generates dotkey. keys with 256 bits of randomness, stored as their SHA-256 digest', () => {
    const first = generateApiKey();
    const second = generateApiKey();
    expect(first.key).toMatch(/^dotkey\.[A-Za-z0-9_-]{43}$/);
    expect(first.key).not.toBe(second.key);
    expect(first.hash).toEqual(hashApiKey(first.key));
    expect(first.hash).toHaveLength(32);
    expect(first.key.startsWith(first.displayPrefix)).toBe(true);
    expect(first.displayPrefix).toHaveLength('dotkey.'.length + 6);
    expect(isWellFormedApiKey(first.key)).toBe(true);
  });

  it.each(['', 'dotkey.', 'dotkey.short', 'dotsecret.abcdefghijklmnopqrstuvwxyz0123456789', `dotkey.${'a'.repeat(129)}`, 'dotkey.abc def ghi jkl mno pqr stu vwx yz0'])(
    'refuses the malformed key %j',
    (candidate) => {
      expect(isWellFormedApiKey(candidate)).toBe(false);
    },
  );

  it('compares digests in constant time and by value', () => {
    const key = generateApiKey();
    expect(digestsEqual(key.hash, hashApiKey(key.key))).toBe(true);
    expect(digestsEqual(key.hash, hashApiKey(`${key.key}x`))).toBe(false);
    expect(digestsEqual(key.hash, Buffer.alloc(3))).toBe(false);
  });

  it('checks the admin token whatever the length of the guess', () => {
    expect(adminTokenMatches('a-long-admin-token-value', 'a-long-admin-token-value')).toBe(true);
    expect(adminTokenMatches('a-long-admin-token-valuE', 'a-long-admin-token-value')).toBe(false);
    expect(adminTokenMatches('', 'a-long-admin-token-value')).toBe(false);
  });

  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['Bearer   abc ', 'abc'],
    ['Basic abc', undefined],
    ['Bearer', undefined],
    ['Bearer a b', undefined],
    [undefined, undefined],
  ])('reads the bearer token of %j', (header, token) => {
    expect(bearerTokenOf(header)).toBe(token);
  });
});
