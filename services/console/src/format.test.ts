import { attemptOutcome, coveredByParent, eventTree, isoToLocalInput, localInputToIso, maskHeaders, remainingRetries } from './format';
import { searchFromView, viewFromSearch } from './filters';

const catalog = [
  { type: 'Case.Created', family: 'Case', parent: null, description: 'created' },
  { type: 'Case.Updated', family: 'Case', parent: null, description: 'updated' },
  { type: 'Case.StatusUpdated', family: 'Case', parent: 'Case.Updated', description: 'status' },
  { type: 'Individual.Created', family: 'Individual', parent: null, description: 'individual' },
];

describe('the event tree', () => {
  it('groups top-level events by family and hangs sub-events under their parent', () => {
    const tree = eventTree(catalog);
    expect(tree.map((family) => family.family)).toEqual(['Case', 'Individual']);
    expect(tree[0]?.events.map((event) => [event.type, event.children.map((child) => child.type)])).toEqual([
      ['Case.Created', []],
      ['Case.Updated', ['Case.StatusUpdated']],
    ]);
  });

  it('counts a sub-event as included when its top-level event is selected', () => {
    expect([...coveredByParent(new Set(['Case.Updated']), catalog)]).toEqual(['Case.StatusUpdated']);
    expect([...coveredByParent(new Set(['Case.Created']), catalog)]).toEqual([]);
  });
});

describe('calls and attempts', () => {
  const attempt = (headers: Record<string, string>) => ({ request_headers: headers });

  it('takes the remaining retries from the last attempt, and none once the call has ended', () => {
    expect(remainingRetries({ status: 'retrying', retry_count: 1, attempts: [attempt({ 'dotfile-remaining-retry-count': '4' }), attempt({ 'dotfile-remaining-retry-count': '3' })] })).toBe(3);
    expect(remainingRetries({ status: 'failed', retry_count: 4, attempts: [attempt({ 'dotfile-remaining-retry-count': '0' })] })).toBe(0);
    expect(remainingRetries({ status: 'succeeded', retry_count: 0, attempts: [attempt({ 'dotfile-remaining-retry-count': '4' })] })).toBe(0);
    expect(remainingRetries({ status: 'pending', retry_count: 0, attempts: [] })).toBe(4);
  });

  it('names an attempt by its status code, or its error without one', () => {
    expect(attemptOutcome({ status_code: 204, error: null })).toEqual({ ok: true, label: 'HTTP 204' });
    expect(attemptOutcome({ status_code: 500, error: 'HTTP 500' })).toEqual({ ok: false, label: 'HTTP 500' });
    expect(attemptOutcome({ status_code: null, error: 'timeout' })).toEqual({ ok: false, label: 'timeout' });
  });

  it('masks any signature or key header the API did not mask', () => {
    expect(maskHeaders({ 'dotfile-signature': 'v1,abc', 'dotfile-old-signature': '***', 'content-type': 'application/json' })).toEqual([
      ['dotfile-signature', '••••••'],
      ['dotfile-old-signature', '***'],
      ['content-type', 'application/json'],
    ]);
  });
});

describe('dates in inputs', () => {
  it('round-trips a datetime-local value through ISO', () => {
    const iso = localInputToIso('2026-12-01T10:30');
    expect(iso).toBeDefined();
    expect(isoToLocalInput(iso)).toBe('2026-12-01T10:30');
    expect(localInputToIso('')).toBeUndefined();
    expect(localInputToIso('not a date')).toBeUndefined();
  });
});

describe('call-log views in the URL', () => {
  it('reads filters, page, size and order back from what it wrote', () => {
    const view = { filters: { status: 'failed', case_id: 'case 1', webhook_id: 'abc' }, page: 3, limit: 100, sort: 'created_at.asc' as const };
    const search = searchFromView(view);
    expect(search.toString()).toBe('webhook_id=abc&status=failed&case_id=case+1&sort=created_at.asc&limit=100&page=3');
    expect(viewFromSearch(search)).toEqual(view);
  });

  it('falls back to the first page of 50, newest first, for missing or odd values', () => {
    expect(viewFromSearch(new URLSearchParams('page=-2&limit=7&sort=evil&unknown=1'))).toEqual({ filters: {}, page: 1, limit: 50, sort: 'created_at.desc' });
  });
});
