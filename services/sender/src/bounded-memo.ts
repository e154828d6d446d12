/**
 * Memoises a pure function of a string (a webhook URL, say) for the hot path, keeping at
 * most `limit` results: when full, the oldest entry goes first. Only for functions whose
 * result depends on nothing but the key, so a cached answer is the answer.
 */
export function boundedMemo<Value>(limit: number, compute: (key: string) => Value): (key: string) => Value {
  const results = new Map<string, Value>();
  return (key) => {
    if (results.has(key)) return results.get(key) as Value;
    const value = compute(key);
    if (results.size >= limit) {
      const oldest = results.keys().next().value;
      if (oldest !== undefined) results.delete(oldest);
    }
    results.set(key, value);
    return value;
  };
}
