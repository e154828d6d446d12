import ipaddr from 'ipaddr.js';
import type { IpAddress } from './address-class';

/** One allowlisted block, as plain data. IPv4-mapped IPv6 blocks are stored as IPv4. */
export interface Cidr {
  family: 'ipv4' | 'ipv6';
  /** The network address in canonical form (host bits cleared). */
  network: string;
  prefixLength: number;
}

const EXAMPLES = 'expected an IPv4 or IPv6 address with an optional /prefix, e.g. 127.0.0.1/32 or fd00::/8';

/**
 * Parses `WEBHOOK_ALLOWED_CIDRS` (docs/webhooks.md "Target safety"): entries separated by
 * commas and/or whitespace; a bare address is a single-address block (/32 or /128). Throws
 * an Error naming the first bad entry, so a typo stops the service at start-up instead of
 * silently allowing nothing (or too much).
 *
 * IPv4 must be written as four decimal parts: the shorthand and octal forms URLs accept
 * (`127.1`, `010.0.0.1`) are ambiguous to a reader of an operator's configuration.
 */
export function parseCidrList(text: string): Cidr[] {
  return text
    .split(/[\s,]+/)
    .filter((entry) => entry !== '')
    .map(parseCidr);
}

export function parseCidr(entry: string): Cidr {
  const [addressPart, prefixPart, ...rest] = entry.split('/');
  if (addressPart === undefined || rest.length > 0 || addressPart.includes('%') || (prefixPart !== undefined && !/^\d{1,3}$/.test(prefixPart))) {
    throw new Error(`Invalid CIDR "${entry}": ${EXAMPLES}`);
  }

  let network: IpAddress;
  if (ipaddr.IPv4.isValidFourPartDecimal(addressPart)) {
    network = ipaddr.IPv4.parse(addressPart);
  } else if (ipaddr.IPv6.isValid(addressPart)) {
    network = ipaddr.IPv6.parse(addressPart);
  } else {
    throw new Error(`Invalid CIDR "${entry}": "${addressPart}" is not an IP address (${EXAMPLES})`);
  }

  const maximumPrefix = network.kind() === 'ipv4' ? 32 : 128;
  const prefixLength = prefixPart === undefined ? maximumPrefix : Number(prefixPart);
  if (prefixLength > maximumPrefix) {
    throw new Error(`Invalid CIDR "${entry}": the prefix length of an ${network.kind()} block is at most ${maximumPrefix}`);
  }

  // Compare IPv4-mapped IPv6 as IPv4, the way addresses are compared (see parseIpAddress).
  if (network.kind() === 'ipv6' && (network as ipaddr.IPv6).isIPv4MappedAddress() && prefixLength >= 96) {
    return toCidr((network as ipaddr.IPv6).toIPv4Address(), prefixLength - 96);
  }
  return toCidr(network, prefixLength);
}

function toCidr(address: IpAddress, prefixLength: number): Cidr {
  const network =
    address.kind() === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${prefixLength}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${prefixLength}`);
  return { family: address.kind(), network: network.toString(), prefixLength };
}

export function formatCidr(cidr: Cidr): string {
  return `${cidr.network}/${cidr.prefixLength}`;
}

/** Whether the block contains the address; an address of the other family is never contained. */
export function cidrContains(cidr: Cidr, address: IpAddress): boolean {
  if (address.kind() !== cidr.family) return false;
  return address.match(ipaddr.parse(cidr.network), cidr.prefixLength);
}
