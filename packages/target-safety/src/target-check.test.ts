import { parseCidrList } from './cidr';
import { checkAddress, checkWebhookUrl } from './target-check';

// docs/webhooks.md "Target safety". Pure rules: no test here opens a connection.
const testAllowlist = parseCidrList('127.0.0.1/32');

describe('checkAddress', () => {
  it.each([
    ['8.8.8.8', [], true],
    ['1.1.1.1', [], true],
    ['2606:4700::1111', [], true],
    ['127.0.0.1', [], false],
    ['127.0.0.1', testAllowlist, true],
    ['::ffff:127.0.0.1', testAllowlist, true], // mapped compares as IPv4
    ['127.0.0.2', testAllowlist, false],
    ['::1', testAllowlist, false],
    ['10.0.0.1', testAllowlist, false],
    ['10.0.0.1', parseCidrList('10.0.0.0/8'), true],
    ['::ffff:10.0.0.1', parseCidrList('10.0.0.0/8'), true],
    ['fd00::1', parseCidrList('fd00::/8'), true],
    ['fe80::1', parseCidrList('fd00::/8'), false],
  ])('%s with allowlist %j → allowed %s', (ip, allowlist, allowed) => {
    expect(checkAddress(ip, allowlist).allowed).toBe(allowed);
  });

  it.each([
    ['127.0.0.2', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link_local'],
    ['100.64.0.1', 'cgnat'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fc00::1', 'unique_local'],
    ['fd00::1', 'unique_local'],
    ['fe80::1', 'link_local'],
    ['::ffff:10.0.0.1', 'private'],
    ['2130706434', 'loopback'],
    ['64:ff9b::7f00:1', 'nat64'],
    ['2002:7f00:1::', '6to4'],
    ['2001::1', 'teredo'],
    ['not-an-address', 'invalid'],
  ])('refuses %s as %s even with the test allowlist, with a reason', (ip, addressClass) => {
    const check = checkAddress(ip, testAllowlist);
    expect(check).toEqual({ allowed: false, addressClass, reason: expect.any(String) });
    expect(!check.allowed && check.reason).toMatch(/may not target|not an IP address/);
  });

  it('names the address and its class in the reason', () => {
    expect(checkAddress('::ffff:169.254.169.254', [])).toEqual({
      allowed: false,
      addressClass: 'link_local',
      reason: '169.254.169.254 is a link-local address (this includes cloud metadata endpoints), which webhooks may not target',
    });
  });
});

describe('checkWebhookUrl', () => {
  const production = { allowHttp: false, allowlist: [] };
  const tests = { allowHttp: true, allowlist: testAllowlist };

  it.each([
    ['https://example.com/hooks', production],
    ['https://example.com:8443/hooks?x=1#frag', production],
    ['https://8.8.8.8/hook', production],
    ['https://[2606:4700::1111]/hook', production],
    ['https://localhost/hook', production], // names are checked at connect time, not here
    ['https://internal.example.com./', production],
    ['http://example.com/hook', tests],
    ['http://127.0.0.1:4000/hook', tests],
    ['http://[::ffff:127.0.0.1]:4000/hook', tests],
  ])('accepts %s', (url, policy) => {
    const check = checkWebhookUrl(url, policy);
    expect(check.ok).toBe(true);
    expect(check.ok && check.url.href).toBe(new URL(url).href);
  });

  it('defaults to https only and no allowlist', () => {
    expect(checkWebhookUrl('http://example.com/')).toMatchObject({ ok: false, reason: 'scheme_not_allowed' });
    expect(checkWebhookUrl('https://127.0.0.1/')).toMatchObject({ ok: false, reason: 'refused_address' });
  });

  it.each([
    ['not a url', 'malformed'],
    ['', 'malformed'],
    ['/relative/path', 'malformed'],
    ['//example.com/hook', 'malformed'],
    ['https://', 'malformed'],
    ['https://exa mple.com/', 'malformed'],
    ['https://example.com:99999/', 'malformed'],
    ['https://[::1/', 'malformed'],
    ['http://example.com/hook', 'scheme_not_allowed'],
    ['ftp://example.com/file', 'scheme_not_allowed'],
    ['file:///etc/passwd', 'scheme_not_allowed'],
    ['javascript:alert(1)', 'scheme_not_allowed'],
    ['gopher://127.0.0.1:6379/_INFO', 'scheme_not_allowed'],
    ['ws://example.com/', 'scheme_not_allowed'],
    ['https://user:pass@example.com/', 'credentials'],
    ['https://user@example.com/', 'credentials'],
    ['https://:pass@example.com/', 'credentials'],
    ['https://127.0.0.1/', 'refused_address'],
    ['https://10.0.0.1/', 'refused_address'],
    ['https://169.254.169.254/latest/meta-data/', 'refused_address'],
    ['https://[::1]/', 'refused_address'],
    ['https://[fd00::1]/', 'refused_address'],
    ['https://[::ffff:127.0.0.2]/', 'refused_address'],
    ['https://0.0.0.0/', 'refused_address'],
  ])('production refuses %j as %s', (url, reason) => {
    expect(checkWebhookUrl(url, production)).toEqual({ ok: false, reason, message: expect.any(String) });
  });

  it.each([
    ['http://127.0.0.2/', '127.0.0.2'],
    ['http://2130706434/', '127.0.0.2'], // decimal form, normalised by the URL parser
    ['http://0x7f.2/', '127.0.0.2'], // hex shorthand
    ['http://0177.0.0.2/', '127.0.0.2'], // octal
    ['http://127.2/', '127.0.0.2'],
    ['http://%31%32%37.0.0.2/', '127.0.0.2'], // percent-encoded host
    ['http://127.0.0.2./', '127.0.0.2'], // trailing dot
    ['http://[::1]/', '::1'],
    ['http://[::ffff:127.0.0.2]/', '127.0.0.2'],
    ['http://[::ffff:7f00:2]/', '127.0.0.2'],
    ['http://[::ffff:10.0.0.1]/', '10.0.0.1'],
    ['http://[::127.0.0.1]/', '::7f00:1'],
    ['http://[64:ff9b::127.0.0.1]/', '64:ff9b::7f00:1'],
    ['http://192.168.1.1:8080/', '192.168.1.1'],
    ['http://172.16.0.1/', '172.16.0.1'],
    ['http://100.64.0.1/', '100.64.0.1'],
    ['http://224.0.0.1/', '224.0.0.1'],
    ['http://255.255.255.255/', '255.255.255.255'],
    ['http://240.0.0.1/', '240.0.0.1'],
    ['http://[::]/', '::'],
    ['http://[fe80::1]/', 'fe80::1'],
    ['http://[fc00::1]/', 'fc00::1'],
  ])('test deployment (http, allowlist 127.0.0.1/32) still refuses %s, naming %s', (url, address) => {
    const check = checkWebhookUrl(url, tests);
    expect(check).toMatchObject({ ok: false, reason: 'refused_address' });
    expect(!check.ok && check.message).toContain(`host ${address} is `);
  });

  it('checks the scheme before credentials and the address', () => {
    expect(checkWebhookUrl('http://user:pw@127.0.0.2/', production)).toMatchObject({ reason: 'scheme_not_allowed' });
    expect(checkWebhookUrl('https://user:pw@127.0.0.2/', production)).toMatchObject({ reason: 'credentials' });
  });

  it('gives clear messages', () => {
    expect(checkWebhookUrl('http://example.com/', production)).toMatchObject({ message: 'The webhook URL must use https, not http' });
    expect(checkWebhookUrl('https://u:p@example.com/', production)).toMatchObject({
      message: 'The webhook URL must not contain a username or password',
    });
    expect(checkWebhookUrl('https://127.0.0.2/', production)).toMatchObject({
      message: 'The webhook URL host 127.0.0.2 is a loopback address, which webhooks may not target',
    });
  });
});
