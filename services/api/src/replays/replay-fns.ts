import { matchSubscription } from '@hookstream/events';
import type { FieldProblem } from '../http/errors';
import { MAX_REPLAY_RANGE_DAYS } from './replay-schemas';

const DAY_MS = 86_400_000;

/**
 * The range a replay covers, or what is wrong with it: `to` must come after `from`, at
 * most 30 days later, and `from` must not be in the future. A `to` in the future is taken
 * as now: the log holds nothing later.
 */
export function replayRange(
  input: { from: string; to: string },
  now: Date,
): { ok: true; from: Date; to: Date } | { ok: false; problems: FieldProblem[] } {
  const from = new Date(input.from);
  const to = new Date(input.to);
  const problems: FieldProblem[] = [];
  if (from.getTime() > now.getTime()) problems.push({ field: 'from', location: 'body', message: 'must not be in the future' });
  if (to.getTime() <= from.getTime()) problems.push({ field: 'to', location: 'body', message: 'must be after `from`' });
  else if (to.getTime() - from.getTime() > MAX_REPLAY_RANGE_DAYS * DAY_MS) {
    problems.push({ field: 'to', location: 'body', message: `must be at most ${MAX_REPLAY_RANGE_DAYS} days after \`from\`` });
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, from, to: to.getTime() > now.getTime() ? now : to };
}

/**
 * The event types asked for that the webhook does not get now (neither subscribed to them
 * nor to their parent), as field problems naming what it does get.
 */
export function unsubscribedEvents(events: readonly string[], subscribed: readonly string[]): FieldProblem[] {
  const set = new Set(subscribed);
  const listed = [...set].join(', ');
  return events.flatMap((event, index) =>
    matchSubscription(event, set)
      ? []
      : [{ field: `events.${index}`, location: 'body' as const, message: `the webhook is not subscribed to ${event}; it gets: ${listed}` }],
  );
}
