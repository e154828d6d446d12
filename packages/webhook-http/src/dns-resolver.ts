import type { LookupAddress, LookupAllOptions } from 'node:dns';
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { LRUCache } from 'lru-cache';

export interface CachingResolverOptions {
  /** DNS servers (`host` or `host:port`); empty: the system's (/etc/resolv.conf). */
  servers?: readonly string[];
  /** How long one query waits for an answer before c-ares tries again (twice in all). */
  timeoutMs: number;
  /** Names whose answers are kept (least recently used go first). */
  maxNames?: number;
  /** Answers are kept for their TTL, at most this long... */
  maxTtlMs?: number;
  /** ...and at least this long (a TTL of 0 would mean a query per connection). */
  minTtlMs?: number;
  /** How long "no such name" is remembered. */
  negativeTtlMs?: number;
  /** Told how each lookup was answered (for a metric). */
  onLookup?: (result: LookupResult) => void;
}

/** How a lookup was answered: without a server (localhost, IP literal), from the cache, by a query, or not at all. */
export type LookupResult = 'local' | 'cached' | 'resolved' | 'failed';

type Answer = { addresses: LookupAddress[] } | { error: NodeJS.ErrnoException };

/** Codes of a definite "this name has no address": remembered briefly, unlike a failing server. */
const NO_SUCH_NAME = new Set(['ENOTFOUND', 'ENODATA']);

const LOCALHOST: LookupAddress[] = [
  { address: '127.0.0.1', family: 4 },
  { address: '::1', family: 6 },
];

/**
 * Resolves webhook host names with c-ares (`dns.promises.Resolver`), which runs on the
 * event loop, not on libuv's four-thread pool where `dns.lookup` (getaddrinfo) runs: four
 * slow resolutions there would stall every call. Answers are cached for their TTL (bounded
 * in number of names and in time), each name is asked at most once at a time however many
 * connections want it, and `localhost` and IP literals never reach a server. The caller
 * checks the addresses (see createGuardedLookup): nothing here decides what may be dialled.
 */
export function createCachingResolver(options: CachingResolverOptions) {
  const resolver = new Resolver({ timeout: options.timeoutMs, tries: 2 });
  if (options.servers && options.servers.length > 0) resolver.setServers([...options.servers]);
  const maxTtlMs = options.maxTtlMs ?? 300_000;
  const minTtlMs = options.minTtlMs ?? 1_000;
  const negativeTtlMs = options.negativeTtlMs ?? 5_000;
  const cache = new LRUCache<string, Answer>({ max: options.maxNames ?? 10_000 });
  const pending = new Map<string, Promise<Answer>>();

  async function query(hostname: string): Promise<Answer> {
    const [v4, v6] = await Promise.allSettled([resolver.resolve4(hostname, { ttl: true }), resolver.resolve6(hostname, { ttl: true })]);
    const addresses: LookupAddress[] = [];
    let ttlSeconds = Number.POSITIVE_INFINITY;
    if (v4.status === 'fulfilled') {
      for (const record of v4.value) {
        addresses.push({ address: record.address, family: 4 });
        ttlSeconds = Math.min(ttlSeconds, record.ttl);
      }
    }
    if (v6.status === 'fulfilled') {
      for (const record of v6.value) {
        addresses.push({ address: record.address, family: 6 });
        ttlSeconds = Math.min(ttlSeconds, record.ttl);
      }
    }
    if (addresses.length > 0) {
      const answer = { addresses };
      cache.set(hostname, answer, { ttl: Math.min(maxTtlMs, Math.max(minTtlMs, ttlSeconds * 1_000)) });
      return answer;
    }
    const failure = (v4.status === 'rejected' ? v4.reason : v6.status === 'rejected' ? v6.reason : undefined) as NodeJS.ErrnoException | undefined;
    const error = failure ?? Object.assign(new Error(`${hostname} has no address`), { code: 'ENODATA', hostname });
    if (NO_SUCH_NAME.has(error.code ?? '')) cache.set(hostname, { error }, { ttl: negativeTtlMs });
    return { error };
  }

  const told = (result: LookupResult) => options.onLookup?.(result);

  function resolveName(hostname: string): Promise<Answer> {
    const name = hostname.toLowerCase();
    const literal = isIP(name);
    if (literal) {
      told('local');
      return Promise.resolve({ addresses: [{ address: name, family: literal }] });
    }
    if (name === 'localhost' || name.endsWith('.localhost')) {
      told('local');
      return Promise.resolve({ addresses: LOCALHOST });
    }
    const cached = cache.get(name);
    if (cached) {
      told('error' in cached ? 'failed' : 'cached');
      return Promise.resolve(cached);
    }
    let inFlight = pending.get(name);
    if (!inFlight) {
      inFlight = query(name).finally(() => pending.delete(name));
      pending.set(name, inFlight);
    }
    return inFlight.then((answer) => {
      told('error' in answer ? 'failed' : 'resolved');
      return answer;
    });
  }

  return {
    /** In the shape of `dns.lookup` with `all: true`, for createGuardedLookup. */
    lookup(hostname: string, lookupOptions: LookupAllOptions, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void): void {
      resolveName(hostname).then(
        (answer) => {
          if ('error' in answer) return callback(answer.error, []);
          const family = lookupOptions.family === 'IPv4' ? 4 : lookupOptions.family === 'IPv6' ? 6 : lookupOptions.family;
          const addresses = family === 4 || family === 6 ? answer.addresses.filter((entry) => entry.family === family) : answer.addresses;
          if (addresses.length === 0) return callback(Object.assign(new Error(`${hostname} has no IPv${family} address`), { code: 'ENODATA', hostname }), []);
          return callback(null, addresses);
        },
        (error: NodeJS.ErrnoException) => callback(error, []),
      );
    },
    /** Names whose answers are kept now. */
    get cachedNames(): number {
      return cache.size;
    },
    close(): void {
      resolver.cancel();
      cache.clear();
    },
  };
}

export type CachingResolver = ReturnType<typeof createCachingResolver>;
