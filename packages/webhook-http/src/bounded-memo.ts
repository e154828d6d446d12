import { LRUCache } from 'lru-cache';

/**
 * Memoises a pure function of a string (a webhook URL, say) for the hot path, keeping at
 * most `limit` results, the least recently used out first. Only for functions whose result
 * depends on nothing but the key, so a cached answer is the answer.
 *
 * lru-cache rather than a Map evicted through `keys().next()`: V8 keeps a Map's deleted
 * entries until it rehashes, so once such a Map is full every eviction walks past up to
 * tens of thousands of them (20–70 µs each at 100,000 entries).
 */
export function boundedMemo<Value>(limit: number, compute: (key: string) => Value): (key: string) => Value {
  // Boxed, so that an undefined result is remembered too (lru-cache stores no undefined).
  const results = new LRUCache<string, { value: Value }>({ max: limit });
  return (key) => {
    const cached = results.get(key);
    if (cached !== undefined) return cached.value;
    const value = compute(key);
    results.set(key, { value });
    return value;
  };
}
