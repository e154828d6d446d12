import type { Knex } from 'knex';
import type { SecretBox } from '../secret-box';

/** The state of a webhook's automatic retries (promoted webhooks only leave `normal`). */
export type RetryState = 'normal' | 'paused' | 'resuming';

/** A webhook as the router and sender see it. */
export interface WebhookState {
  id: string;
  workspaceId: string;
  url: string;
  events: ReadonlySet<string>;
  status: 'online' | 'offline';
  deleted: boolean;
  /** Never set offline by the failure rule: its automatic retries pause instead (docs/webhooks.md "Promoted webhooks"). */
  promoted: boolean;
  /** `paused` or `resuming`: its automatic retries are parked as they fall due. */
  retryState: RetryState;
  /** When it was deleted; undefined while it is not. */
  deletedAt?: Date;
  /** Present only in a view built with a secret box (the sender's). */
  secret?: string;
  previousSecret?: string;
  previousSecretExpiresAt?: Date;
}

export interface WebhookView {
  /** Loads every webhook, then keeps the view fresh in the background. */
  start(): Promise<void>;
  stop(): void;
  get(webhookId: string): WebhookState | undefined;
  /** Online, not deleted webhooks of a workspace (its id in any case: UUIDs ignore it). */
  onlineWebhooksOf(workspaceId: string): readonly WebhookState[];
  /** How many webhooks the view holds (deleted ones included until forgotten). */
  size(): number;
  /** The last refresh succeeded recently enough for routing decisions to be trusted. */
  isFresh(): boolean;
  refreshNow(): Promise<void>;
}

interface WebhookRow {
  id: string;
  workspace_id: string;
  url: string;
  events: string[];
  status: 'online' | 'offline';
  promoted: boolean;
  retry_state: RetryState;
  deleted_at: Date | null;
  updated_at: Date;
  secret_encrypted?: string;
  previous_secret_encrypted?: string | null;
  previous_secret_expires_at?: Date | null;
}

/**
 * An in-memory view of the webhooks table, so that routing and sending need no query per
 * event. It re-reads rows changed since its last refresh every `refreshIntervalMs`
 * (500 ms by default, well inside the 2 s in which a change must take effect), with an
 * overlap so that a transaction committed late with an earlier `updated_at` is not missed.
 * Deletions are soft (`deleted_at`), so they reach the view like any other change; a
 * deleted webhook is kept (so that its pending retries are told why they are not sent)
 * for `forgetDeletedAfterMs`, then dropped, so the view holds the live webhooks and
 * those deleted lately, never every webhook ever created.
 *
 * A row the view cannot use (a secret that does not decrypt, under another key or
 * damaged) is reported through `onBadRow` and left out of the view, as if the webhook did
 * not exist: it neither stops the view from starting nor holds back the other rows.
 * The view takes it again once the row is fixed (any update does).
 */
export function createWebhookView(options: {
  knex: Knex;
  secretBox?: SecretBox;
  refreshIntervalMs?: number;
  /** How long a deleted webhook stays in the view; 48 h by default (past the 40 h of retries). */
  forgetDeletedAfterMs?: number;
  onError?: (error: unknown) => void;
  /** A row left out of the view, and why (the error never holds the secret). */
  onBadRow?: (webhookId: string, error: unknown) => void;
}): WebhookView {
  const refreshIntervalMs = options.refreshIntervalMs ?? 500;
  const forgetDeletedAfterMs = options.forgetDeletedAfterMs ?? 48 * 3_600_000;
  const overlapMs = 5_000;
  const byId = new Map<string, WebhookState>();
  /** Rows left out of the view: id → the `updated_at` (ms) of the version reported. */
  const badRows = new Map<string, number>();
  let byWorkspace = new Map<string, WebhookState[]>();
  let watermark: Date | undefined;
  let lastSuccess = 0;
  let timer: NodeJS.Timeout | undefined;
  let refreshing: Promise<void> | undefined;

  const columns = ['id', 'workspace_id', 'url', 'events', 'status', 'promoted', 'retry_state', 'deleted_at', 'updated_at'];
  if (options.secretBox) columns.push('secret_encrypted', 'previous_secret_encrypted', 'previous_secret_expires_at');

  const toState = (row: WebhookRow): WebhookState => {
    const state: WebhookState = {
      id: row.id,
      workspaceId: row.workspace_id,
      url: row.url,
      events: new Set(row.events),
      status: row.status,
      deleted: row.deleted_at !== null,
      promoted: row.promoted,
      retryState: row.retry_state,
    };
    if (row.deleted_at !== null) state.deletedAt = row.deleted_at;
    if (options.secretBox && row.secret_encrypted) {
      state.secret = options.secretBox.decrypt(row.secret_encrypted);
      if (row.previous_secret_encrypted && row.previous_secret_expires_at) {
        state.previousSecret = options.secretBox.decrypt(row.previous_secret_encrypted);
        state.previousSecretExpiresAt = row.previous_secret_expires_at;
      }
    }
    return state;
  };

  const rebuildWorkspaceIndex = () => {
    const index = new Map<string, WebhookState[]>();
    for (const state of byId.values()) {
      if (state.deleted || state.status !== 'online') continue;
      const key = state.workspaceId.toLowerCase();
      const list = index.get(key);
      if (list) list.push(state);
      else index.set(key, [state]);
    }
    byWorkspace = index;
  };

  const refresh = async () => {
    const query = options.knex('webhooks').select(columns);
    const forgetBefore = new Date(Date.now() - forgetDeletedAfterMs);
    if (watermark) query.where('updated_at', '>', new Date(watermark.getTime() - overlapMs));
    // The first load skips the webhooks deleted long ago; later ones must see deletions.
    else query.where((where) => where.whereNull('deleted_at').orWhere('deleted_at', '>', forgetBefore));
    const rows = (await query) as WebhookRow[];
    let changed = false;
    for (const row of rows) {
      if (!watermark || row.updated_at > watermark) watermark = row.updated_at;
      changed = true;
      let state: WebhookState;
      try {
        state = toState(row);
      } catch (error) {
        byId.delete(row.id);
        // Reported once per version of the row (the overlap reads recent rows again).
        if (badRows.get(row.id) !== row.updated_at.getTime()) options.onBadRow?.(row.id, error);
        badRows.set(row.id, row.updated_at.getTime());
        continue;
      }
      badRows.delete(row.id);
      if (state.deletedAt && state.deletedAt <= forgetBefore) byId.delete(row.id);
      else byId.set(row.id, state);
    }
    for (const [id, state] of byId) {
      if (state.deletedAt && state.deletedAt <= forgetBefore) {
        byId.delete(id);
        changed = true;
      }
    }
    if (changed || byWorkspace.size === 0) rebuildWorkspaceIndex();
    lastSuccess = Date.now();
  };

  const refreshOnce = () => {
    refreshing ??= refresh().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  };

  const schedule = () => {
    timer = setTimeout(() => {
      refreshOnce()
        .catch((error: unknown) => options.onError?.(error))
        .finally(() => {
          if (timer) schedule();
        });
    }, refreshIntervalMs);
    timer.unref();
  };

  return {
    async start() {
      await refreshOnce();
      schedule();
    },
    stop() {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
    get: (webhookId) => byId.get(webhookId),
    size: () => byId.size,
    // Workspace ids are UUIDs, which compare without regard to case (as event ids do).
    onlineWebhooksOf: (workspaceId) => byWorkspace.get(workspaceId.toLowerCase()) ?? [],
    isFresh: () => Date.now() - lastSuccess < Math.max(10_000, refreshIntervalMs * 10),
    refreshNow: refreshOnce,
  };
}
