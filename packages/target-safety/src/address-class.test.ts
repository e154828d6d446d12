import { type AddressClass, classifyAddress, describeAddressClass, hostIsIpLiteral, parseIpAddress } from './address-class';

// docs/webhooks.md "Target safety". Pure classification: nothing here opens a socket.
describe('classifyAddress', () => {
  const table: Array<[string, AddressClass]> = [
    // public
    ['8.8.8.8', 'public'],
    ['1.1.1.1', 'public'],
    ['93.184.216.34', 'public'],
    ['172.15.255.255', 'public'], // just below 172.16.0.0/12
    ['172.32.0.0', 'public'], // just above it
    ['100.63.255.255', 'public'], // just below 100.64.0.0/10
    ['100.128.0.0', 'public'], // just above it
    ['223.255.255.255', 'public'], // just below multicast
    ['2606:4700::1111', 'public'],
    ['2001:4860:4860::8888', 'public'],
    ['::ffff:8.8.8.8', 'public'], // IPv4-mapped: the embedded address decides

    // IPv4 special ranges
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['127.0.0.1', 'loopback'],
    ['127.0.0.2', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['192.168.255.255', 'private'],
    ['169.254.169.254', 'link_local'], // cloud metadata
    ['169.254.0.1', 'link_local'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.254', 'reserved'],
    ['192.0.0.170', 'reserved'],
    ['192.88.99.1', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['192.31.196.1', 'reserved'], // AS112: known to ipaddr.js, no place for a receiver
    ['192.52.193.1', 'reserved'], // AMT

    // IPv6 special ranges
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['fc00::1', 'unique_local'],
    ['fd12:3456:789a::1', 'unique_local'],
    ['fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'unique_local'],
    ['fe80::1', 'link_local'],
    ['febf:ffff::1', 'link_local'],
    ['fe80::1%eth0', 'link_local'],
    ['ff02::1', 'multicast'],
    ['ff05::1:3', 'multicast'],
    ['fec0::1', 'reserved'], // deprecated site-local
    ['100::1', 'reserved'], // discard prefix
    ['::7f00:1', 'reserved'], // deprecated IPv4-compatible ::127.0.0.1
    // ipaddr.js reads the deprecated dotted form "::a.b.c.d" as IPv4-mapped; URL hosts never
    // reach us in that form (the URL parser writes [::7f00:1]), and it is refused either way.
    ['::127.0.0.1', 'loopback'],
    ['5f00::1', 'reserved'], // segment routing, outside 2000::/3
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['2001:2::1', 'benchmarking'],
    ['2001:10::1', 'reserved'], // deprecated ORCHID, inside 2001::/23
    ['2620:4f:8000::1', 'reserved'], // AS112 v6: caught by the ipaddr.js safety net

    // IPv4-mapped IPv6: the class of the embedded IPv4
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:a00:1', 'private'],
    ['::ffff:127.0.0.2', 'loopback'],
    ['::ffff:7f00:2', 'loopback'],
    ['::ffff:169.254.169.254', 'link_local'],
    ['::ffff:0.0.0.0', 'unspecified'],
    ['0:0:0:0:0:ffff:c0a8:101', 'private'],

    // translation and tunnelling forms that embed an arbitrary IPv4 target
    ['64:ff9b::10.0.0.1', 'nat64'],
    ['64:ff9b::808:808', 'nat64'],
    ['64:ff9b:1::1', 'nat64'],
    ['::ffff:0:7f00:1', 'nat64'], // RFC 6145 IPv4-translated
    ['2002:7f00:1::1', '6to4'],
    ['2002:0808:0808::1', '6to4'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],

    // odd IPv4 forms that URL parsers and ipaddr.js also accept
    ['2130706433', 'loopback'],
    ['2130706434', 'loopback'],
    ['0x7f.1', 'loopback'],
    ['0x7f000001', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['127.1', 'loopback'],
    ['012.0.0.1', 'private'], // octal 012 = 10
    ['167772161', 'private'], // 10.0.0.1
    ['0xa9.0xfe.0xa9.0xfe', 'link_local'],
    ['127.0.0.1.', 'loopback'], // trailing dot, as in a URL host
    ['[::1]', 'loopback'],
    ['[::ffff:127.0.0.2]', 'loopback'],
    ['[2606:4700::1111]', 'public'],

    // not addresses
    ['', 'invalid'],
    ['localhost', 'invalid'],
    ['example.com', 'invalid'],
    ['256.0.0.1', 'invalid'],
    ['08.0.0.1', 'invalid'],
    ['1.2.3.4.5', 'invalid'],
    ['::1::', 'invalid'],
    ['[::1', 'invalid'],
    [' 127.0.0.1', 'invalid'],
  ];

  it.each(table)('%s → %s', (ip, expected) => {
    expect(classifyAddress(ip)).toBe(expected);
  });

  it('describes every class for error messages', () => {
    for (const [, addressClass] of table) {
      expect(describeAddressClass(addressClass)).not.toBe('');
    }
  });
});

describe('parseIpAddress', () => {
  it.each([
    ['::ffff:10.0.0.1', 'ipv4', '10.0.0.1'],
    ['[::1]', 'ipv6', '::1'],
    ['2130706434', 'ipv4', '127.0.0.2'],
    ['0x7f.1', 'ipv4', '127.0.0.1'],
  ])('%s is the %s address %s', (text, kind, canonical) => {
    const address = parseIpAddress(text);
    expect(address?.kind()).toBe(kind);
    expect(address?.toString()).toBe(canonical);
  });
});

describe('hostIsIpLiteral', () => {
  it.each([
    ['127.0.0.1', true],
    ['[::1]', true],
    ['::1', true],
    ['[::ffff:7f00:2]', true],
    ['8.8.8.8', true],
    ['example.com', false],
    ['localhost', false],
    ['1e100.net', false],
    ['example.com.', false],
    ['', false],
  ])('%s → %s', (hostname, expected) => {
    expect(hostIsIpLiteral(hostname)).toBe(expected);
  });
});
