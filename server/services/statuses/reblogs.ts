// Boosts: a boost is a status row of the booster's with reblog_of_id set and no text of its own.
import { sql, type Transaction } from "kysely";
import { findStatusById, visibleTo } from "../../../db/repositories/statuses.ts";
import type { Account, Database, Status, Visibility } from "../../../db/schema.ts";
import type { AppContext } from "../../context.ts";
import { forbidden, notFound } from "../../errors.ts";
import { accountToApi, type ApiAccount } from "../../serializers/account.ts";
import type { ApiStatus } from "../../serializers/status.ts";
import { recordIntent } from "../federation/intents.ts";
import { fanOutToListFeeds, keptFromHome } from "../lists/feed.ts";
import { notifyLocal, publishNotifications, type WrittenNotification } from "../notifications/notify.ts";
import { type Cursors, type PageParams, pageCursors, pageWindow } from "../pagination.ts";
import { removeOwnStatus } from "./delete.ts";
import { presentStatus } from "./present.ts";
import { findVisibleProperStatus, findVisibleStatusRow } from "./read.ts";


export type BoostVisibility = Exclude<Visibility, "direct">;

/**
 * How many of the newest entries of a home feed are looked at before a boost is added to it:
 * when the post, or another boost of it, is among them, the feed does not show it twice
 * (Mastodon's REBLOG_FALLOFF).
 */
const REBLOG_FALLOFF = 40;

/**
 * Brings a boost into home feeds: a local booster's own and those of local followers who show the
 * booster's boosts. As in Mastodon's feed manager, nobody is shown a boost of their own post, nor
 * a post that their feed already shows (itself or boosted) among its newest entries.
 */
export async function fanOutBoost(
  trx: Transaction<Database>,
  boost: Pick<Status, "id" | "account_id">,
  original: Pick<Status, "id" | "account_id">,
  options: { boosterIsLocal: boolean },
): Promise<void> {
  await sql`
    INSERT INTO home_feed (account_id, status_id, author_id)
    SELECT r.account_id, ${boost.id}::bigint, ${boost.account_id}::bigint
    FROM (
      SELECT ${boost.account_id}::bigint AS account_id WHERE ${options.boosterIsLocal}
      UNION
      SELECT f.account_id
      FROM follows f JOIN accounts a ON a.id = f.account_id AND a.domain IS NULL
      WHERE f.target_account_id = ${boost.account_id} AND f.show_reblogs
    ) r
    WHERE r.account_id <> ${original.account_id}::bigint
      AND NOT EXISTS (
        SELECT 1
        FROM (
          SELECT h.status_id FROM home_feed h
          WHERE h.account_id = r.account_id
          ORDER BY h.status_id DESC
          LIMIT ${REBLOG_FALLOFF}
        ) recent
        JOIN statuses rs ON rs.id = recent.status_id
        WHERE rs.id = ${original.id}::bigint OR rs.reblog_of_id = ${original.id}::bigint
      )
      AND NOT ${keptFromHome(sql`r.account_id`, { account_id: boost.account_id, reblog_of_id: original.id })}
    ON CONFLICT DO NOTHING
  `.execute(trx);
  await fanOutToListFeeds(trx, boost.id);
}

/**
 * Boosts a post (for a boost, the post it boosts). As in Mastodon, direct posts cannot be
 * boosted, followers-only posts only by their author (the boost stays followers-only), and
 * boosting again returns the existing boost. A boost of a local-only post is local-only.
 */
export async function reblogStatus(
  context: AppContext,
  viewer: Account,
  id: string,
  options: { visibility?: BoostVisibility; applicationId: string | null },
): Promise<ApiStatus> {
  const original = await findVisibleProperStatus(context, id, viewer.id);
  if (original.visibility === "direct" || (original.visibility === "private" && original.account_id !== viewer.id)) {
    throw forbidden();
  }
  const user = await context.db
    .selectFrom("users")
    .select("default_visibility")
    .where("account_id", "=", viewer.id)
    .executeTakeFirstOrThrow();
  const preferred = options.visibility ?? user.default_visibility;
  const visibility: BoostVisibility =
    original.visibility === "private" || preferred === "direct" ? "private" : preferred;

  const { boostId, created, notifications } = await context.db.transaction().execute(async (trx) => {
    // The original's row lock makes two boosts racing for it wait for each other.
    const locked = await trx
      .selectFrom("statuses")
      .select("id")
      .where("id", "=", original.id)
      .forUpdate()
      .executeTakeFirst();
    if (!locked) throw notFound();
    const existing = await trx
      .selectFrom("statuses")
      .select("id")
      .where("reblog_of_id", "=", original.id)
      .where("account_id", "=", viewer.id)
      .executeTakeFirst();
    if (existing) return { boostId: existing.id, created: false, notifications: [] as WrittenNotification[] };

    const { id: newId } = await sql<{ id: string }>`SELECT timestamp_id() AS id`
      .execute(trx)
      .then((result) => result.rows[0]!);
    const boost = await trx
      .insertInto("statuses")
      .values({
        id: newId,
        // The Announce activity's id, as Mastodon names a boost's.
        uri: `${context.urls.statusUri(viewer.username, newId)}/activity`,
        url: context.urls.status(viewer.username, newId),
        account_id: viewer.id,
        local: true,
        visibility,
        reblog_of_id: original.id,
        application_id: options.applicationId,
        local_only: original.local_only,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx
      .updateTable("statuses")
      .set((eb) => ({ reblogs_count: eb("reblogs_count", "+", 1) }))
      .where("id", "=", original.id)
      .execute();
    // Boosts count among an account's posts, as in Mastodon.
    await trx
      .updateTable("accounts")
      .set((eb) => ({ statuses_count: eb("statuses_count", "+", 1), last_status_at: new Date() }))
      .where("id", "=", viewer.id)
      .execute();
    await fanOutBoost(trx, boost, original, { boosterIsLocal: true });
    await recordIntent(trx, { type: "status.created", statusId: newId, accountId: viewer.id });
    const notified = await notifyLocal(trx, [
      { accountId: original.account_id, fromAccountId: viewer.id, type: "reblog", statusId: original.id },
    ]);
    return { boostId: newId, created: true, notifications: notified };
  });
  if (created) context.events.emit("status.created", { statusId: boostId, accountId: viewer.id });
  publishNotifications(context, notifications);
  return presentStatus(context, boostId, viewer.id);
}

/**
 * Takes the viewer's boost of a post back (given the post, or the boost itself) and answers with
 * the post. Without a boost it answers like a view of the post.
 */
export async function unreblogStatus(context: AppContext, viewer: Account, id: string): Promise<ApiStatus> {
  const asked = await findStatusById(context.db, id);
  if (!asked) throw notFound();
  const originalId = asked.reblog_of_id ?? asked.id;
  const boosts = await context.db
    .selectFrom("statuses")
    .selectAll()
    .where("reblog_of_id", "=", originalId)
    .where("account_id", "=", viewer.id)
    .execute();
  const removed: Status[] = [];
  if (boosts.length > 0) {
    await context.db.transaction().execute(async (trx) => {
      for (const boost of boosts) if (await removeOwnStatus(trx, boost)) removed.push(boost);
    });
  }
  for (const boost of removed) {
    context.events.emit("status.deleted", {
      statusId: boost.id,
      accountId: viewer.id,
      uri: boost.uri,
      visibility: boost.visibility,
    });
  }
  if (removed.length === 0) await findVisibleStatusRow(context, originalId, viewer.id);
  return presentStatus(context, originalId, viewer.id);
}

/** Who boosted a post (in boosts the viewer may see), newest boost first, paged by the boost's id. */
export async function rebloggedBy(
  context: AppContext,
  viewerId: string,
  id: string,
  page: PageParams,
  limit: number,
): Promise<{ accounts: ApiAccount[]; cursors: Cursors }> {
  const status = await findVisibleProperStatus(context, id, viewerId);
  const { query, finish } = pageWindow(
    context.db
      .selectFrom("statuses as s")
      .innerJoin("accounts as a", "a.id", "s.account_id")
      .selectAll("a")
      .select("s.id as boost_id")
      .where("s.reblog_of_id", "=", status.id)
      .where(visibleTo(viewerId))
      .where("a.suspended_at", "is", null),
    "s.id",
    page,
    limit,
  );
  const rows = finish(await query.execute());
  return {
    accounts: rows.map(({ boost_id: _id, ...account }) => accountToApi(account, context.urls)),
    cursors: pageCursors(rows, "boost_id"),
  };
}
