import { parseCidrList } from '@hookstream/target-safety';
import { ValidationError } from '../http/errors';
import { assertAcceptableUrl, containsPattern, parseSort, rotatedSecretColumns, toWebhook, uniqueEvents, type WebhookRow } from './webhook-fns';
import { SECRET_PATTERN, listWebhooksQuery } from './webhook-schemas';
import { generateSecret, isValidSecretFormat } from '@hookstream/signing';

describe('parseSort', () => {
  it.each([
    ['updated_at', [{ column: 'updated_at', order: 'asc' }]],
    ['name,created_at.desc', [{ column: 'name', order: 'asc' }, { column: 'created_at', order: 'desc' }]],
    ['status.asc,status.desc,url', [{ column: 'status', order: 'asc' }, { column: 'url', order: 'asc' }]],
  ])('reads %s, ending with id as the tie-breaker', (text, expected) => {
    expect(parseSort(text)).toEqual([...expected, { column: 'id', order: 'asc' }]);
  });
});

describe('the list query schema', () => {
  it('defaults to page 1, 20 per page, sorted by updated_at', () => {
    expect(listWebhooksQuery.parse({})).toEqual({ page: 1, limit: 20, sort: 'updated_at' });
  });

  it.each([
    [{ sort: 'id' }],
    [{ sort: 'name;drop table webhooks' }],
    [{ sort: 'name,' }],
    [{ limit: '101' }],
    [{ limit: '1e2' }],
    [{ page: '0' }],
    [{ page: ['1', '2'] }],
    [{ events: 'Case.Created,Nope.Nope' }],
    [{ status: 'paused' }],
    [{ name: 'a\u0000b' }],
    [{ unknown: 'x' }],
  ])('refuses %j', (query) => {
    expect(listWebhooksQuery.safeParse(query).success).toBe(false);
  });

  it('accepts events and sorts of the catalog and converts numbers', () => {
    expect(listWebhooksQuery.parse({ page: '3', limit: '100', events: 'Case.Created,Case.StatusUpdated', sort: 'url.desc' })).toEqual({
      page: 3,
      limit: 100,
      sort: 'url.desc',
      events: 'Case.Created,Case.StatusUpdated',
    });
  });
});

describe('SECRET_PATTERN', () => {
  it('agrees with the signing package on generated and hand-made secrets', () => {
    const samples = [
      generateSecret(),
      `dotsecret.${'a'.repeat(32)}`,
      `dotsecret.${'a'.repeat(31)}`,
      `dotsecret.${'a'.repeat(256)}`,
      `dotsecret.${'a'.repeat(257)}`,
      `dotsecret.${'a'.repeat(31)} `,
      `dotsecretx${'a'.repeat(32)}`,
      `dotsecret.${'é'.repeat(32)}`,
    ];
    for (const sample of samples) expect([sample, SECRET_PATTERN.test(sample)]).toEqual([sample, isValidSecretFormat(sample)]);
  });
});

describe('assertAcceptableUrl', () => {
  const strict = { allowHttp: false, allowlist: [] };
  const development = { allowHttp: true, allowlist: parseCidrList('127.0.0.1/32') };

  it.each([
    ['not a url', strict],
    ['ftp://example.com/hook', strict],
    ['http://example.com/hook', strict],
    ['https://user:pass@example.com/hook', strict],
    ['https://10.0.0.1/hook', strict],
    ['https://169.254.169.254/latest/meta-data', strict],
    ['https://[::1]/hook', strict],
    ['http://127.0.0.2/hook', development],
  ])('refuses %s with a 400 on the url field', (url, policy) => {
    let error: unknown;
    try {
      assertAcceptableUrl(url, policy);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).status).toBe(400);
    expect((error as ValidationError).details?.[0]?.field).toBe('url');
  });

  it('accepts https hosts, and allowlisted http addresses where http is allowed', () => {
    expect(assertAcceptableUrl('https://example.com/hook', strict)).toBe('https://example.com/hook');
    expect(assertAcceptableUrl('http://127.0.0.1:3000/hook', development)).toBe('http://127.0.0.1:3000/hook');
  });
});

describe('rotatedSecretColumns', () => {
  it('keeps the current secret as the previous one until the grace period ends', () => {
    const now = new Date('2026-11-25T12:00:00.000Z');
    expect(rotatedSecretColumns({ currentEncrypted: 'old', newEncrypted: 'new', graceMs: 3_600_000, now })).toEqual({
      secret_encrypted: 'new',
      previous_secret_encrypted: 'old',
      previous_secret_expires_at: new Date('2026-11-25T13:00:00.000Z'),
    });
  });
});

describe('toWebhook', () => {
  const row: WebhookRow = {
    id: '6f1c2a8e-6f4b-4d7e-9a51-0f3c2b1d4e5a',
    workspace_id: 'w',
    name: null,
    url: 'https://example.com/hook',
    events: ['Case.Created'],
    status: 'online',
    offline_reason: null,
    secret_encrypted: 'enc(current)',
    previous_secret_encrypted: 'enc(previous)',
    previous_secret_expires_at: new Date('2026-11-25T13:00:00.000Z'),
    failure_window_reset_at: new Date('2026-11-25T10:00:00.000Z'),
    promoted: false,
    retry_state: 'normal',
    retry_state_since: null,
    created_at: new Date('2026-11-25T10:00:00.000Z'),
    updated_at: new Date('2026-11-25T11:00:00.000Z'),
    deleted_at: null,
  };
  const decrypt = (stored: string) => stored.replace(/^enc\((.*)\)$/, '$1');

  it('shows the decrypted secret and the grace period while it runs', () => {
    const webhook = toWebhook(row, decrypt, new Date('2026-11-25T12:00:00.000Z'));
    expect(webhook).toEqual({
      id: row.id,
      name: null,
      url: row.url,
      events: ['Case.Created'],
      status: 'online',
      secret: 'current',
      previous_secret_expires_at: '2026-11-25T13:00:00.000Z',
      offline_reason: null,
      promoted: false,
      retry_state: 'normal',
      retry_state_since: null,
      created_at: '2026-11-25T10:00:00.000Z',
      updated_at: '2026-11-25T11:00:00.000Z',
    });
  });

  it('shows a promoted webhook\'s paused retries and since when', () => {
    const paused = { ...row, promoted: true, retry_state: 'paused' as const, retry_state_since: new Date('2026-11-25T11:30:00.000Z') };
    expect(toWebhook(paused, decrypt, new Date('2026-11-25T12:00:00.000Z'))).toMatchObject({
      promoted: true,
      retry_state: 'paused',
      retry_state_since: '2026-11-25T11:30:00.000Z',
    });
  });

  it('hides an expired grace period', () => {
    expect(toWebhook(row, decrypt, new Date('2026-11-25T13:00:00.000Z')).previous_secret_expires_at).toBeNull();
  });
});

describe('small helpers', () => {
  it('keeps events once each, in order', () => {
    expect(uniqueEvents(['Case.Created', 'Case.Updated', 'Case.Created'])).toEqual(['Case.Created', 'Case.Updated']);
  });

  it('escapes LIKE wildcards in substring filters', () => {
    expect(containsPattern('100%_sure\\')).toBe('%100\\%\\_sure\\\\%');
  });
});
