import type { Knex } from '@hookstream/db';
import { LRUCache } from 'lru-cache';

export interface CallState {
  succeeded: boolean;
  /** The highest retry number attempted (0 after the first call). */
  retryCount: number;
}

/**
 * What the sender needs to know before an automatic retry: did the call succeed since
 * (a manual retry), or did a failed manual retry already take this retry number? The
 * call log (written by the health service) says so durably; outcomes this process has
 * produced in the last moments are remembered too, since the log trails by up to a second.
 * (lru-cache, not a Map evicted through `keys().next()`: see bounded-memo.ts.)
 */
export function createCallStateReader(knex: Knex, rememberedCalls = 100_000) {
  const recent = new LRUCache<string, CallState>({ max: rememberedCalls });

  // The latest attempt decides, as in the call log: a replay that fails after the call had
  // succeeded leaves the call failing, and its retries must go out.
  const merge = (a: CallState | undefined, b: CallState | undefined): CallState | undefined => {
    if (!a) return b;
    if (!b) return a;
    if (a.retryCount !== b.retryCount) return a.retryCount > b.retryCount ? a : b;
    return { succeeded: a.succeeded || b.succeeded, retryCount: a.retryCount };
  };

  return {
    remember(eventId: string, state: CallState): void {
      recent.set(eventId, merge(recent.get(eventId), state) as CallState);
    },
    async read(eventId: string): Promise<CallState | undefined> {
      const row: { status: string; retry_count: number } | undefined = await knex('calls')
        .select('status', 'retry_count')
        .where({ event_id: eventId })
        .first();
      const stored = row ? { succeeded: row.status === 'succeeded', retryCount: row.retry_count } : undefined;
      return merge(stored, recent.get(eventId));
    },
  };
}

export type CallStateReader = ReturnType<typeof createCallStateReader>;
