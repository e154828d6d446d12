/** Pure helpers shared by the pages (unit-tested in format.test.ts). */

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  return date.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
}

/** "in 3 min", "2 h ago": for retry times and grace periods. */
export function relativeTime(iso: string, now: Date = new Date()): string {
  const ms = new Date(iso).getTime() - now.getTime();
  const abs = Math.abs(ms);
  const unit = abs < 60_000 ? [Math.round(abs / 1000), 's'] : abs < 3_600_000 ? [Math.round(abs / 60_000), 'min'] : abs < 172_800_000 ? [Math.round(abs / 3_600_000), 'h'] : [Math.round(abs / 86_400_000), 'd'];
  return ms >= 0 ? `in ${unit[0]} ${unit[1]}` : `${unit[0]} ${unit[1]} ago`;
}

/** Pretty JSON for display; the text is rendered as text, never as HTML. */
export function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? '';
}

/** Signature headers are masked by the API already; mask anything that still looks like one. */
export function maskHeaders(headers: Record<string, string> | null): Array<[string, string]> {
  if (!headers) return [];
  return Object.entries(headers).map(([name, value]) => [name, /signature|authorization|api-key/i.test(name) && value !== '<masked>' && !/^\*+$/.test(value) ? '••••••' : value]);
}

/** The default schedule has four retries; the attempts' own headers say what the deployment uses. */
export const DEFAULT_RETRY_LIMIT = 4;

/**
 * Automatic retries left for a call: none once it has ended; otherwise what its last
 * attempt announced in Dotfile-Remaining-Retry-Count.
 */
export function remainingRetries(call: { status: string; retry_count: number; attempts: ReadonlyArray<{ request_headers: Record<string, string> }> }): number {
  if (call.status === 'succeeded' || call.status === 'cancelled' || call.status === 'failed') return 0;
  const last = call.attempts[call.attempts.length - 1];
  const announced = Number(last?.request_headers['dotfile-remaining-retry-count']);
  if (last && Number.isInteger(announced) && announced >= 0) return announced;
  return Math.max(0, DEFAULT_RETRY_LIMIT - call.retry_count);
}

export function attemptOutcome(attempt: { status_code: number | null; error: string | null }): { ok: boolean; label: string } {
  const ok = attempt.error === null && attempt.status_code !== null && attempt.status_code >= 200 && attempt.status_code < 300;
  if (attempt.status_code !== null) return { ok, label: `HTTP ${attempt.status_code}` };
  return { ok, label: attempt.error ?? 'no answer' };
}

/** A datetime-local input's value (local time) to ISO, or undefined when empty or invalid. */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export function isoToLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export interface EventNode {
  type: string;
  description: string;
  children: Array<{ type: string; description: string }>;
}

/** The catalog as a tree: top-level events with their sub-events, grouped by family, in catalog order. */
export function eventTree(catalog: ReadonlyArray<{ type: string; family: string; parent: string | null; description: string }>): Array<{ family: string; events: EventNode[] }> {
  const families: Array<{ family: string; events: EventNode[] }> = [];
  const nodes = new Map<string, EventNode>();
  for (const entry of catalog) {
    if (entry.parent !== null) continue;
    let family = families.find((candidate) => candidate.family === entry.family);
    if (!family) {
      family = { family: entry.family, events: [] };
      families.push(family);
    }
    const node: EventNode = { type: entry.type, description: entry.description, children: [] };
    nodes.set(entry.type, node);
    family.events.push(node);
  }
  for (const entry of catalog) {
    if (entry.parent === null) continue;
    nodes.get(entry.parent)?.children.push({ type: entry.type, description: entry.description });
  }
  return families;
}

/** Sub-events already included by a selected top-level event. */
export function coveredByParent(selected: ReadonlySet<string>, catalog: ReadonlyArray<{ type: string; parent: string | null }>): Set<string> {
  const covered = new Set<string>();
  for (const entry of catalog) if (entry.parent !== null && selected.has(entry.parent)) covered.add(entry.type);
  return covered;
}

/** Why a webhook is offline, in words. */
/** A promoted webhook's retries, in words; undefined while they are normal. */
export function retryStateText(webhook: { retry_state: 'normal' | 'paused' | 'resuming'; retry_state_since: string | null }): string | undefined {
  const since = webhook.retry_state_since ? ` since ${formatDateTime(webhook.retry_state_since)}` : '';
  if (webhook.retry_state === 'paused') {
    return `Retries paused${since}: too many failed calls. First calls still go out; one paused retry is sent now and then as a probe, and they all resume once a probe succeeds.`;
  }
  if (webhook.retry_state === 'resuming') return `Retries resuming${since}: the paused retries are being sent, oldest first.`;
  return undefined;
}

/** A call log's reason, in words where the raw code says little. */
export function statusReasonText(reason: string): string {
  if (reason === 'retries_paused') return 'Retries paused: this retry waits until the webhook\'s retries resume';
  return reason;
}

export function offlineReasonText(reason: string | null): string {
  if (reason === 'failure_threshold') return 'Too many failed calls in the window: fix the endpoint, then set it back online.';
  if (reason === 'manual') return 'Set offline by hand.';
  return reason ? `Offline: ${reason}` : 'Offline';
}
