import { parseIpAddress } from './address-class';
import { cidrContains, formatCidr, parseCidrList } from './cidr';

// WEBHOOK_ALLOWED_CIDRS (docs/webhooks.md "Target safety").
describe('parseCidrList', () => {
  it.each([
    ['', []],
    ['   ', []],
    ['127.0.0.1/32', ['127.0.0.1/32']],
    ['127.0.0.1', ['127.0.0.1/32']],
    ['::1', ['::1/128']],
    ['10.0.0.0/8,192.168.0.0/16', ['10.0.0.0/8', '192.168.0.0/16']],
    ['10.0.0.0/8, 192.168.0.0/16', ['10.0.0.0/8', '192.168.0.0/16']],
    ['10.0.0.0/8 fd00::/8\n127.0.0.1', ['10.0.0.0/8', 'fd00::/8', '127.0.0.1/32']],
    [',10.0.0.0/8,,', ['10.0.0.0/8']],
    ['10.1.2.3/8', ['10.0.0.0/8']], // host bits cleared
    ['FD00:0000::1/8', ['fd00::/8']],
    ['::ffff:127.0.0.1/128', ['127.0.0.1/32']], // mapped blocks compare as IPv4
    ['::ffff:10.0.0.0/104', ['10.0.0.0/8']],
    ['0.0.0.0/0', ['0.0.0.0/0']],
  ])('%j → %j', (text, expected) => {
    expect(parseCidrList(text).map(formatCidr)).toEqual(expected);
  });

  it('returns plain data', () => {
    expect(parseCidrList('127.0.0.1/32')).toEqual([{ family: 'ipv4', network: '127.0.0.1', prefixLength: 32 }]);
  });

  it.each([
    ['not-an-ip', 'not-an-ip'],
    ['10.0.0.0/33', '10.0.0.0/33'],
    ['::/129', '::/129'],
    ['10.0.0.0/', '10.0.0.0/'],
    ['10.0.0.0/-1', '10.0.0.0/-1'],
    ['10.0.0.0/8/8', '10.0.0.0/8/8'],
    ['10.0.0.0/x', '10.0.0.0/x'],
    ['127.1', '127.1'], // shorthand forms are ambiguous in configuration
    ['010.0.0.0/8', '010.0.0.0/8'],
    ['2130706433', '2130706433'],
    ['fe80::1%eth0', 'fe80::1%eth0'],
    ['127.0.0.1/32;10.0.0.0/8', '127.0.0.1/32;10.0.0.0/8'],
  ])('throws on %j, naming the entry', (text, entry) => {
    expect(() => parseCidrList(`127.0.0.1/32, ${text}`)).toThrow(`"${entry}"`);
  });
});

describe('cidrContains', () => {
  const [loopbackOne, uniqueLocal] = parseCidrList('127.0.0.1/32 fd00::/8');
  if (loopbackOne === undefined || uniqueLocal === undefined) throw new Error('fixture');

  it.each([
    [loopbackOne, '127.0.0.1', true],
    [loopbackOne, '127.0.0.2', false],
    [loopbackOne, '::ffff:127.0.0.1', true],
    [loopbackOne, '::1', false],
    [uniqueLocal, 'fd12::1', true],
    [uniqueLocal, 'fc00::1', false],
    [uniqueLocal, '10.0.0.1', false],
  ])('%j contains %s: %s', (cidr, ip, expected) => {
    const address = parseIpAddress(ip);
    if (address === undefined) throw new Error(ip);
    expect(cidrContains(cidr, address)).toBe(expected);
  });
});
