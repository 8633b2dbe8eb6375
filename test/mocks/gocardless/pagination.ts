// Django REST framework LimitOffsetPagination, as the list endpoints use
// ({count, next, previous, results}; defaults limit=100, offset=0 per spec).
export function paginate<T>(items: T[], query: Record<string, string>, pageUrl: string) {
  const limit = query.limit !== undefined ? Number(query.limit) : 100;
  const offset = query.offset !== undefined ? Number(query.offset) : 0;
  const next = offset + limit < items.length ? `${pageUrl}?limit=${limit}&offset=${offset + limit}` : null;
  let previous: string | null = null;
  if (offset > 0) previous = offset - limit <= 0 ? `${pageUrl}?limit=${limit}` : `${pageUrl}?limit=${limit}&offset=${offset - limit}`;
  return { count: items.length, next, previous, results: items.slice(offset, offset + limit) };
}
