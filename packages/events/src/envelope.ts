import { z } from 'zod';
import {
  type ContextKey,
  type ContextRequirement,
  type EventType,
  getEventDefinition,
  getFamilyDefinition,
} from './catalog';

// The producers' contract of docs/producing-events.md. The schema checks the envelope's shape;
// the catalog then decides whether the type is known and the family's context is there.
// Each failure kind is a separate DLQ reason (docs/producing-events.md "Dead-letter topic").

const isoDateTimeWithOffset = z.iso.datetime({ offset: true });

export const domainEventEnvelopeSchema = z.object({
  id: z.uuid(),
  type: z.string().min(1),
  occurred_at: isoDateTimeWithOffset,
  workspace: z.object({ id: z.string().min(1), name: z.string() }),
  // Entities and context subsets are free-form objects owned by the producers: only the
  // entity's id is required, everything else is passed through to the receiver.
  entity: z.looseObject({ id: z.string().min(1) }),
  context: z.record(z.string(), z.unknown()).optional(),
});

export type EntityObject = { id: string } & Record<string, unknown>;

export interface DomainEvent {
  id: string;
  type: EventType;
  occurred_at: string;
  workspace: { id: string; name: string };
  entity: EntityObject;
  /** The family's context subsets (`case`, `note`, `individual`, `company`); `{}` when absent. */
  context: Record<string, unknown>;
}

export type DomainEventRejection = 'schema_invalid' | 'unknown_type' | 'context_missing';

export type DomainEventValidation =
  | { ok: true; event: DomainEvent }
  | { ok: false; reason: DomainEventRejection; message: string };

export function validateDomainEvent(value: unknown): DomainEventValidation {
  const parsed = domainEventEnvelopeSchema.safeParse(value);
  if (!parsed.success) {
    return { ok: false, reason: 'schema_invalid', message: describeSchemaIssues(parsed.error.issues) };
  }
  const envelope = parsed.data;

  const definition = getEventDefinition(envelope.type);
  if (definition === undefined) {
    return {
      ok: false,
      reason: 'unknown_type',
      message: `type: "${envelope.type}" is not an event type of the catalog (docs/webhooks.md)`,
    };
  }

  // zod has checked them, but its output re-orders keys; the receiver gets the producer's
  // objects exactly as sent (docs/webhooks.md: "passed through unchanged").
  const original = value as { entity: EntityObject; context?: Record<string, unknown> };
  const context = original.context ?? {};

  const unmet = getFamilyDefinition(definition.family).requiredContext.filter(
    (requirement) => !isRequirementMet(requirement, context),
  );
  if (unmet.length > 0) {
    return {
      ok: false,
      reason: 'context_missing',
      message: `${unmet.map(describeRequirement).join('; ')} (required for ${definition.family} events, docs/webhooks.md)`,
    };
  }

  return {
    ok: true,
    event: {
      id: envelope.id,
      type: definition.type,
      occurred_at: envelope.occurred_at,
      workspace: envelope.workspace,
      entity: original.entity,
      context,
    },
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRequirementMet(requirement: ContextRequirement, context: Record<string, unknown>): boolean {
  const alternatives: readonly ContextKey[] = typeof requirement === 'string' ? [requirement] : requirement.anyOf;
  return alternatives.some((key) => isPlainObject(context[key]));
}

function describeRequirement(requirement: ContextRequirement): string {
  const alternatives: readonly ContextKey[] = typeof requirement === 'string' ? [requirement] : requirement.anyOf;
  return `${alternatives.map((key) => `context.${key}`).join(' or ')} must be an object`;
}

function describeSchemaIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => `${issue.path.length === 0 ? '(envelope)' : issue.path.join('.')}: ${issue.message}`)
    .join('; ');
}
