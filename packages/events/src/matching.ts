import { getEventDefinition } from './catalog';

/** What one webhook receives for one domain event: `event` always, `sub_event` only under rule 1. */
export interface SubscriptionMatch {
  event: string;
  subEvent?: string;
}

/**
 * The matching rule of docs/webhooks.md "Top-level events and sub-events": at most one delivery per webhook per
 * domain event, and the top-level event is always the one delivered when it is subscribed.
 *
 * 1. the type has a parent P and P ∈ subscribed → { event: P, subEvent: type }
 * 2. else the type ∈ subscribed → { event: type }
 * 3. else → undefined
 */
export function matchSubscription(eventType: string, subscribed: ReadonlySet<string>): SubscriptionMatch | undefined {
  const parent = getEventDefinition(eventType)?.parent;
  if (parent !== undefined && subscribed.has(parent)) {
    return { event: parent, subEvent: eventType };
  }
  if (subscribed.has(eventType)) {
    return { event: eventType };
  }
  return undefined;
}
