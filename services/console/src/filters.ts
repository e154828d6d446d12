/** The call-log filters, held in the page's URL so a view can be shared or reloaded. */

export const FILTER_NAMES = ['webhook_id', 'event', 'status', 'case_id', 'individual_id', 'company_id', 'created_from', 'created_to'] as const;
export type FilterName = (typeof FILTER_NAMES)[number];

export interface CallLogView {
  filters: Partial<Record<FilterName, string>>;
  page: number;
  limit: number;
  sort: 'created_at.desc' | 'created_at.asc';
}

export const PAGE_SIZES = [20, 50, 100] as const;

export function viewFromSearch(search: URLSearchParams): CallLogView {
  const filters: Partial<Record<FilterName, string>> = {};
  for (const name of FILTER_NAMES) {
    const value = search.get(name);
    if (value) filters[name] = value;
  }
  const page = Number(search.get('page'));
  const limit = Number(search.get('limit'));
  return {
    filters,
    page: Number.isInteger(page) && page >= 1 ? page : 1,
    limit: (PAGE_SIZES as readonly number[]).includes(limit) ? limit : 50,
    sort: search.get('sort') === 'created_at.asc' ? 'created_at.asc' : 'created_at.desc',
  };
}

export function searchFromView(view: CallLogView): URLSearchParams {
  const search = new URLSearchParams();
  for (const name of FILTER_NAMES) {
    const value = view.filters[name];
    if (value) search.set(name, value);
  }
  if (view.sort !== 'created_at.desc') search.set('sort', view.sort);
  if (view.limit !== 50) search.set('limit', String(view.limit));
  if (view.page !== 1) search.set('page', String(view.page));
  return search;
}

/** The API query of a view. */
export function apiQuery(view: CallLogView): Record<string, string | number> {
  return { ...view.filters, page: view.page, limit: view.limit, sort: view.sort };
}
