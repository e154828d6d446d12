import type { Request } from 'express';
import { NotFoundError, UnauthorizedError } from '../http/errors';
import type { AdminAuth, Security, TenantAuth } from '../http/operation';
import type { ApiKeyDal } from './api-key-dal';
import { API_KEY_HEADER, adminTokenMatches, bearerTokenOf, digestsEqual, hashApiKey, isWellFormedApiKey } from './api-keys';

function singleHeader(request: Request, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? undefined : value;
}

/**
 * Authentication of docs/webhooks.md "Workspaces and API keys". Tenant calls carry
 * `X-DOTFILE-API-KEY`; the key is looked up by its SHA-256 digest and the digests compared
 * in constant time. Admin calls carry `Authorization: Bearer <ADMIN_TOKEN>`; without a
 * configured token the admin routes do not exist (404), as operations.md says they are
 * "off until set".
 */
export function createAuthenticator(deps: { apiKeys: Pick<ApiKeyDal, 'findActiveByHash'>; adminToken: string | undefined }) {
  const authenticateTenant = async (request: Request): Promise<TenantAuth> => {
    const presented = singleHeader(request, API_KEY_HEADER);
    if (presented === undefined || presented === '') throw new UnauthorizedError('Missing X-DOTFILE-API-KEY header');
    if (!isWellFormedApiKey(presented)) throw new UnauthorizedError('Invalid API key');
    const digest = hashApiKey(presented);
    const row = await deps.apiKeys.findActiveByHash(digest);
    if (!row || !digestsEqual(row.key_hash, digest)) throw new UnauthorizedError('Invalid API key');
    return { kind: 'tenant', workspaceId: row.workspace_id, apiKeyId: row.id };
  };

  const authenticateAdmin = (request: Request): AdminAuth => {
    if (deps.adminToken === undefined) throw new NotFoundError(`No route for ${request.method} ${request.path}`);
    const header = singleHeader(request, 'authorization');
    if (header === undefined || header === '') throw new UnauthorizedError('Missing Authorization: Bearer <admin token> header');
    const token = bearerTokenOf(header);
    if (token === undefined || !adminTokenMatches(token, deps.adminToken)) throw new UnauthorizedError('Invalid admin token');
    return { kind: 'admin' };
  };

  return {
    async authenticate(security: Exclude<Security, 'none'>, request: Request): Promise<TenantAuth | AdminAuth> {
      return security === 'apiKey' ? authenticateTenant(request) : authenticateAdmin(request);
    },
  };
}
