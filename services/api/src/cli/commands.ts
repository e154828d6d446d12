import type { Knex } from '@hookstream/db';
import { createApiKeyDal } from '../auth/api-key-dal';
import { NO_CONTROL_CHARACTERS } from '../http/common-schemas';
import { createWorkspaceDal } from '../workspaces/workspace-dal';
import { createWorkspaceService } from '../workspaces/workspace-service';
import { parseArguments, UsageError, type ParsedArguments } from './arguments';
import { EVENT_USAGE } from './event-command';

export { parseArguments, UsageError, type ParsedArguments } from './arguments';

export const USAGE = `usage: npm run cli -- <command>

  workspace create --name <name>                 create a workspace; prints its id and first API key (shown once)
  workspace list [--page <n>]                    list workspaces, oldest first
  api-key create --workspace <id>                create another API key for a workspace (shown once)
  api-key revoke --workspace <id> --key <key id> revoke an API key at once
${EVENT_USAGE}

Add --json for machine-readable output (workspace and api-key commands). Reads DATABASE_URL
(default: the local server); event publish also reads KAFKA_BROKERS, KAFKA_TOPIC_PREFIX and,
for the wire formats, SCHEMA_REGISTRY_URL.`;

function requiredOption(parsed: ParsedArguments, name: string): string {
  const value = parsed.options.get(name);
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${name} <value> is required`);
  return value;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function requiredId(parsed: ParsedArguments, name: string): string {
  const value = requiredOption(parsed, name);
  if (!UUID.test(value)) throw new UsageError(`--${name} must be a UUID`);
  return value;
}

/**
 * The operators' CLI (docs/webhooks.md "Workspaces and API keys"): the same workspace service as the
 * admin routes, straight on the database. Returns the lines to print, so it is tested
 * without spawning a process.
 */
export async function runCommand(argv: readonly string[], deps: { knex: Knex }): Promise<string[]> {
  const parsed = parseArguments(argv);
  const json = parsed.options.has('json');
  const service = createWorkspaceService({
    knex: deps.knex,
    workspaces: createWorkspaceDal(deps.knex),
    apiKeys: createApiKeyDal(deps.knex),
  });
  const [subject, verb] = parsed.words;

  if (subject === 'workspace' && verb === 'create') {
    const name = requiredOption(parsed, 'name');
    if (name.length > 200 || !NO_CONTROL_CHARACTERS.test(name)) throw new UsageError('--name must be at most 200 characters, without control characters');
    const workspace = await service.create(name);
    if (json) return [JSON.stringify(workspace)];
    return [
      `workspace  ${workspace.id}  ${workspace.name}`,
      `api key    ${workspace.api_key}`,
      `key id     ${workspace.api_key_id}`,
      'The API key is shown this once: store it now. Send it as the X-DOTFILE-API-KEY header.',
    ];
  }
  if (subject === 'workspace' && verb === 'list') {
    const pageText = parsed.options.get('page');
    const page = typeof pageText === 'string' ? Number(pageText) : 1;
    if (!Number.isInteger(page) || page < 1) throw new UsageError('--page must be a positive integer');
    const result = await service.list(page, 100);
    if (json) return [JSON.stringify(result)];
    return [
      ...result.data.map((workspace) => `${workspace.id}  ${workspace.created_at}  ${workspace.name}`),
      `(${result.data.length} of ${result.pagination.count})`,
    ];
  }
  if (subject === 'api-key' && verb === 'create') {
    const key = await service.createApiKey(requiredId(parsed, 'workspace'));
    if (json) return [JSON.stringify(key)];
    return [`api key    ${key.api_key}`, `key id     ${key.id}`, 'The API key is shown this once: store it now.'];
  }
  if (subject === 'api-key' && verb === 'revoke') {
    await service.revokeApiKey(requiredId(parsed, 'workspace'), requiredId(parsed, 'key'));
    return json ? [JSON.stringify({ revoked: true })] : ['revoked'];
  }
  throw new UsageError(subject === undefined ? 'a command is required' : `unknown command: ${parsed.words.join(' ')}`);
}
