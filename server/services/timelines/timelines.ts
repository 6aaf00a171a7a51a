// Home, public and hashtag timelines. Each is one paged query for rows, then one batch to hydrate.
import { selectStatusRows, type StatusRow } from "../../../db/repositories/statuses.ts";
import { textArray } from "../../../db/sql-helpers.ts";
import type { AppContext } from "../../context.ts";
import type { ApiStatus } from "../../serializers/status.ts";
import { type PageParams, pageWindow } from "../pagination.ts";
import { presentStatusRows } from "../statuses/present.ts";
import { normalizeTag } from "../statuses/text.ts";

export interface TimelinePage {
  statuses: ApiStatus[];
  cursors: { newest: string; oldest: string } | null;
}

async function toPage(
  context: AppContext,
  rows: StatusRow[],
  viewerId: string,
): Promise<TimelinePage> {
  const statuses = await presentStatusRows(context, rows, viewerId);
  const first = rows[0];
  const last = rows.at(-1);
  return { statuses, cursors: first && last ? { newest: first.id, oldest: last.id } : null };
}

/** The viewer's home feed, written at post time (see fanOut), read by one index range scan. */
export async function homeTimeline(
  context: AppContext,
  viewerId: string,
  page: PageParams,
  limit: number,
): Promise<TimelinePage> {
  const { query, finish } = pageWindow(
    selectStatusRows(context.db)
      .innerJoin("home_feed as f", "f.status_id", "s.id")
      .where("f.account_id", "=", viewerId),
    "f.status_id",
    page,
    limit,
  );
  return toPage(context, finish(await query.execute()), viewerId);
}

export interface PublicTimelineOptions {
  local?: boolean;
  remote?: boolean;
  onlyMedia?: boolean;
}

/** Original public posts of the campus (and, once federated, of its siblings). */
export async function publicTimeline(
  context: AppContext,
  viewerId: string,
  options: PublicTimelineOptions,
  page: PageParams,
  limit: number,
): Promise<TimelinePage> {
  let base = selectStatusRows(context.db)
    .where("s.visibility", "=", "public")
    .where("s.reblog_of_id", "is", null);
  if (options.local) base = base.where("s.local", "=", true);
  else if (options.remote) base = base.where("s.local", "=", false);
  // Attachments arrive with media support; until then no post has any.
  if (options.onlyMedia) base = base.where((eb) => eb.val(false));
  const { query, finish } = pageWindow(base, "s.id", page, limit);
  return toPage(context, finish(await query.execute()), viewerId);
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
  let base = selectStatusRows(context.db)
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
  if (options.onlyMedia) base = base.where((eb) => eb.val(false));
  const { query, finish } = pageWindow(base, "s.id", page, limit);
  return toPage(context, finish(await query.execute()), viewerId);
}
