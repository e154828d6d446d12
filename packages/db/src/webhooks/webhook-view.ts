import type { Knex } from 'knex';
import type { SecretBox } from '../secret-box';

/** A webhook as the router and sender see it. */
export interface WebhookState {
  id: string;
  workspaceId: string;
  url: string;
  events: ReadonlySet<string>;
  status: 'online' | 'offline';
  deleted: boolean;
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
  /** Online, not deleted webhooks of a workspace. */
  onlineWebhooksOf(workspaceId: string): readonly WebhookState[];
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
 * Deletions are soft (`deleted_at`), so they reach the view like any other change.
 */
export function createWebhookView(options: {
  knex: Knex;
  secretBox?: SecretBox;
  refreshIntervalMs?: number;
  onError?: (error: unknown) => void;
}): WebhookView {
  const refreshIntervalMs = options.refreshIntervalMs ?? 500;
  const overlapMs = 5_000;
  const byId = new Map<string, WebhookState>();
  let byWorkspace = new Map<string, WebhookState[]>();
  let watermark: Date | undefined;
  let lastSuccess = 0;
  let timer: NodeJS.Timeout | undefined;
  let refreshing: Promise<void> | undefined;

  const columns = ['id', 'workspace_id', 'url', 'events', 'status', 'deleted_at', 'updated_at'];
  if (options.secretBox) columns.push('secret_encrypted', 'previous_secret_encrypted', 'previous_secret_expires_at');

  const toState = (row: WebhookRow): WebhookState => {
    const state: WebhookState = {
      id: row.id,
      workspaceId: row.workspace_id,
      url: row.url,
      events: new Set(row.events),
      status: row.status,
      deleted: row.deleted_at !== null,
    };
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
      const list = index.get(state.workspaceId);
      if (list) list.push(state);
      else index.set(state.workspaceId, [state]);
    }
    byWorkspace = index;
  };

  const refresh = async () => {
    const query = options.knex('webhooks').select(columns);
    if (watermark) query.where('updated_at', '>', new Date(watermark.getTime() - overlapMs));
    const rows = (await query) as WebhookRow[];
    let changed = false;
    for (const row of rows) {
      byId.set(row.id, toState(row));
      if (!watermark || row.updated_at > watermark) watermark = row.updated_at;
      changed = true;
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
    onlineWebhooksOf: (workspaceId) => byWorkspace.get(workspaceId) ?? [],
    isFresh: () => Date.now() - lastSuccess < Math.max(10_000, refreshIntervalMs * 10),
    refreshNow: refreshOnce,
  };
}
