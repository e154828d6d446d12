import ipaddr from 'ipaddr.js';

// Address classes of docs/webhooks.md "Target safety". Only ordinary global unicast
// ('public') may be dialled by default; everything else is refused unless an operator's
// allowlist includes it. The tables are data so the policy can be read in one place.

export type AddressClass =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link_local'
  | 'cgnat'
  | 'multicast'
  | 'broadcast'
  | 'documentation'
  | 'benchmarking'
  | 'reserved'
  | 'unique_local'
  | 'nat64'
  | '6to4'
  | 'teredo'
  | 'invalid';

export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

type RefusedClass = Exclude<AddressClass, 'public' | 'invalid'>;

function ranges(...cidrs: string[]): Array<[IpAddress, number]> {
  return cidrs.map((cidr) => ipaddr.parseCIDR(cidr));
}

// First match wins, so narrower classes come before the blocks that contain them
// (broadcast before 240.0.0.0/4; benchmarking and documentation before 2001::/23).
const IPV4_CLASSES: ReadonlyArray<[RefusedClass, Array<[IpAddress, number]>]> = [
  ['unspecified', ranges('0.0.0.0/8')], // RFC 1122 "this network"
  ['loopback', ranges('127.0.0.0/8')],
  ['private', ranges('10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16')], // RFC 1918
  ['link_local', ranges('169.254.0.0/16')], // RFC 3927; 169.254.169.254 is the cloud metadata endpoint
  ['cgnat', ranges('100.64.0.0/10')], // RFC 6598
  ['broadcast', ranges('255.255.255.255/32')],
  ['multicast', ranges('224.0.0.0/4')],
  ['documentation', ranges('192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24')], // RFC 5737
  ['benchmarking', ranges('198.18.0.0/15')], // RFC 2544
  [
    'reserved',
    ranges(
      '240.0.0.0/4', // RFC 1112 future use
      '192.0.0.0/24', // RFC 6890 IETF protocol assignments
      '192.88.99.0/24', // RFC 7526 deprecated 6to4 relay anycast
    ),
  ],
];

const IPV6_CLASSES: ReadonlyArray<[RefusedClass, Array<[IpAddress, number]>]> = [
  ['unspecified', ranges('::/128')],
  ['loopback', ranges('::1/128')],
  // IPv4-mapped addresses (::ffff:0:0/96) never get here: they are classified as their IPv4.
  ['nat64', ranges('64:ff9b::/96', '64:ff9b:1::/48', '::ffff:0:0:0/96')], // RFC 6052, RFC 8215, RFC 6145 (SIIT)
  ['link_local', ranges('fe80::/10')],
  ['unique_local', ranges('fc00::/7')], // RFC 4193
  ['multicast', ranges('ff00::/8')],
  ['6to4', ranges('2002::/16')], // RFC 3056: embeds any IPv4 address
  ['teredo', ranges('2001::/32')], // RFC 4380: embeds any IPv4 address
  ['benchmarking', ranges('2001:2::/48')], // RFC 5180
  ['documentation', ranges('2001:db8::/32', '3fff::/20')], // RFC 3849, RFC 9637
  ['reserved', ranges('2001::/23')], // RFC 2928 IETF protocol assignments
];

// Everything outside 2000::/3 (global unicast, RFC 4291 §2.4) is reserved by the IETF:
// IPv4-compatible ::a.b.c.d, site-local fec0::/10, discard 100::/64, and the like.
const IPV6_GLOBAL_UNICAST: [IpAddress, number] = ipaddr.parseCIDR('2000::/3');

/**
 * Parses an IP address as a URL host or a socket reports it: IPv4 in any form the WHATWG
 * URL parser also accepts (`2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1`, one trailing
 * dot), IPv6 with or without brackets. IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is returned as
 * its IPv4 address, since that is where a connection to it goes. Undefined if not an address.
 */
export function parseIpAddress(text: string): IpAddress | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const candidate = ipaddr.IPv4.isValid(bare.replace(/\.$/, '')) ? bare.replace(/\.$/, '') : bare;
  if (!ipaddr.isValid(candidate)) return undefined;
  const address = ipaddr.parse(candidate);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    return (address as ipaddr.IPv6).toIPv4Address();
  }
  return address;
}

/** Whether a URL hostname is an IP literal (IPv6 with or without brackets), as opposed to a name to resolve. */
export function hostIsIpLiteral(hostname: string): boolean {
  return parseIpAddress(hostname) !== undefined;
}

export function classifyParsedAddress(address: IpAddress): Exclude<AddressClass, 'invalid'> {
  const table = address.kind() === 'ipv4' ? IPV4_CLASSES : IPV6_CLASSES;
  for (const [addressClass, blocks] of table) {
    if (blocks.some((block) => block[0].kind() === address.kind() && address.match(block))) {
      return addressClass;
    }
  }
  if (address.kind() === 'ipv6' && !address.match(IPV6_GLOBAL_UNICAST)) {
    return 'reserved';
  }
  // A safety net for special ranges ipaddr.js knows and the tables above do not name
  // (AS112, AMT, ORCHID, ...): none of them is a place for a webhook receiver.
  return address.range() === 'unicast' ? 'public' : 'reserved';
}

/** The class of an address text; 'invalid' when it is not an IP address at all. */
export function classifyAddress(ip: string): AddressClass {
  const address = parseIpAddress(ip);
  return address === undefined ? 'invalid' : classifyParsedAddress(address);
}

const CLASS_DESCRIPTIONS: Record<AddressClass, string> = {
  public: 'a public address',
  unspecified: 'an unspecified address',
  loopback: 'a loopback address',
  private: 'a private (RFC 1918) address',
  link_local: 'a link-local address (this includes cloud metadata endpoints)',
  cgnat: 'a carrier-grade NAT (RFC 6598) address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  documentation: 'a documentation-only address',
  benchmarking: 'a benchmarking-only address',
  reserved: 'a reserved address',
  unique_local: 'a unique local (fc00::/7) address',
  nat64: 'an IPv4-translated (NAT64) address',
  '6to4': 'a 6to4 address',
  teredo: 'a Teredo address',
  invalid: 'not an IP address',
};

export function describeAddressClass(addressClass: AddressClass): string {
  return CLASS_DESCRIPTIONS[addressClass];
}
