// Favourites: marking a post, taking the mark back, who marked a post, and the viewer's own list.
import { sql } from "kysely";
import { findStatusById, selectStatusRows, visibleTo } from "../../../db/repositories/statuses.ts";
import type { Account } from "../../../db/schema.ts";
import type { AppContext } from "../../context.ts";
import { notFound } from "../../errors.ts";
import { accountToApi, type ApiAccount } from "../../serializers/account.ts";
import type { ApiStatus } from "../../serializers/status.ts";
import { recordIntent } from "../federation/intents.ts";
import { notifyLocal, publishNotifications, type WrittenNotification } from "../notifications/notify.ts";
import { type Cursors, type PageParams, pageCursors, pageWindow } from "../pagination.ts";
import { presentStatus, presentStatusRows } from "./present.ts";
import { findVisibleProperStatus, findVisibleStatusRow } from "./read.ts";
import { authorActive } from "./visible.ts";


/** The Like activity's id: the actor's URI with a fragment, as Mastodon names its likes. */
const likeUri = (account: Account, favouriteId: string) => `${account.uri}#likes/${favouriteId}`;

/**
 * Favourites a post the viewer can see (for a boost, the post it boosts). Doing it twice changes
 * nothing. Answers with the status as asked for, its counts and the viewer's flags updated.
 */
export async function favouriteStatus(context: AppContext, viewer: Account, id: string): Promise<ApiStatus> {
  const status = await findVisibleProperStatus(context, id, viewer.id);
  const notifications = await context.db.transaction().execute(async (trx): Promise<WrittenNotification[]> => {
    const { favouriteId } = await sql<{ favouriteId: string }>`SELECT timestamp_id() AS "favouriteId"`
      .execute(trx)
      .then((result) => result.rows[0]!);
    const inserted = await trx
      .insertInto("favourites")
      .values({
        id: favouriteId,
        account_id: viewer.id,
        status_id: status.id,
        uri: likeUri(viewer, favouriteId),
      })
      .onConflict((conflict) => conflict.columns(["account_id", "status_id"]).doNothing())
      .returning("id")
      .executeTakeFirst();
    if (!inserted) return [];
    await trx
      .updateTable("statuses")
      .set((eb) => ({ favourites_count: eb("favourites_count", "+", 1) }))
      .where("id", "=", status.id)
      .execute();
    // Every favourite is announced; the federation worker decides whether a sibling needs it.
    await recordIntent(trx, { type: "favourite.created", favouriteId, accountId: viewer.id });
    return notifyLocal(trx, [
      { accountId: status.account_id, fromAccountId: viewer.id, type: "favourite", statusId: status.id },
    ]);
  });
  publishNotifications(context, notifications);
  return presentStatus(context, id, viewer.id);
}

/**
 * Takes a favourite back. Works on a post the viewer can no longer see, as long as the favourite
 * is there; without one it answers like a view of the status (404 when it is not visible).
 */
export async function unfavouriteStatus(context: AppContext, viewer: Account, id: string): Promise<ApiStatus> {
  const asked = await findStatusById(context.db, id);
  if (!asked) throw notFound();
  const status = asked.reblog_of_id ? await findStatusById(context.db, asked.reblog_of_id) : asked;
  if (!status) throw notFound();
  const removed = await context.db.transaction().execute(async (trx) => {
    const favourite = await trx
      .deleteFrom("favourites")
      .where("account_id", "=", viewer.id)
      .where("status_id", "=", status.id)
      .returning(["id", "uri"])
      .executeTakeFirst();
    if (!favourite) return false;
    await trx
      .updateTable("statuses")
      .set((eb) => ({ favourites_count: eb("favourites_count", "-", 1) }))
      .where("id", "=", status.id)
      .where("favourites_count", ">", 0)
      .execute();
    await trx
      .deleteFrom("notifications")
      .where("account_id", "=", status.account_id)
      .where("from_account_id", "=", viewer.id)
      .where("type", "=", "favourite")
      .where("status_id", "=", status.id)
      .execute();
    await recordIntent(trx, {
      type: "favourite.deleted",
      uri: favourite.uri ?? likeUri(viewer, favourite.id),
      accountId: viewer.id,
      statusUri: status.uri,
      statusAccountId: status.account_id,
    });
    return true;
  });
  if (!removed) await findVisibleStatusRow(context, id, viewer.id);
  return presentStatus(context, id, viewer.id);
}

/** Who favourited a post, newest favourite first, paged by the favourite's id. */
export async function favouritedBy(
  context: AppContext,
  viewerId: string,
  id: string,
  page: PageParams,
  limit: number,
): Promise<{ accounts: ApiAccount[]; cursors: Cursors }> {
  const status = await findVisibleProperStatus(context, id, viewerId);
  const { query, finish } = pageWindow(
    context.db
      .selectFrom("favourites as f")
      .innerJoin("accounts as a", "a.id", "f.account_id")
      .selectAll("a")
      .select("f.id as favourite_id")
      .where("f.status_id", "=", status.id)
      .where("a.suspended_at", "is", null),
    "f.id",
    page,
    limit,
  );
  const rows = finish(await query.execute());
  return {
    accounts: rows.map(({ favourite_id: _id, ...account }) => accountToApi(account, context.urls)),
    cursors: pageCursors(rows, "favourite_id"),
  };
}

/**
 * The viewer's favourites, most recently favourited first, paged by the favourite's id as
 * Mastodon pages them (not by the post's). Posts the viewer can no longer see are left out.
 */
export async function listFavourites(
  context: AppContext,
  viewerId: string,
  page: PageParams,
  limit: number,
): Promise<{ statuses: ApiStatus[]; cursors: Cursors }> {
  const { query, finish } = pageWindow(
    selectStatusRows(context.db)
      .innerJoin("favourites as f", "f.status_id", "s.id")
      .select("f.id as favourite_id")
      .where("f.account_id", "=", viewerId)
      .where(visibleTo(viewerId))
      .where(authorActive),
    "f.id",
    page,
    limit,
  );
  const rows = finish(await query.execute());
  return {
    statuses: await presentStatusRows(context, rows, viewerId),
    cursors: pageCursors(rows, "favourite_id"),
  };
}
