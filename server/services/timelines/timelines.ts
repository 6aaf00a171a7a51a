// Home, public and hashtag timelines. Each picks a page of ids (paged as Mastodon pages) and reads
// everything the page shows in one statement: statuses, boosted originals, authors.
import type { SelectQueryBuilder } from "kysely";
import { hasMedia } from "../../../db/repositories/media.ts";
import { authorNotHiddenFrom } from "../../../db/repositories/relationships.ts";
import { readStatusPage } from "../../../db/repositories/statuses.ts";
import type { FilterContext } from "../../../db/schema.ts";
import { textArray } from "../../../db/sql-helpers.ts";
import type { AppContext } from "../../context.ts";
import { type ApiStatus, statusToApi } from "../../serializers/status.ts";
import { applyFilters } from "../filters/apply.ts";
import { type PageParams, pageCursors, pageWindow } from "../pagination.ts";
import { hydrateStatuses } from "../statuses/hydrate.ts";
import { normalizeTag } from "../statuses/text.ts";

export interface TimelinePage {
  statuses: ApiStatus[];
  cursors: { newest: string; oldest: string } | null;
}

type IdQuery<DB, TB extends keyof DB> = SelectQueryBuilder<DB, TB, { id: string }>;

/**
 * Pages `ids` by `column` and presents the page. `prepared` when the query's text comes in a
 * bounded number of variants (see readStatusPage). The viewer's filters for `filterContext`
 * apply; the cursors still come from the whole page, so paging goes past hidden posts.
 */
export async function toPage<DB, TB extends keyof DB>(
  context: AppContext,
  viewerId: string,
  ids: IdQuery<DB, TB>,
  column: string,
  page: PageParams,
  limit: number,
  prepared: boolean,
  filterContext?: FilterContext,
): Promise<TimelinePage> {
  // The statement returns the page newest first whichever way the window was read.
  const { query } = pageWindow(ids, column, page, limit);
  const { rows, reblogs, accounts } = await readStatusPage(context.db, query, { prepared });
  const bundles = await applyFilters(
    context.db,
    viewerId,
    await hydrateStatuses(context.db, rows, viewerId, { reblogs, accounts }),
    filterContext,
  );
  return {
    statuses: bundles.map((bundle) => statusToApi(bundle, context.urls)),
    cursors: pageCursors(rows, "id"),
  };
}

/** The viewer's home feed, written at post time (see fanOut): a range of one index. */
export async function homeTimeline(
  context: AppContext,
  viewerId: string,
  page: PageParams,
  limit: number,
): Promise<TimelinePage> {
  const ids = context.db
    .selectFrom("home_feed as f")
    .select("f.status_id as id")
    .where("f.account_id", "=", viewerId);
  return toPage(context, viewerId, ids, "f.status_id", page, limit, true, "home");
}

export interface PublicTimelineOptions {
  local?: boolean;
  remote?: boolean;
  onlyMedia?: boolean;
}

/** Posts in shared timelines, leaving out authors the viewer blocks or mutes, or who block the viewer. */
function publicIds(context: AppContext, viewerId: string) {
  return context.db.selectFrom("statuses as s").select("s.id as id").where(authorNotHiddenFrom(viewerId));
}

/** Original public posts of the campus (and, once federated, of its siblings). */
export async function publicTimeline(
  context: AppContext,
  viewerId: string,
  options: PublicTimelineOptions,
  page: PageParams,
  limit: number,
): Promise<TimelinePage> {
  let base = publicIds(context, viewerId)
    .where("s.visibility", "=", "public")
    .where("s.reblog_of_id", "is", null);
  if (options.local) base = base.where("s.local", "=", true);
  else if (options.remote) base = base.where("s.local", "=", false);
  if (options.onlyMedia) base = base.where(hasMedia());
  return toPage(context, viewerId, base, "s.id", page, limit, true, "public");
}

export interface TagTimelineOptions extends PublicTimelineOptions {
  any?: string[];
  all?: string[];
  none?: string[];
}

/** Public posts carrying the tag (or any of `any`, all of `all`, none of `none`). */
export async function tagTimeline(
  context: AppContext,
  viewerId: string,
  tag: string,
  options: TagTimelineOptions,
  page: PageParams,
  limit: number,
): Promise<TimelinePage> {
  const anyTags = [tag, ...(options.any ?? [])].map(normalizeTag);
  let base = publicIds(context, viewerId)
    .where("s.visibility", "=", "public")
    .where("s.reblog_of_id", "is", null)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom("statuses_tags as st")
          .innerJoin("tags as t", "t.id", "st.tag_id")
          .select("st.status_id")
          .whereRef("st.status_id", "=", "s.id")
          .where("t.name", "=", eb.fn.any(textArray(anyTags))),
      ),
    );
  for (const required of (options.all ?? []).map(normalizeTag)) {
    base = base.where((eb) =>
      eb.exists(
        eb
          .selectFrom("statuses_tags as st")
          .innerJoin("tags as t", "t.id", "st.tag_id")
          .select("st.status_id")
          .whereRef("st.status_id", "=", "s.id")
          .where("t.name", "=", required),
      ),
    );
  }
  const excluded = (options.none ?? []).map(normalizeTag);
  if (excluded.length > 0) {
    base = base.where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom("statuses_tags as st")
            .innerJoin("tags as t", "t.id", "st.tag_id")
            .select("st.status_id")
            .whereRef("st.status_id", "=", "s.id")
            .where("t.name", "=", eb.fn.any(textArray(excluded))),
        ),
      ),
    );
  }
  if (options.local) base = base.where("s.local", "=", true);
  else if (options.remote) base = base.where("s.local", "=", false);
  if (options.onlyMedia) base = base.where(hasMedia());
  // Not prepared: the tag lists make the text vary with every combination asked for.
  return toPage(context, viewerId, base, "s.id", page, limit, false, "public");
}
