import { decodeMessage, outcomeMessageSchema, type OutcomeMessage } from '@hookstream/messages';

/** Why an outcome was skipped; the `reason` label of hookstream_health_outcomes_undecodable_total. */
export type UndecodableReason = 'empty' | 'not_json' | 'schema_invalid' | 'identifier_invalid';

export type OutcomeDecoding = { ok: true; outcome: OutcomeMessage } | { ok: false; reason: UndecodableReason; detail: string };

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Bytes of a webhook-outcomes message to an outcome, or the reason it cannot be one. A
 * skipped outcome is counted and logged by the caller; it never stops the partition.
 * The call log keys workspaces and domain events by UUID (the contract allows any
 * string), so an outcome naming other identifiers could never be stored: skipping it
 * here keeps one bad message from failing the whole batch's transaction forever.
 */
export function decodeOutcome(value: Buffer | null): OutcomeDecoding {
  if (value === null || value.length === 0) return { ok: false, reason: 'empty', detail: 'empty message value' };
  const decoded = decodeMessage(outcomeMessageSchema, value);
  if (!decoded.ok) {
    return { ok: false, reason: isJson(value) ? 'schema_invalid' : 'not_json', detail: decoded.error };
  }
  const outcome = decoded.value;
  for (const [field, identifier] of [
    ['workspace_id', outcome.workspace_id],
    ['domain_event_id', outcome.domain_event_id],
  ] as const) {
    if (!UUID_PATTERN.test(identifier)) {
      return { ok: false, reason: 'identifier_invalid', detail: `${field} is not a UUID` };
    }
  }
  return { ok: true, outcome };
}

function isJson(value: Buffer): boolean {
  try {
    JSON.parse(value.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}
