/**
 * The errors a service logged (pino JSON lines at level error or fatal, or plain lines
 * naming an error), grouped by message: a figure measured while a service was failing
 * must say so beside it.
 */
export function summarizeServiceErrors(output: string, limit = 5): Array<{ message: string; count: number }> {
  const counts = new Map<string, number>();
  for (const line of output.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{')) continue;
    let entry: { level?: unknown; msg?: unknown; err?: { message?: unknown } };
    try {
      entry = JSON.parse(trimmed) as typeof entry;
    } catch {
      continue;
    }
    if (entry.level !== 'error' && entry.level !== 'fatal' && !(typeof entry.level === 'number' && entry.level >= 50)) continue;
    const detail = typeof entry.err?.message === 'string' ? `: ${entry.err.message}` : '';
    const message = `${typeof entry.msg === 'string' ? entry.msg : '(no message)'}${detail}`.slice(0, 160);
    counts.set(message, (counts.get(message) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([message, count]) => ({ message, count }));
}
