/**
 * kafkajs asks the broker for a coordinator (FindCoordinator) before every coordinator
 * request and never remembers the answer: a transactional producer makes four such
 * lookups per transaction (AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit and
 * EndTxn each look theirs up), so the router's transactions spent 4 of their 9 round
 * trips, and the broker 40 % of the router's requests, on a question whose answer changes
 * only when a coordinator moves. The Java client remembers it until a request fails.
 *
 * This remembers each answer for a second. When a coordinator does move, requests to the
 * old one fail with NOT_COORDINATOR, kafkajs retries them with backoff, and within the
 * second the lookup is asked again. Failed lookups are never remembered.
 *
 * kafkajs 2.2.4 is the last release and its `Cluster` is internal: the package's version
 * is pinned by the lockfile, and an integration test in the test kit counts the lookups
 * against the real broker, so a change in kafkajs that defeats this shows up there.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- kafkajs' internal cluster class has no typings.
const Cluster = require('kafkajs/src/cluster') as { prototype: ClusterPrototype };

interface CoordinatorQuery {
  groupId: string;
  coordinatorType?: number;
}

interface ClusterPrototype {
  findGroupCoordinator(this: object, query: CoordinatorQuery): Promise<unknown>;
}

export const COORDINATOR_CACHE_TTL_MS = 1_000;

const PATCHED = Symbol.for('hookstream.kafkajs.coordinatorCache');
const prototype = Cluster.prototype as ClusterPrototype & { [PATCHED]?: true };

if (!prototype[PATCHED]) {
  const lookUp = prototype.findGroupCoordinator;
  const caches = new WeakMap<object, Map<string, { broker: Promise<unknown>; expiresAt: number }>>();
  prototype.findGroupCoordinator = function findGroupCoordinator(this: object, query: CoordinatorQuery) {
    let cache = caches.get(this);
    if (!cache) {
      cache = new Map();
      caches.set(this, cache);
    }
    const key = `${query.coordinatorType ?? 0}:${query.groupId}`;
    const now = Date.now();
    const cached = cache.get(key);
    if (cached && cached.expiresAt > now) return cached.broker;
    const broker = lookUp.call(this, query);
    const entry = { broker, expiresAt: now + COORDINATOR_CACHE_TTL_MS };
    cache.set(key, entry);
    broker.catch(() => {
      if (cache.get(key) === entry) cache.delete(key);
    });
    return broker;
  };
  prototype[PATCHED] = true;
}
