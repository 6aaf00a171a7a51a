// Applying the viewer's filters to the posts it is about to be shown. In a context (home,
// notifications, public, thread, account) only the filters for that context count, and a `hide`
// filter takes the post out entirely; `warn` and `blur` keep it, with the matches in `filtered`.
// Outside any context (a single post, bookmarks, favourites) every active filter is reported and
// nothing is taken out, as Mastodon does: the app decides.
import { sql } from "kysely";
import type { Db } from "../../../db/repositories/types.ts";
import type { FilterContext } from "../../../db/schema.ts";
import { PREPARED } from "../../../db/sql-helpers.ts";
import type { FilterRecord, KeywordRecord } from "../../serializers/filter.ts";
import type { StatusBundle } from "../../serializers/status.ts";
import { type LoadedFilter, matchFilters, searchableText } from "./match.ts";

interface FilterDocument extends FilterRecord {
  keywords: KeywordRecord[];
  status_ids: string[];
}

/** The viewer's filters that have not expired, with their keywords and posts: one statement. */
export async function loadActiveFilters(db: Db, viewerId: string): Promise<LoadedFilter[]> {
  const result = await sql<FilterDocument>`${sql.raw(PREPARED)}
    SELECT f.id, f.title, f.context, f.action, f.expires_at,
      (SELECT coalesce(json_agg(json_build_object('id', k.id::text, 'keyword', k.keyword, 'whole_word', k.whole_word)
         ORDER BY k.id), '[]'::json)
       FROM filter_keywords k WHERE k.filter_id = f.id) AS keywords,
      (SELECT coalesce(json_agg(fs.status_id::text ORDER BY fs.id), '[]'::json)
       FROM filter_statuses fs WHERE fs.filter_id = f.id) AS status_ids
    FROM filters f
    WHERE f.account_id = ${viewerId}::bigint AND (f.expires_at IS NULL OR f.expires_at > now())
    ORDER BY f.id`.execute(db);
  return result.rows.map(({ keywords, status_ids, ...record }) => ({
    record: { ...record, expires_at: record.expires_at ? new Date(record.expires_at) : null },
    keywords,
    statusIds: status_ids,
  }));
}

/** Attachment descriptions and poll options of the posts, which keywords match as well. */
async function extraTexts(db: Db, statusIds: readonly string[]): Promise<Map<string, string[]>> {
  const texts = new Map<string, string[]>();
  if (statusIds.length === 0) return texts;
  const ids = `{${statusIds.join(",")}}`;
  const result = await sql<{ status_id: string; text: string }>`${sql.raw(PREPARED)}
    SELECT m.status_id::text AS status_id, m.description AS text FROM media_attachments m
    WHERE m.status_id = ANY(${ids}::bigint[]) AND m.position IS NOT NULL AND coalesce(m.description, '') <> ''
    UNION ALL
    SELECT p.status_id::text, unnest(p.options) FROM polls p WHERE p.status_id = ANY(${ids}::bigint[])`.execute(db);
  for (const row of result.rows) {
    const list = texts.get(row.status_id) ?? [];
    list.push(row.text);
    texts.set(row.status_id, list);
  }
  return texts;
}

/**
 * Sets `filtered` on the bundles (and on a boosted post inside one) and, in a context, leaves
 * out those a `hide` filter matches. The viewer's own posts are never filtered, as in Mastodon.
 */
export async function applyFilters(
  db: Db,
  viewerId: string | null,
  bundles: StatusBundle[],
  context?: FilterContext,
): Promise<StatusBundle[]> {
  if (!viewerId || bundles.length === 0) return bundles;
  const active = await loadActiveFilters(db, viewerId);
  const filters = context ? active.filter((filter) => filter.record.context.includes(context)) : active;
  if (filters.length === 0) return bundles;

  const candidates = bundles.filter((bundle) => bundle.row.account_id !== viewerId);
  const hasKeywords = filters.some((filter) => filter.keywords.length > 0);
  const extra = hasKeywords
    ? await extraTexts(db, [...new Set(candidates.map((bundle) => (bundle.reblog ?? bundle).row.id))])
    : new Map<string, string[]>();
  const regExps = new Map<string, RegExp>();
  const hidden = new Set<StatusBundle>();
  for (const bundle of candidates) {
    const proper = bundle.reblog ?? bundle;
    const results = matchFilters(
      filters,
      () =>
        searchableText({
          spoilerText: proper.row.spoiler_text,
          content: proper.row.content,
          extra: extra.get(proper.row.id) ?? [],
        }),
      [...new Set([bundle.row.id, proper.row.id])],
      regExps,
    );
    if (results.length === 0) continue;
    if (context && results.some((result) => result.filter.filter_action === "hide")) {
      hidden.add(bundle);
      continue;
    }
    bundle.filtered = results;
    if (bundle.reblog) bundle.reblog.filtered = results;
  }
  return hidden.size > 0 ? bundles.filter((bundle) => !hidden.has(bundle)) : bundles;
}
