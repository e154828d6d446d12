export { createDatabase, waitForDatabase, DatabaseUnreachableError, redactUrl, type Knex } from './connection';
export { migrateLatest, migrateDownAll, migrationNames } from './migrations';
export { createSecretBox, parseSecretKey, type SecretBox } from './secret-box';
export { createWebhookView, type WebhookView, type WebhookState, type RetryState } from './webhooks/webhook-view';
export { enqueueLifecycleMessages, createLifecyclePublisher, type LifecyclePublisher } from './lifecycle-outbox';
export { jsonTextIsStorable, storableJson, storableText } from './storable-text';
