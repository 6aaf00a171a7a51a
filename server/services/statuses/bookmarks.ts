// Bookmarks: posts the viewer keeps for later. Private to the viewer; nothing federates.
import { findStatusById, selectStatusRows, visibleTo } from "../../../db/repositories/statuses.ts";
import type { Account } from "../../../db/schema.ts";
import type { AppContext } from "../../context.ts";
import { notFound } from "../../errors.ts";
import type { ApiStatus } from "../../serializers/status.ts";
import { type Cursors, type PageParams, pageCursors, pageWindow } from "../pagination.ts";
import { presentStatus, presentStatusRows } from "./present.ts";
import { findVisibleProperStatus, findVisibleStatusRow } from "./read.ts";
import { authorActive } from "./visible.ts";

/** Bookmarks a post the viewer can see (for a boost, the post it boosts). Twice is once. */
export async function bookmarkStatus(context: AppContext, viewer: Account, id: string): Promise<ApiStatus> {
  const status = await findVisibleProperStatus(context, id, viewer.id);
  await context.db
    .insertInto("bookmarks")
    .values({ account_id: viewer.id, status_id: status.id })
    .onConflict((conflict) => conflict.columns(["account_id", "status_id"]).doNothing())
    .execute();
  return presentStatus(context, id, viewer.id);
}

/**
 * Removes a bookmark, also from a post the viewer can no longer see; without a bookmark it
 * answers like a view of the status (404 when it is not visible).
 */
export async function unbookmarkStatus(context: AppContext, viewer: Account, id: string): Promise<ApiStatus> {
  const asked = await findStatusById(context.db, id);
  if (!asked) throw notFound();
  const statusId = asked.reblog_of_id ?? asked.id;
  const removed = await context.db
    .deleteFrom("bookmarks")
    .where("account_id", "=", viewer.id)
    .where("status_id", "=", statusId)
    .executeTakeFirst();
  if (removed.numDeletedRows === 0n) await findVisibleStatusRow(context, id, viewer.id);
  return presentStatus(context, id, viewer.id);
}

/**
 * The viewer's bookmarks, most recently bookmarked first, paged by the bookmark's id as
 * Mastodon pages them. Posts the viewer can no longer see are left out.
 */
export async function listBookmarks(
  context: AppContext,
  viewerId: string,
  page: PageParams,
  limit: number,
): Promise<{ statuses: ApiStatus[]; cursors: Cursors }> {
  const { query, finish } = pageWindow(
    selectStatusRows(context.db)
      .innerJoin("bookmarks as b", "b.status_id", "s.id")
      .select("b.id as bookmark_id")
      .where("b.account_id", "=", viewerId)
      .where(visibleTo(viewerId))
      .where(authorActive),
    "b.id",
    page,
    limit,
  );
  const rows = finish(await query.execute());
  return {
    statuses: await presentStatusRows(context, rows, viewerId),
    cursors: pageCursors(rows, "bookmark_id"),
  };
}
