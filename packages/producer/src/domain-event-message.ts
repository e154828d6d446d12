import { randomUUID } from 'node:crypto';
import { validateDomainEvent, type DomainEvent, type EventType } from '@hookstream/events';

/** What a producer fills in; the library completes the envelope of docs/producing-events.md. */
export interface DomainEventInput<Type extends EventType = EventType> {
  /** Chosen by the producer; generated when absent. Publishing the same id twice yields one call. */
  id?: string;
  type: Type;
  occurredAt?: Date;
  workspace: { id: string; name: string };
  entity: { id: string } & Record<string, unknown>;
  /** The context subsets the event's family needs (docs/webhooks.md). */
  context?: Record<string, unknown>;
}

export class InvalidDomainEventError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(`invalid domain event (${reason}): ${message}`);
    this.name = 'InvalidDomainEventError';
  }
}

/**
 * Builds and validates the envelope with the same rules the router applies, so that a
 * producer learns of a mistake when it publishes, not from the dead-letter topic.
 */
export function buildDomainEvent(input: DomainEventInput, now: () => Date = () => new Date()): DomainEvent {
  const envelope = {
    id: input.id ?? randomUUID(),
    type: input.type,
    occurred_at: (input.occurredAt ?? now()).toISOString(),
    workspace: input.workspace,
    entity: input.entity,
    context: input.context ?? {},
  };
  const validation = validateDomainEvent(envelope);
  if (!validation.ok) throw new InvalidDomainEventError(validation.reason, validation.message);
  return validation.event;
}

/** The Avro form: entity and context travel as JSON text (see schemas/domain-event.avsc). */
export function toAvroRecord(event: DomainEvent): Record<string, unknown> {
  return { ...event, entity: JSON.stringify(event.entity), context: JSON.stringify(event.context) };
}
