import type { LookupAddress } from 'node:dns';
import { parseCidrList } from '@hookstream/target-safety';
import { createGuardedLookup, TargetRefusedError } from './safe-connector';

/** The resolver is a stand-in: these tests never resolve or dial anything. */
function resolvingTo(addresses: LookupAddress[]) {
  return (_hostname: string, _options: object, callback: (error: NodeJS.ErrnoException | null, result: LookupAddress[]) => void) =>
    callback(null, addresses);
}

function lookup(addresses: LookupAddress[], all: boolean, allowlist = '') {
  const guarded = createGuardedLookup(parseCidrList(allowlist), resolvingTo(addresses));
  return new Promise<{ error: Error | null; result: unknown; family?: number }>((resolve) =>
    guarded('hooks.example', { all }, (error, result, family) => resolve({ error, result, family })),
  );
}

describe('createGuardedLookup (DNS answers checked before connecting)', () => {
  it('passes public addresses through', async () => {
    await expect(lookup([{ address: '93.184.216.34', family: 4 }], false)).resolves.toEqual({ error: null, result: '93.184.216.34', family: 4 });
  });

  it.each([
    ['cloud metadata', '169.254.169.254', 4],
    ['RFC 1918', '10.0.0.7', 4],
    ['loopback outside the allowlist', '127.0.0.2', 4],
    ['IPv6 loopback', '::1', 6],
    ['IPv4-mapped private', '::ffff:192.168.1.1', 6],
    ['CGNAT', '100.64.0.1', 4],
  ])('refuses a name that resolves to %s (%s)', async (_label, address, family) => {
    const { error } = await lookup([{ address, family }], false, '127.0.0.1/32');
    expect(error).toBeInstanceOf(TargetRefusedError);
  });

  it('keeps only the allowed answers of a name resolving to both (DNS rebinding)', async () => {
    const { error, result } = await lookup(
      [
        { address: '10.0.0.1', family: 4 },
        { address: '93.184.216.34', family: 4 },
      ],
      true,
    );
    expect(error).toBeNull();
    expect(result).toEqual([{ address: '93.184.216.34', family: 4 }]);
  });

  it('allows what the operator allowlisted', async () => {
    await expect(lookup([{ address: '127.0.0.1', family: 4 }], false, '127.0.0.1/32')).resolves.toMatchObject({ error: null, result: '127.0.0.1' });
  });
});
