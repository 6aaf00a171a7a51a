// Mastodon's paging: max_id (older than), since_id (newer than, newest first), min_id (newer
// than, the ones right after it), limit; and the Link header that tells the next and previous page.
import type { SelectQueryBuilder } from "kysely";

export interface PageParams {
  max_id?: string;
  since_id?: string;
  min_id?: string;
  limit?: number;
}

export function clampLimit(limit: number | undefined, fallback: number, max: number): number {
  if (limit === undefined || limit <= 0) return fallback;
  return Math.min(limit, max);
}

/**
 * Applies the page window on a bigint cursor column. Rows come back newest first; with min_id
 * the query reads upwards from the cursor, and `finish` restores the newest-first order.
 */
export function pageWindow<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  column: string,
  params: PageParams,
  limit: number,
): { query: SelectQueryBuilder<DB, TB, O>; finish: <T>(rows: T[]) => T[] } {
  // Kysely cannot type a column passed by name through generics; the callers pass real columns.
  let q = query as unknown as SelectQueryBuilder<any, any, O>;
  if (params.max_id) q = q.where(column, "<", params.max_id);
  // With min_id, since_id is ignored, as Mastodon does.
  const ascending = params.min_id !== undefined;
  if (params.min_id) q = q.where(column, ">", params.min_id);
  else if (params.since_id) q = q.where(column, ">", params.since_id);
  q = q.orderBy(column, ascending ? "asc" : "desc").limit(limit);
  return {
    query: q as unknown as SelectQueryBuilder<DB, TB, O>,
    finish: (rows) => (ascending ? rows.reverse() : rows),
  };
}

/** The paging ids of the first (newest) and last (oldest) item of a page. */
export type Cursors = { newest: string; oldest: string } | null;

export function pageCursors<K extends string>(rows: readonly Record<K, string>[], key: K): Cursors {
  const first = rows[0];
  const last = rows.at(-1);
  return first && last ? { newest: first[key], oldest: last[key] } : null;
}

/**
 * The Link header for a page of results: `next` pages to older items, `prev` to newer ones.
 * `cursors` are the paging ids of the first (newest) and last (oldest) item of this page.
 */
export function linkHeader(
  baseUrl: string,
  query: Record<string, unknown>,
  cursors: { newest: string; oldest: string } | null,
): string | undefined {
  if (!cursors) return undefined;
  const keep = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (["max_id", "since_id", "min_id", "access_token"].includes(key) || value === undefined) continue;
    const name = Array.isArray(value) ? `${key}[]` : key;
    for (const item of Array.isArray(value) ? value : [value]) keep.append(name, String(item));
  }
  const withCursor = (name: string, value: string) => {
    const params = new URLSearchParams(keep);
    params.set(name, value);
    return `${baseUrl}?${params.toString()}`;
  };
  return `<${withCursor("max_id", cursors.oldest)}>; rel="next", <${withCursor("min_id", cursors.newest)}>; rel="prev"`;
}
