import { checkWebhookUrl, type WebhookUrlPolicy } from '@hookstream/target-safety';
import { ValidationError } from '../http/errors';
import type { RetryState, SortableField, Webhook, WebhookStatus } from './webhook-schemas';

// The pure rules of the webhooks API: sorting, filters, URL checks, secret rotation and the
// mapping of a row to the API's webhook object. No database, no clock (now is passed in).

export interface SortTerm {
  column: SortableField | 'id';
  order: 'asc' | 'desc';
}

/**
 * `name,created_at.desc` → ORDER BY name ASC, created_at DESC, id ASC. A field named twice
 * counts once (the first time); `id` always comes last so that pages never overlap or
 * skip rows that tie on the chosen fields. The format was already checked by the schema.
 */
export function parseSort(text: string): SortTerm[] {
  const terms: SortTerm[] = [];
  const seen = new Set<string>();
  for (const part of text.split(',')) {
    const [field, direction] = part.split('.') as [SortableField, string | undefined];
    if (seen.has(field)) continue;
    seen.add(field);
    terms.push({ column: field, order: direction === 'desc' ? 'desc' : 'asc' });
  }
  terms.push({ column: 'id', order: 'asc' });
  return terms;
}

/** Events in the order given, each once. */
export function uniqueEvents<T extends string>(events: readonly T[]): T[] {
  return [...new Set(events)];
}

export function splitEventsFilter(text: string | undefined): string[] | undefined {
  return text === undefined ? undefined : uniqueEvents(text.split(','));
}

/** A LIKE pattern matching `text` anywhere, with the wildcards in `text` taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/** docs/webhooks.md "Target safety", API side: a 400 naming the field, with the rule broken. */
export function assertAcceptableUrl(url: string, policy: WebhookUrlPolicy): string {
  const check = checkWebhookUrl(url, policy);
  if (!check.ok) throw ValidationError.forField('url', 'body', check.message);
  return url;
}

export interface SecretColumns {
  secret_encrypted: string;
  previous_secret_encrypted: string | null;
  previous_secret_expires_at: Date | null;
}

/**
 * A rotation: a new current secret; the current one becomes the previous one, used (as
 * Dotfile-Old-Signature) until the grace period ends. A rotation during another's grace
 * period drops the older previous secret: only two secrets are ever in use.
 */
export function rotatedSecretColumns(input: {
  currentEncrypted: string;
  newEncrypted: string;
  graceMs: number;
  now: Date;
}): SecretColumns {
  return {
    secret_encrypted: input.newEncrypted,
    previous_secret_encrypted: input.currentEncrypted,
    previous_secret_expires_at: new Date(input.now.getTime() + input.graceMs),
  };
}

export interface WebhookRow {
  id: string;
  workspace_id: string;
  name: string | null;
  url: string;
  events: string[];
  status: WebhookStatus;
  offline_reason: string | null;
  secret_encrypted: string;
  previous_secret_encrypted: string | null;
  previous_secret_expires_at: Date | null;
  failure_window_reset_at: Date;
  promoted: boolean;
  retry_state: RetryState;
  retry_state_since: Date | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

/** The API's webhook object; the expiry of the previous secret shows only while it runs. */
export function toWebhook(row: WebhookRow, decrypt: (stored: string) => string, now: Date): Webhook {
  const graceRunning =
    row.previous_secret_encrypted !== null && row.previous_secret_expires_at !== null && row.previous_secret_expires_at > now;
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    events: row.events,
    status: row.status,
    secret: decrypt(row.secret_encrypted),
    previous_secret_expires_at: graceRunning && row.previous_secret_expires_at ? row.previous_secret_expires_at.toISOString() : null,
    offline_reason: row.offline_reason,
    promoted: row.promoted,
    retry_state: row.retry_state,
    retry_state_since: row.retry_state_since ? row.retry_state_since.toISOString() : null,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
