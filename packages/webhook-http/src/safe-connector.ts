import dns from 'node:dns';
import type { LookupAddress } from 'node:dns';
import { buildConnector } from 'undici';
import { checkAddress, hostIsIpLiteral, type Cidr } from '@hookstream/target-safety';

/** A target refused by the safety rules (docs/webhooks.md "Target safety"). */
export class TargetRefusedError extends Error {
  readonly code = 'HOOKSTREAM_TARGET_REFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'TargetRefusedError';
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net.connect that resolves the name and keeps only the addresses the
 * rules allow. The connection can only use what this returns, so a name that resolves
 * (or re-resolves: DNS rebinding) to a private address is refused at connect time.
 */
export function createGuardedLookup(
  allowlist: readonly Cidr[],
  resolve: (hostname: string, options: dns.LookupAllOptions, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void = dns.lookup,
) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const allowed = addresses.filter((entry) => checkAddress(entry.address, allowlist).allowed);
      if (allowed.length === 0) {
        const first = addresses[0];
        const refusal = first ? checkAddress(first.address, allowlist) : undefined;
        const reason = refusal && !refusal.allowed ? refusal.reason : 'no address';
        return callback(new TargetRefusedError(`${hostname} resolves to a refused address: ${reason}`), []);
      }
      if (options.all) return callback(null, allowed);
      const chosen = allowed[0] as LookupAddress;
      return callback(null, chosen.address, chosen.family);
    });
  };
}

/**
 * undici's connector with the target checks: IP literals are checked before any packet
 * is sent, names through the guarded lookup, and the socket's actual peer address once
 * more after connecting (defence in depth).
 */
export function createSafeConnector(options: {
  allowlist: readonly Cidr[];
  connectTimeoutMs: number;
  /** How names are resolved (default `dns.lookup`); the guarded lookup checks its answers. */
  resolve?: Parameters<typeof createGuardedLookup>[1];
}): buildConnector.connector {
  const base = buildConnector({ timeout: options.connectTimeoutMs, lookup: createGuardedLookup(options.allowlist, options.resolve) } as buildConnector.BuildOptions);
  return (connectOptions, callback) => {
    const host = connectOptions.hostname.replace(/^\[|\]$/g, '');
    if (hostIsIpLiteral(host)) {
      const check = checkAddress(host, options.allowlist);
      if (!check.allowed) {
        callback(new TargetRefusedError(`${host} is refused: ${check.reason}`), null);
        return;
      }
    }
    base(connectOptions, (error, socket) => {
      if (error || !socket) {
        callback(error ?? new Error('connection failed'), null);
        return;
      }
      const peer = socket.remoteAddress;
      if (peer) {
        const check = checkAddress(peer, options.allowlist);
        if (!check.allowed) {
          socket.destroy();
          callback(new TargetRefusedError(`connected peer ${peer} is refused: ${check.reason}`), null);
          return;
        }
      }
      callback(null, socket);
    });
  };
}
